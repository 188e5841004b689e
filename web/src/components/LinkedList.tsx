// What is linked to one item, a page at a time (a group's members, an application's user groups):
// admins who may write get a search box that links one more and a button on each row that unlinks it.
import { Group as Row } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useCanWrite } from '../api/session.ts';
import type { Page } from '../api/types.ts';
import { useKeysetPager } from '../lib/keyset.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { ACTIONS_HEADER, type ListColumn, type ListTableProps } from './ListTable.tsx';
import { QueryTable } from './QueryList.tsx';
import { type Searchable, SearchPicker, type SearchPickerProps } from './SearchPicker.tsx';

const PAGE = 50;

interface LinkedListProps<T extends { id: string }, R extends keyof Searchable> {
  /** The item the others are linked to: a new one starts again from the first page. */
  ownerId: string;
  queryKey: (cursor: string | undefined) => readonly unknown[];
  list: (page: { limit: number; cursor: string | undefined }, signal: AbortSignal) => Promise<Page<T>>;
  link: (picked: Searchable[R]) => Promise<unknown>;
  unlink: (item: T) => Promise<unknown>;
  /** The queries that a link or an unlink makes stale. */
  changes: (readonly unknown[])[];
  picker: Omit<SearchPickerProps<R>, 'onPick' | 'exclude' | 'disabled'>;
  linkErrorTitle: string;
  columns: ListColumn<T>[];
  /** The confirmed unlink of one row. */
  unlinkButton: (item: T, unlink: (item: T) => Promise<void>) => ReactNode;
  table: Pick<ListTableProps<T>, 'label' | 'minWidth' | 'empty'> & { errorTitle: string; pagerLabel: string };
}

export function LinkedList<T extends { id: string }, R extends keyof Searchable>(props: LinkedListProps<T, R>) {
  const { columns, table } = props;
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const pager = useKeysetPager(props.ownerId);
  const query = useQuery({
    queryKey: props.queryKey(pager.cursor),
    queryFn: ({ signal }) => props.list({ limit: PAGE, cursor: pager.cursor }, signal),
    placeholderData: keepPreviousData,
  });
  const changed = () => {
    for (const queryKey of props.changes) void queryClient.invalidateQueries({ queryKey });
  };
  const link = useMutation({ mutationFn: props.link, onSuccess: changed });
  const unlink = async (item: T) => {
    await props.unlink(item);
    changed();
  };
  const items = query.data?.items ?? [];
  return (
    <>
      {canWrite && (
        <Row mb="sm" align="flex-end">
          <SearchPicker<R>
            {...props.picker}
            onPick={(picked) => link.mutate(picked)}
            exclude={new Set(items.map((i) => i.id))}
            disabled={link.isPending}
          />
        </Row>
      )}
      <ErrorAlert error={link.error} title={props.linkErrorTitle} />
      <QueryTable
        query={query}
        errorTitle={table.errorTitle}
        paging={{ pager, pageSize: PAGE, label: table.pagerLabel }}
        label={table.label}
        minWidth={table.minWidth}
        columns={canWrite ? [...columns, { header: ACTIONS_HEADER, cell: (item) => props.unlinkButton(item, unlink) }] : columns}
        empty={table.empty}
      />
    </>
  );
}
