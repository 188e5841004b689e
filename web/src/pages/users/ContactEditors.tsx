// Addresses and phone numbers, each typed work or home.
import { Fieldset, Group, NativeSelect, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import type { Address, ContactType, PhoneNumber } from '../../api/types.ts';
import { patchAt, RemoveRowButton, RowsFooter, withoutAt } from '../../components/RowsEditor.tsx';
import { emptyAddress, emptyPhone } from './userForm.ts';

const TYPES = [
  { value: 'work', label: 'Work' },
  { value: 'home', label: 'Home' },
];

/** A new row is work unless there is a work one already. */
const nextType = (rows: { type: ContactType }[]): ContactType => (rows.some((r) => r.type === 'work') ? 'home' : 'work');

const ADDRESS_FIELDS: [keyof Address, string][] = [
  ['streetAddress', 'Street'],
  ['extendedAddress', 'Extended address'],
  ['poBox', 'PO box'],
  ['locality', 'City'],
  ['region', 'Region'],
  ['postalCode', 'Postal code'],
  ['country', 'Country'],
];

export function AddressesEditor({
  value,
  onChange,
  error,
  readOnly,
}: {
  value: Address[];
  onChange: (v: Address[]) => void;
  error?: string;
  readOnly?: boolean;
}) {
  const update = (i: number, patch: Partial<Address>) => onChange(patchAt(value, i, patch));
  return (
    <Stack gap="sm">
      {value.length === 0 && (
        <Text c="dimmed" size="sm">
          No addresses.
        </Text>
      )}
      {value.map((a, i) => (
        <Fieldset key={i} legend={`Address ${i + 1} (${a.type})`} variant="filled">
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
            <NativeSelect
              label="Type"
              data={TYPES}
              value={a.type}
              disabled={readOnly}
              onChange={(e) => update(i, { type: e.currentTarget.value as ContactType })}
            />
            {ADDRESS_FIELDS.map(([k, label]) => (
              <TextInput
                key={k}
                label={label}
                value={(a[k] as string | undefined) ?? ''}
                readOnly={readOnly}
                onChange={(e) => update(i, { [k]: e.currentTarget.value })}
              />
            ))}
          </SimpleGrid>
          {!readOnly && (
            <Group justify="flex-end" mt="sm">
              <RemoveRowButton onClick={() => onChange(withoutAt(value, i))} ariaLabel={`Remove address ${i + 1}`}>
                Remove address
              </RemoveRowButton>
            </Group>
          )}
        </Fieldset>
      ))}
      <RowsFooter
        error={error}
        alert
        canAdd={!readOnly && value.length < 10}
        addLabel="Add address"
        onAdd={() => onChange([...value, emptyAddress(nextType(value))])}
      />
    </Stack>
  );
}

export function PhoneNumbersEditor({
  value,
  onChange,
  error,
  readOnly,
}: {
  value: PhoneNumber[];
  onChange: (v: PhoneNumber[]) => void;
  error?: string;
  readOnly?: boolean;
}) {
  const update = (i: number, patch: Partial<PhoneNumber>) => onChange(patchAt(value, i, patch));
  return (
    <Stack gap="xs">
      {value.length === 0 && (
        <Text c="dimmed" size="sm">
          No phone numbers.
        </Text>
      )}
      {value.map((p, i) => (
        <Group key={i} align="flex-end" wrap="wrap" gap="sm">
          <NativeSelect
            label={`Phone ${i + 1} type`}
            data={TYPES}
            value={p.type}
            disabled={readOnly}
            onChange={(e) => update(i, { type: e.currentTarget.value as ContactType })}
          />
          <TextInput
            label={`Phone ${i + 1} number`}
            value={p.number}
            readOnly={readOnly}
            onChange={(e) => update(i, { number: e.currentTarget.value })}
            style={{ flex: 1, minWidth: 180 }}
          />
          {!readOnly && (
            <RemoveRowButton mb={4} onClick={() => onChange(withoutAt(value, i))} ariaLabel={`Remove phone number ${i + 1}`}>
              Remove
            </RemoveRowButton>
          )}
        </Group>
      ))}
      <RowsFooter
        error={error}
        alert
        canAdd={!readOnly && value.length < 10}
        addLabel="Add phone number"
        onAdd={() => onChange([...value, emptyPhone(nextType(value))])}
      />
    </Stack>
  );
}
