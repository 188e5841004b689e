// Extra HTTP headers sent to the application. Their values may be secrets, so stored ones are
// listed by name only, and editing replaces the whole set.
import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import type { HeaderRow } from './idmForm.ts';

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
  const update = (i: number, patch: Partial<HeaderRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
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
            <Button
              variant="subtle"
              color="red"
              size="xs"
              mb={4}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
              aria-label={`Remove header ${i + 1}`}
            >
              Remove
            </Button>
          )}
        </Group>
      ))}
      {error && (
        <Text c="red" size="sm">
          {error}
        </Text>
      )}
      {!readOnly && rows.length < 20 && (
        <Group>
          <Button variant="default" size="xs" onClick={() => onChange([...rows, { name: '', value: '' }])}>
            Add header
          </Button>
        </Group>
      )}
    </Stack>
  );
}
