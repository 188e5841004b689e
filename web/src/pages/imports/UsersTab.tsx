// The import's users tab: the application's users (read over SCIM once, then searched and sorted by
// Roster) as new, exists, conflict or invalid; pick some or all, say what happens to the users Roster
// has, import. Small imports answer with their results; big ones run in the background.
import { Button, Group, Progress, SegmentedControl, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { importRunKeys, userKeys } from '../../api/keys.ts';
import { useMe } from '../../api/session.ts';
import type { PreviewPage } from '../../api/types.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Pager } from '../../components/Pager.tsx';
import { SearchInput } from '../../components/SearchInput.tsx';
import { formatDateTime, formatNumber } from '../../lib/format.ts';
import { ImportOutcome, type ImportResponse } from './ImportOutcome.tsx';
import { PreviewTable } from './PreviewTable.tsx';
import { SelectionBar } from './SelectionBar.tsx';
import { importApi } from './api.ts';
import { RunOptions } from './RunOptions.tsx';
import { jobBody, startLabel, useRunChoice, type RunChoiceState } from './runChoice.ts';
import { isSelected } from './selection.ts';
import { useImportSelection } from './useImportSelection.ts';
import { PREVIEW_PAGE, previewFilter, usePreview } from './usePreview.ts';

export function UsersTab({ id, appName }: { id: string; appName: string }) {
  const { data: me } = useMe();
  const queryClient = useQueryClient();
  const list = usePreview(id);
  const { s, preview } = list;
  const page = preview.data;
  const picked = useImportSelection(id, { filter: previewFilter(s), page, matching: list.matching, newMatching: list.newMatching });
  const choice = useRunChoice();
  const [outcome, setOutcome] = useState<ImportResponse | null>(null);
  const refresh = () => void list.refresh().catch(picked.setError);
  const run = useMutation({
    mutationFn: () => importApi.startUsers(id, jobBody(picked.selection, choice.choice)),
    onSuccess: async (res) => {
      setOutcome(res);
      picked.clear();
      void queryClient.invalidateQueries({ queryKey: importRunKeys.all });
      void queryClient.invalidateQueries({ queryKey: userKeys.all });
      // Imported users now exist: read the list again so their badges say so.
      if ('results' in res.run && !res.run.dryRun) await refresh();
    },
  });
  return (
    <>
      {outcome && (
        <div style={{ marginBottom: 16 }}>
          <ImportOutcome response={outcome} email={me?.admin?.email ?? me?.actor.email} onDismiss={() => setOutcome(null)} />
        </div>
      )}
      <ErrorAlert error={run.error} title="The import did not start" />
      {preview.isPending ? (
        <Loading label={`Reading the users of ${appName} over SCIM… large applications take a while.`} />
      ) : preview.error && !page ? (
        <>
          <ErrorAlert error={preview.error} title={`Could not read the users of ${appName}`} />
          <Button mt="sm" variant="default" onClick={() => void preview.refetch()}>
            Try again
          </Button>
        </>
      ) : page ? (
        <PreviewList list={list} page={page} picked={picked} appName={appName} onRefresh={refresh} run={run} choice={choice} />
      ) : null}
    </>
  );
}

interface PreviewListProps {
  list: ReturnType<typeof usePreview>;
  page: PreviewPage;
  picked: ReturnType<typeof useImportSelection>;
  appName: string;
  onRefresh: () => void;
  run: { isPending: boolean; mutate: () => void };
  choice: RunChoiceState;
}

/** The list of the application's users: counts, filters, the selection and the table. */
function PreviewList({ list, page, picked, appName, onRefresh: refresh, run, choice }: PreviewListProps) {
  const { s, preview } = list;
  const blocked = choice.choice.mode === 'update' && choice.choice.fields.size === 0 ? 'Choose at least one field to update' : undefined;
  return (
    <>
      <PreviewSummary page={page} appName={appName} onRefresh={refresh} refreshing={list.refreshing} />
      <PreviewFilters list={list} page={page} />
      <RunOptions state={choice} />
      <SelectionBar
        selection={picked.selection}
        matching={list.matching}
        newCount={list.newMatching}
        searching={Boolean(s.q)}
        busy={picked.selecting || run.isPending}
        importing={run.isPending}
        onSelectAll={picked.selectAll}
        onSelectAllNew={picked.selectAllNew}
        onClear={picked.clear}
        onImport={() => run.mutate()}
        startLabel={startLabel(picked.selection, choice.choice)}
        blocked={blocked}
        estimate={page.estimate.text}
      />
      <ErrorAlert error={picked.error} title="Could not change the selection" />
      {list.reading && preview.error ? (
        // The read failed part way (the page shown is what was read before).
        <>
          <ErrorAlert error={preview.error} title={`Could not read the users of ${appName}`} />
          <Button mt="xs" mb="sm" variant="default" onClick={refresh} loading={list.refreshing}>
            Try again
          </Button>
        </>
      ) : (
        <ErrorAlert error={preview.error} title="Could not load this page" />
      )}
      <PreviewTable
        items={page.items}
        sort={s}
        onSort={(sort, order) => list.set({ sort, order })}
        isSelected={(u) => isSelected(picked.selection, u)}
        onToggle={(u, on) => picked.toggle([u], on)}
        onTogglePage={(on) => picked.toggle(page.items, on)}
        busy={preview.isFetching}
        filtered={Boolean(s.q || s.status)}
        choice={choice}
      />
      <Pager
        pager={list.pager}
        nextCursor={page.nextCursor}
        shown={page.items.length}
        pageSize={PREVIEW_PAGE}
        total={page.total}
        label="users"
      />
    </>
  );
}

function PreviewSummary(props: { page: PreviewPage; appName: string; onRefresh: () => void; refreshing: boolean }) {
  const { page, appName } = props;
  const { snapshot, counts } = page;
  const conflict = counts.conflict;
  const split =
    `${formatNumber(counts.new)} new · ${formatNumber(counts.exists)} exist · ` +
    `${conflict ? `${formatNumber(conflict)} in conflict · ` : ''}${formatNumber(counts.invalid)} invalid`;
  return (
    <Stack gap={6} mb="sm">
      <Group justify="space-between" wrap="wrap">
        <Text size="sm">
          <b>{formatNumber(snapshot.total)}</b> users in {appName}: {split}
          {page.complete ? '. ' : ' so far. '}
          <Text span c="dimmed">
            {page.complete ? `Read ${formatDateTime(snapshot.createdAt)}.` : 'Users listed twice are marked once the whole list is read.'}
          </Text>
        </Text>
        <Button variant="default" size="xs" onClick={props.onRefresh} loading={props.refreshing} disabled={snapshot.status === 'reading'}>
          Read the list again
        </Button>
      </Group>
      {snapshot.status === 'reading' && <ReadProgress read={snapshot.read} total={snapshot.total} />}
    </Stack>
  );
}

/** How far the application's list has been read: the page and counts above are of these users. */
function ReadProgress({ read, total }: { read: number; total: number }) {
  const percent = total ? Math.min(100, Math.round((read / total) * 100)) : 0;
  return (
    <div>
      <Text size="xs" c="dimmed" aria-live="polite" mb={4}>
        Read {formatNumber(read)} of {formatNumber(total)} users…
      </Text>
      <Progress value={percent} size="md" animated striped aria-label="Users read" />
    </div>
  );
}

function PreviewFilters({ list, page }: { list: ReturnType<typeof usePreview>; page: PreviewPage }) {
  return (
    <Group mb="sm" align="flex-end" wrap="wrap">
      <SearchInput label="Search" placeholder="User name, name or email" value={list.search} onSearch={list.setSearch} />
      <div>
        <Text size="sm" fw={500} id="status-filter" mb={2}>
          Status
        </Text>
        <SegmentedControl
          aria-labelledby="status-filter"
          value={list.s.status}
          onChange={(status) => list.set({ status })}
          data={[
            { value: '', label: 'All' },
            { value: 'new', label: `New (${formatNumber(page.counts.new)})` },
            { value: 'exists', label: `Exists (${formatNumber(page.counts.exists)})` },
            { value: 'conflict', label: `Conflict (${formatNumber(page.counts.conflict)})` },
            { value: 'invalid', label: `Invalid (${formatNumber(page.counts.invalid)})` },
          ]}
        />
      </div>
    </Group>
  );
}
