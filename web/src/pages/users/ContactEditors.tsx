// Addresses and phone numbers, each typed work or home.
import { Button, Fieldset, Group, NativeSelect, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import type { Address, ContactType, PhoneNumber } from '../../api/types.ts';
import { emptyAddress, emptyPhone } from './userForm.ts';

const TYPES = [
  { value: 'work', label: 'Work' },
  { value: 'home', label: 'Home' },
];

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
  const update = (i: number, patch: Partial<Address>) => onChange(value.map((a, j) => (j === i ? { ...a, ...patch } : a)));
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
              <Button
                variant="subtle"
                color="red"
                size="xs"
                onClick={() => onChange(value.filter((_, j) => j !== i))}
                aria-label={`Remove address ${i + 1}`}
              >
                Remove address
              </Button>
            </Group>
          )}
        </Fieldset>
      ))}
      {error && (
        <Text c="red" size="sm" role="alert">
          {error}
        </Text>
      )}
      {!readOnly && value.length < 10 && (
        <Group>
          <Button
            variant="default"
            size="xs"
            onClick={() => onChange([...value, emptyAddress(value.some((a) => a.type === 'work') ? 'home' : 'work')])}
          >
            Add address
          </Button>
        </Group>
      )}
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
  const update = (i: number, patch: Partial<PhoneNumber>) => onChange(value.map((p, j) => (j === i ? { ...p, ...patch } : p)));
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
            <Button
              variant="subtle"
              color="red"
              size="xs"
              mb={4}
              onClick={() => onChange(value.filter((_, j) => j !== i))}
              aria-label={`Remove phone number ${i + 1}`}
            >
              Remove
            </Button>
          )}
        </Group>
      ))}
      {error && (
        <Text c="red" size="sm" role="alert">
          {error}
        </Text>
      )}
      {!readOnly && value.length < 10 && (
        <Group>
          <Button
            variant="default"
            size="xs"
            onClick={() => onChange([...value, emptyPhone(value.some((p) => p.type === 'work') ? 'home' : 'work')])}
          >
            Add phone number
          </Button>
        </Group>
      )}
    </Stack>
  );
}
