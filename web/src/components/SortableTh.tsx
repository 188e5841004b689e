// Column headers that sort on the server: a real button (keyboard), and aria-sort for screen readers.
import { Table, UnstyledButton } from '@mantine/core';
import type { ReactNode } from 'react';

export interface SortState {
  sort: string;
  order: string;
}

export function SortableTh({
  field,
  state,
  onSort,
  children,
}: {
  field: string;
  state: SortState;
  onSort: (sort: string, order: 'asc' | 'desc') => void;
  children: ReactNode;
}) {
  const active = state.sort === field;
  const order = active ? state.order : undefined;
  const arrow = order === 'asc' ? ' ▲' : order === 'desc' ? ' ▼' : '';
  return (
    <Table.Th aria-sort={order === 'asc' ? 'ascending' : order === 'desc' ? 'descending' : 'none'}>
      <UnstyledButton
        fw={700}
        fz="sm"
        onClick={() => onSort(field, active && order === 'asc' ? 'desc' : 'asc')}
        title={`Sort by ${typeof children === 'string' ? children.toLowerCase() : field}`}
      >
        {children}
        <span aria-hidden="true">{arrow}</span>
      </UnstyledButton>
    </Table.Th>
  );
}
