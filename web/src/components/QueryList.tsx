// A list read by one query: its error, "Loading…" until the first answer, then the items and, on
// keyset lists, the pager under them.
import type { ReactNode } from 'react';
import { ErrorAlert } from './ErrorAlert.tsx';
import { ListTable, type ListTableProps } from './ListTable.tsx';
import { Loading } from './Loading.tsx';
import { Pager, type PagerProps } from './Pager.tsx';

/** What the component reads of a query (TanStack Query's result fits it). */
interface ListQuery<T> {
  data: { items: T[]; nextCursor?: string | null; total?: number } | undefined;
  error: unknown;
  isPending: boolean;
}

interface QueryListProps<T> {
  query: ListQuery<T>;
  errorTitle: string;
  loadingLabel?: string;
  /** The pager under the items; the page's cursor, count and total come from the query. */
  paging?: Omit<PagerProps, 'nextCursor' | 'shown' | 'total'>;
  children: (items: T[]) => ReactNode;
}

export function QueryList<T>({ query, errorTitle, loadingLabel, paging, children }: QueryListProps<T>) {
  const items = query.data?.items ?? [];
  return (
    <>
      <ErrorAlert error={query.error} title={errorTitle} />
      {query.isPending ? (
        <Loading label={loadingLabel} />
      ) : (
        <>
          {children(items)}
          {paging && <Pager {...paging} nextCursor={query.data?.nextCursor} shown={items.length} total={query.data?.total} />}
        </>
      )}
    </>
  );
}

/** A QueryList whose items are shown in a ListTable. */
export function QueryTable<T extends { id: string }>({
  query,
  errorTitle,
  paging,
  ...table
}: Omit<QueryListProps<T>, 'children' | 'loadingLabel'> & Omit<ListTableProps<T>, 'items'>) {
  return (
    <QueryList query={query} errorTitle={errorTitle} paging={paging}>
      {(items) => <ListTable {...table} items={items} />}
    </QueryList>
  );
}
