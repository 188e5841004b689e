// Manual import: the application's users (read over SCIM once, then searched and sorted by Roster),
// pick some or all, import. Small imports answer with their results; big ones run in the background.
import { Button, Group, SegmentedControl, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { api } from '../../api/client.ts';
import { useMe } from '../../api/session.ts';
import type { Application, PreviewPage, PreviewUser } from '../../api/types.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Pager } from '../../components/Pager.tsx';
import { formatDateTime, formatNumber } from '../../lib/format.ts';
import { useKeysetPager } from '../../lib/keyset.ts';
import { useUrlState } from '../../lib/url-state.ts';
import { ImportOutcome, type ImportResponse } from './ImportOutcome.tsx';
import { PreviewTable } from './PreviewTable.tsx';
import { SelectionBar } from './SelectionBar.tsx';
import { emptySelection, expand, fetchMatching, importBody, isSelected, withUsers, type Selection } from './selection.ts';

const PAGE = 50;

export function ImportPage() {
  const { id = '' } = useParams();
  const app = useQuery({ queryKey: ['applications', id], queryFn: () => api.get<Application>(`/api/v1/applications/${id}`) });
  const { data: me } = useMe();
  const queryClient = useQueryClient();
  const [s, set] = useUrlState({ q: '', status: '', sort: 'userName', order: 'asc' });
  const [search, setSearch] = useState(s.q);
  const [debounced] = useDebouncedValue(search.trim(), 300);
  useEffect(() => {
    if (debounced !== s.q) set({ q: debounced });
  }, [debounced, s.q, set]);
  // Bumped after a refresh: cursors of the old list are no good for the new one.
  const [generation, setGeneration] = useState(0);
  const pager = useKeysetPager(JSON.stringify([s, generation]));
  const path = `/api/v1/applications/${id}/import/users`;
  const preview = useQuery({
    queryKey: ['import-preview', id, s, generation, pager.cursor],
    queryFn: ({ signal }) => api.get<PreviewPage>(path, { ...s, limit: PAGE, cursor: pager.cursor }, signal),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
  const [selection, setSelection] = useState<Selection>(emptySelection);
  const [selecting, setSelecting] = useState(false);
  const [selectionError, setSelectionError] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<ImportResponse | null>(null);
  const [refreshing, setRefreshing] = useState(false);

  const refresh = async () => {
    setRefreshing(true);
    try {
      await api.get<PreviewPage>(path, { refresh: true, limit: 1 });
      setGeneration((g) => g + 1);
      await queryClient.invalidateQueries({ queryKey: ['import-preview', id] });
    } catch (err) {
      setSelectionError(err);
    } finally {
      setRefreshing(false);
    }
  };

  const run = useMutation({
    mutationFn: () => api.post<ImportResponse>(`/api/v1/applications/${id}/import/jobs`, importBody(selection)),
    onSuccess: async (res) => {
      setOutcome(res);
      setSelection(emptySelection());
      queryClient.invalidateQueries({ queryKey: ['import-runs'] });
      queryClient.invalidateQueries({ queryKey: ['users'] });
      // Imported users now exist: read the list again so their badges say so.
      if (res.run.results) await refresh();
    },
  });

  // Selecting across pages may need the server's list of ids; errors stay next to the selection bar.
  const select = async (change: (sel: Selection) => Promise<Selection>) => {
    setSelecting(true);
    setSelectionError(null);
    try {
      setSelection(await change(selection));
    } catch (err) {
      setSelectionError(err);
    } finally {
      setSelecting(false);
    }
  };
  const toggle = (users: PreviewUser[], on: boolean) => select(async (sel) => withUsers(await expand(sel, id), users, on));
  const data = preview.data;
  const matching = data?.total ?? 0;
  // With a search, how many of the matches are new is one more (cheap) question to the server.
  const newOfSearch = useQuery({
    queryKey: ['import-preview', id, 'new-of-search', s.q, generation],
    queryFn: () => api.get<PreviewPage>(path, { q: s.q, status: 'new', limit: 1 }),
    enabled: Boolean(s.q) && !s.status,
    staleTime: 60_000,
  });
  const newMatching = s.status === 'new' ? matching : s.status ? 0 : s.q ? (newOfSearch.data?.total ?? 0) : (data?.counts.new ?? 0);
  const selectAllNew = () =>
    select(async () => {
      // Without a search, "all new" is the API's {all: true}: every new user, however many.
      if (!s.q) return { kind: 'allNew', count: data?.counts.new ?? 0 };
      return withUsers(emptySelection(), await fetchMatching(id, { q: s.q, status: 'new' }, newMatching), true);
    });
  const selectAll = () =>
    select(async () => withUsers(emptySelection(), await fetchMatching(id, { q: s.q, status: s.status }, matching), true));

  const appName = app.data?.name ?? 'the application';
  return (
    <>
      <PageHeader
        title={`Import users from ${appName}`}
        crumbs={[
          { label: 'Applications', to: '/applications' },
          { label: appName, to: `/applications/${id}?tab=idm` },
        ]}
        description="Imported users are created ACTIVE with password status PENDING, bound to no group. Users that already exist are skipped."
      />
      {outcome && (
        <div style={{ marginBottom: 16 }}>
          <ImportOutcome response={outcome} email={me?.admin?.email ?? me?.actor.email} onDismiss={() => setOutcome(null)} />
        </div>
      )}
      <ErrorAlert error={run.error} title="The import did not start" />
      {preview.isPending ? (
        <Loading label={`Reading the users of ${appName} over SCIM… large applications take a while.`} />
      ) : preview.error && !data ? (
        <>
          <ErrorAlert error={preview.error} title={`Could not read the users of ${appName}`} />
          <Button mt="sm" variant="default" onClick={() => preview.refetch()}>
            Try again
          </Button>
        </>
      ) : data ? (
        <>
          <Group justify="space-between" mb="sm" wrap="wrap">
            <Text size="sm">
              <b>{formatNumber(data.snapshot.total)}</b> users in {appName}: {formatNumber(data.counts.new)} new ·{' '}
              {formatNumber(data.counts.exists)} exist · {formatNumber(data.counts.invalid)} invalid.{' '}
              <Text span c="dimmed">
                Read {formatDateTime(data.snapshot.createdAt)}.
              </Text>
            </Text>
            <Button variant="default" size="xs" onClick={refresh} loading={refreshing}>
              Read the list again
            </Button>
          </Group>
          <Group mb="sm" align="flex-end" wrap="wrap">
            <TextInput
              label="Search"
              placeholder="User name, name or email"
              type="search"
              value={search}
              onChange={(e) => setSearch(e.currentTarget.value)}
              w={{ base: '100%', sm: 280 }}
            />
            <div>
              <Text size="sm" fw={500} id="status-filter" mb={2}>
                Status
              </Text>
              <SegmentedControl
                aria-labelledby="status-filter"
                value={s.status}
                onChange={(status) => set({ status })}
                data={[
                  { value: '', label: 'All' },
                  { value: 'new', label: `New (${formatNumber(data.counts.new)})` },
                  { value: 'exists', label: `Exists (${formatNumber(data.counts.exists)})` },
                  { value: 'invalid', label: `Invalid (${formatNumber(data.counts.invalid)})` },
                ]}
              />
            </div>
          </Group>
          <SelectionBar
            selection={selection}
            matching={matching}
            newCount={newMatching}
            searching={Boolean(s.q)}
            busy={selecting || run.isPending}
            importing={run.isPending}
            onSelectAll={selectAll}
            onSelectAllNew={selectAllNew}
            onClear={() => setSelection(emptySelection())}
            onImport={() => run.mutate()}
          />
          <ErrorAlert error={selectionError} title="Could not change the selection" />
          <ErrorAlert error={preview.error} title="Could not load this page" />
          <PreviewTable
            items={data.items}
            sort={s}
            onSort={(sort, order) => set({ sort, order })}
            isSelected={(u) => isSelected(selection, u)}
            onToggle={(u, on) => toggle([u], on)}
            onTogglePage={(on) => toggle(data.items, on)}
            busy={preview.isFetching}
            filtered={Boolean(s.q || s.status)}
          />
          <Pager pager={pager} nextCursor={data.nextCursor} shown={data.items.length} pageSize={PAGE} total={data.total} label="users" />
        </>
      ) : null}
    </>
  );
}
