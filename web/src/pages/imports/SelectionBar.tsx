import { Button, Group, Paper, Text } from '@mantine/core';
import { formatNumber, plural } from '../../lib/format.ts';
import { invalidCount, selectedCount, SYNC_LIMIT, type Selection } from './selection.ts';

interface StartProps {
  busy: boolean;
  importing: boolean;
  onImport: () => void;
  /** What the run will do, on the button ("Import 20 users: create 12, link 3, update 5"). */
  startLabel: string;
  /** Why the run cannot start yet (e.g. updates asked for without a field). */
  blocked?: string;
  /** What importing all users takes (the preview's estimate), said next to the button. */
  estimate?: string;
}

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
  startLabel,
  blocked,
  estimate,
}: {
  selection: Selection;
  matching: number;
  newCount: number;
  searching: boolean;
  busy: boolean;
  onSelectAll: () => void;
  onSelectAllNew: () => void;
  onClear: () => void;
} & StartProps) {
  const n = selectedCount(selection);
  const invalid = invalidCount(selection);
  return (
    <Paper withBorder p="sm" mb="sm" pos="sticky" top={60} style={{ zIndex: 2 }}>
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="xs" wrap="wrap">
          <Text fw={600} aria-live="polite">
            {selection.kind === 'allNew'
              ? selection.excluded.size
                ? `All new users but ${formatNumber(selection.excluded.size)} selected (${formatNumber(n)})`
                : `All ${plural(n, 'new user')} selected`
              : n === 0
                ? 'No user selected'
                : `${plural(n, 'user')} selected`}
          </Text>
          {invalid > 0 && (
            <Text size="sm" c="dimmed">
              ({formatNumber(invalid)} invalid: they will fail)
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
        <StartButton
          n={n}
          busy={busy}
          importing={importing}
          onImport={onImport}
          startLabel={startLabel}
          blocked={blocked}
          estimate={estimate}
        />
      </Group>
    </Paper>
  );
}

function StartButton({ n, busy, importing, onImport, startLabel, blocked, estimate }: StartProps & { n: number }) {
  return (
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
      {blocked && (
        <Text size="xs" c="red">
          {blocked}
        </Text>
      )}
      <Button onClick={onImport} disabled={n === 0 || busy || Boolean(blocked)} loading={importing}>
        {startLabel}
      </Button>
    </Group>
  );
}
