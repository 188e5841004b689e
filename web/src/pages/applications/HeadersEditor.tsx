// Extra HTTP headers sent to the application. Their values may be secrets, so stored ones are
// listed by name only, and editing replaces the whole set.
import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import type { HeaderRow } from './idmForm.ts';
import { patchAt, RemoveRowButton, RowsFooter, withoutAt } from '../../components/RowsEditor.tsx';

export function HeadersEditor({
  storedNames,
  replacing,
  rows,
  onChange,
  onReplace,
  error,
  readOnly,
}: {
  storedNames: string[];
  replacing: boolean;
  rows: HeaderRow[];
  onChange: (rows: HeaderRow[]) => void;
  onReplace: () => void;
  error?: string;
  readOnly?: boolean;
}) {
  if (storedNames.length > 0 && !replacing) {
    return (
      <Group gap="xs">
        <Text size="sm">Stored: {storedNames.join(', ')} (values hidden)</Text>
        {!readOnly && (
          <Button size="compact-sm" variant="default" onClick={onReplace}>
            Replace headers
          </Button>
        )}
      </Group>
    );
  }
  const update = (i: number, patch: Partial<HeaderRow>) => onChange(patchAt(rows, i, patch));
  return (
    <Stack gap="xs">
      {rows.length === 0 && (
        <Text size="sm" c="dimmed">
          {replacing ? 'Saving with no rows removes every extra header.' : 'No extra headers.'}
        </Text>
      )}
      {rows.map((r, i) => (
        <Group key={i} align="flex-end" wrap="wrap" gap="sm">
          <TextInput
            label={`Header ${i + 1} name`}
            placeholder="X-Tenant"
            value={r.name}
            onChange={(e) => update(i, { name: e.currentTarget.value })}
            readOnly={readOnly}
          />
          <TextInput
            label={`Header ${i + 1} value`}
            value={r.value}
            onChange={(e) => update(i, { value: e.currentTarget.value })}
            readOnly={readOnly}
            style={{ flex: 1, minWidth: 200 }}
          />
          {!readOnly && (
            <RemoveRowButton mb={4} onClick={() => onChange(withoutAt(rows, i))} ariaLabel={`Remove header ${i + 1}`}>
              Remove
            </RemoveRowButton>
          )}
        </Group>
      ))}
      <RowsFooter
        error={error}
        canAdd={!readOnly && rows.length < 20}
        addLabel="Add header"
        onAdd={() => onChange([...rows, { name: '', value: '' }])}
      />
    </Stack>
  );
}
