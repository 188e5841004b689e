// Pieces of the editors of a list of rows (addresses, phone numbers, extra headers): remove one row,
// the list's error and its Add button.
import { Button, Group, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** The list with row i changed. */
export const patchAt = <T,>(rows: T[], i: number, patch: Partial<T>): T[] => rows.map((r, j) => (j === i ? { ...r, ...patch } : r));

/** The list without row i. */
export const withoutAt = <T,>(rows: T[], i: number): T[] => rows.filter((_, j) => j !== i);

export function RemoveRowButton(props: { ariaLabel: string; onClick: () => void; children: ReactNode; mb?: number }) {
  return (
    <Button variant="subtle" color="red" size="xs" mb={props.mb} onClick={props.onClick} aria-label={props.ariaLabel}>
      {props.children}
    </Button>
  );
}

interface RowsFooterProps {
  error?: string;
  /** Whether the error is announced as it appears. */
  alert?: boolean;
  canAdd: boolean;
  addLabel: string;
  onAdd: () => void;
}

export function RowsFooter({ error, alert, canAdd, addLabel, onAdd }: RowsFooterProps) {
  return (
    <>
      {error && (
        <Text c="red" size="sm" role={alert ? 'alert' : undefined}>
          {error}
        </Text>
      )}
      {canAdd && (
        <Group>
          <Button variant="default" size="xs" onClick={onAdd}>
            {addLabel}
          </Button>
        </Group>
      )}
    </>
  );
}
