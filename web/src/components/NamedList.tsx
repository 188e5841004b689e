// The list screen shared by groups and applications: search by name, keyset pages, create.
import { Button, Text } from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { useCanWrite } from '../api/session.ts';
import type { Page } from '../api/types.ts';
import { useKeysetPager } from '../lib/keyset.ts';
import { useUrlState } from '../lib/url-state.ts';
import { linkColumn, type ListColumn } from './ListTable.tsx';
import { NameDescriptionModal, type NameDescription } from './NameDescriptionModal.tsx';
import { PageHeader } from './PageHeader.tsx';
import { QueryTable } from './QueryList.tsx';
import { SearchInput } from './SearchInput.tsx';

/** Where a named list reads and creates its items. */
export interface NamedResource<T> {
  /** The portal's route of the list; an item's page is /<route>/<id>. */
  route: string;
  keys: { all: readonly unknown[]; list: (params: Record<string, unknown>, cursor: string | undefined) => readonly unknown[] };
  list: (query: { q: string; limit: number; cursor?: string }, signal: AbortSignal) => Promise<Page<T>>;
  create: (v: NameDescription) => Promise<T>;
}

export type Column<T> = ListColumn<T>;

type Named = { id: string; name: string; description: string };

function namedColumns<T extends Named>(route: string): Column<T>[] {
  return [
    linkColumn(
      'Name',
      (item) => `/${route}/${item.id}`,
      (item) => item.name,
      500,
    ),
    {
      header: 'Description',
      cell: (item) => (
        <Text size="sm" lineClamp={2}>
          {item.description}
        </Text>
      ),
    },
  ];
}

/** The search box's text, kept in the URL once the typing settles, and the page of items it finds. */
function useNamedQuery<T extends Named>(resource: NamedResource<T>) {
  const [s, set] = useUrlState({ q: '', limit: '50' });
  const [search, setSearch] = useState(s.q);
  const [debounced] = useDebouncedValue(search.trim(), 300);
  useEffect(() => {
    if (debounced !== s.q) set({ q: debounced });
  }, [debounced, s.q, set]);
  const pager = useKeysetPager(JSON.stringify(s));
  const query = useQuery({
    queryKey: resource.keys.list(s, pager.cursor),
    queryFn: ({ signal }) => resource.list({ q: s.q, limit: Number(s.limit), cursor: pager.cursor }, signal),
    placeholderData: keepPreviousData,
  });
  return { s, search, setSearch, pager, query };
}

/** Creates an item, then opens its page. */
function useCreateNamed<T extends Named>(resource: NamedResource<T>, close: () => void) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: resource.create,
    onSuccess: (item) => {
      void queryClient.invalidateQueries({ queryKey: resource.keys.all });
      close();
      void navigate(`/${resource.route}/${item.id}`);
    },
  });
}

/** Saves an item's name and description: its page shows the answer, the lists are read again. */
export function useSaveNamed<T extends Named>(
  keys: { lists: () => readonly unknown[]; detail: (id: string) => readonly unknown[] },
  id: string,
  save: (v: NameDescription) => Promise<T>,
  onSaved?: () => void,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: save,
    onSuccess: (item) => {
      queryClient.setQueryData(keys.detail(id), item);
      void queryClient.invalidateQueries({ queryKey: keys.lists() });
      onSaved?.();
    },
  });
}

/** Deletes an item, then goes back to its list (the item's page is gone). */
export function useDeleteNamed(route: string, keys: { all: readonly unknown[] }, remove: () => Promise<unknown>) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return async () => {
    await remove();
    void queryClient.invalidateQueries({ queryKey: keys.all });
    void navigate(`/${route}`, { replace: true });
  };
}

/** The "New …" button and its dialog. */
function NewNamed<T extends Named>({ noun, resource }: { noun: string; resource: NamedResource<T> }) {
  const [opened, { open, close }] = useDisclosure(false);
  const create = useCreateNamed(resource, close);
  return (
    <>
      <Button
        onClick={() => {
          create.reset();
          open();
        }}
      >
        New {noun}
      </Button>
      <NameDescriptionModal
        opened={opened}
        onClose={close}
        title={`New ${noun}`}
        submitLabel={`Create ${noun}`}
        onSubmit={(v) => create.mutate(v)}
        busy={create.isPending}
        error={create.error}
      />
    </>
  );
}

export function NamedList<T extends Named>({
  title,
  noun,
  resource,
  columns,
  emptyHint,
}: {
  title: string;
  noun: string;
  resource: NamedResource<T>;
  columns: Column<T>[];
  emptyHint: string;
}) {
  const { s, search, setSearch, pager, query } = useNamedQuery(resource);
  const canWrite = useCanWrite();
  return (
    <>
      <PageHeader title={title} actions={canWrite && <NewNamed noun={noun} resource={resource} />} />
      <SearchInput label="Search by name" value={search} onSearch={setSearch} mb="sm" />
      <QueryTable
        query={query}
        errorTitle={`Could not load the ${noun}s`}
        paging={{ pager, pageSize: Number(s.limit), label: `${noun}s` }}
        label={title}
        minWidth={560}
        highlightOnHover
        stale={query.isPlaceholderData}
        columns={[...namedColumns<T>(resource.route), ...columns]}
        empty={s.q ? { title: `No ${noun} matches “${s.q}”`, hint: 'Try another search.' } : { title: `No ${noun}s yet`, hint: emptyHint }}
      />
    </>
  );
}
