// The portal's list table: a header row, one row per item, and an EmptyRow when there is nothing.
import { Anchor, Table, type TableTrProps } from '@mantine/core';
import { Fragment, type ReactNode } from 'react';
import { Link } from 'react-router';
import { EmptyRow } from './EmptyRow.tsx';

export interface ListColumn<T> {
  header: ReactNode;
  cell: (item: T) => ReactNode;
  /** A header cell of its own (a sortable one) in place of a plain one showing `header`. */
  th?: ReactNode;
}

/** A column whose cell links to the item's own page. */
export function linkColumn<T>(header: string, to: (item: T) => string, text: (item: T) => ReactNode, fw?: number): ListColumn<T> {
  return {
    header,
    cell: (item) => (
      <Anchor component={Link} to={to(item)} fw={fw}>
        {text(item)}
      </Anchor>
    ),
  };
}

/** The header of a column of buttons: read by screen readers, not shown. */
export const ACTIONS_HEADER = <span className="visually-hidden">Actions</span>;

type EmptyState = { title: string; hint?: ReactNode };

/** A table's body: the rows of each item, or an EmptyRow when there are none. */
export function ListBody<T>(props: { items: T[]; colSpan: number; empty?: EmptyState; children: (item: T) => ReactNode }) {
  const { items, empty } = props;
  return (
    <Table.Tbody>
      {items.length === 0 && empty && <EmptyRow colSpan={props.colSpan} title={empty.title} hint={empty.hint} />}
      {items.map((item) => props.children(item))}
    </Table.Tbody>
  );
}

export interface ListTableProps<T> {
  label: string;
  minWidth: number;
  columns: ListColumn<T>[];
  items: T[];
  /** The row shown when there are no items (none when left out). */
  empty?: EmptyState;
  highlightOnHover?: boolean;
  /** Older data shown while the next page loads: faded. */
  stale?: boolean;
  busy?: boolean;
  rowProps?: (item: T) => TableTrProps;
}

export function ListTable<T extends { id: string }>(props: ListTableProps<T>) {
  const { columns, items, empty } = props;
  return (
    <Table.ScrollContainer minWidth={props.minWidth}>
      <Table
        striped
        highlightOnHover={props.highlightOnHover}
        aria-label={props.label}
        aria-busy={props.busy}
        style={props.stale === undefined ? undefined : { opacity: props.stale ? 0.6 : 1 }}
      >
        <Table.Thead>
          <Table.Tr>
            {columns.map((c, i) => (
              <Fragment key={i}>{c.th ?? <Table.Th>{c.header}</Table.Th>}</Fragment>
            ))}
          </Table.Tr>
        </Table.Thead>
        <ListBody items={items} colSpan={columns.length} empty={empty}>
          {(item) => (
            <Table.Tr key={item.id} {...props.rowProps?.(item)}>
              {columns.map((c, i) => (
                <Table.Td key={i}>{c.cell(item)}</Table.Td>
              ))}
            </Table.Tr>
          )}
        </ListBody>
      </Table>
    </Table.ScrollContainer>
  );
}
