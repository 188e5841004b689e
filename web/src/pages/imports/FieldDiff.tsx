// A matched user's per-field diff: each field whose remote value differs, the directory's value and the
// application's, and a checkbox to take it (the run's choice of fields, shared by every user).
import { Checkbox, Table, Text } from '@mantine/core';
import type { Change, UpdatableField } from './api.ts';

/** A field's value as text: strings as they are, lists and objects compactly, nothing as a dash. */
export function showValue(v: unknown): string {
  if (v === undefined || v === null || v === '') return '—';
  if (typeof v === 'string') return v;
  if (Array.isArray(v))
    return v.map((x) => (typeof x === 'object' && x ? Object.values(x).filter(Boolean).join(' ') : String(x))).join('; ');
  return JSON.stringify(v);
}

export function FieldDiff(props: {
  who: string;
  changes: Change[];
  chosen: ReadonlySet<UpdatableField>;
  updating: boolean;
  onToggle: (field: UpdatableField, on: boolean) => void;
}) {
  const { changes, chosen, updating } = props;
  return (
    <Table withTableBorder withColumnBorders aria-label={`Changes of ${props.who}`} fz="sm" maw={820}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={60}>Take</Table.Th>
          <Table.Th>Field</Table.Th>
          <Table.Th>In Roster</Table.Th>
          <Table.Th>In the application</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {changes.map((c) => {
          const taken = updating && chosen.has(c.field);
          return (
            <Table.Tr key={c.field} data-field={c.field}>
              <Table.Td>
                <Checkbox
                  aria-label={`Take ${c.field}`}
                  checked={taken}
                  onChange={(e) => props.onToggle(c.field, e.currentTarget.checked)}
                />
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {c.field}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" td={taken ? 'line-through' : undefined} c={taken ? 'dimmed' : undefined}>
                  {showValue(c.current)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" fw={taken ? 600 : undefined}>
                  {showValue(c.remote)}
                </Text>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
