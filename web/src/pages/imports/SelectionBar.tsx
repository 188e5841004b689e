import { Button, Group, Paper, Text } from '@mantine/core';
import { formatNumber, plural } from '../../lib/format.ts';
import { notNewCount, selectedCount, SYNC_LIMIT, type Selection } from './selection.ts';

export function SelectionBar({
  selection,
  matching,
  newCount,
  searching,
  busy,
  importing,
  onSelectAll,
  onSelectAllNew,
  onClear,
  onImport,
  estimate,
}: {
  selection: Selection;
  matching: number;
  newCount: number;
  searching: boolean;
  busy: boolean;
  importing: boolean;
  onSelectAll: () => void;
  onSelectAllNew: () => void;
  onClear: () => void;
  onImport: () => void;
  /** What importing all users takes (the preview's estimate), said next to the button. */
  estimate?: string;
}) {
  const n = selectedCount(selection);
  const skipped = notNewCount(selection);
  return (
    <Paper withBorder p="sm" mb="sm" pos="sticky" top={60} style={{ zIndex: 2 }}>
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="xs" wrap="wrap">
          <Text fw={600} aria-live="polite">
            {selection.kind === 'allNew'
              ? `All ${plural(n, 'new user')} selected`
              : n === 0
                ? 'No user selected'
                : `${plural(n, 'user')} selected`}
          </Text>
          {skipped > 0 && (
            <Text size="sm" c="dimmed">
              ({formatNumber(skipped)} not new: they will be skipped or fail)
            </Text>
          )}
          <Button size="xs" variant="default" onClick={onSelectAll} disabled={busy || matching === 0}>
            Select all{searching ? ' matching' : ''} ({formatNumber(matching)})
          </Button>
          <Button size="xs" variant="default" onClick={onSelectAllNew} disabled={busy || newCount === 0}>
            Select all new{searching ? ' matching' : ''} ({formatNumber(newCount)})
          </Button>
          {n > 0 && (
            <Button size="xs" variant="subtle" onClick={onClear} disabled={busy}>
              Clear selection
            </Button>
          )}
        </Group>
        <Group gap="xs">
          {estimate && (
            <Text size="xs" c="dimmed" data-testid="import-estimate">
              Importing all: {estimate}
            </Text>
          )}
          {n >= SYNC_LIMIT && (
            <Text size="xs" c="dimmed">
              Runs in the background; results by email
            </Text>
          )}
          <Button onClick={onImport} disabled={n === 0 || busy} loading={importing}>
            Import {n > 0 ? plural(n, 'user') : ''}
          </Button>
        </Group>
      </Group>
    </Paper>
  );
}
