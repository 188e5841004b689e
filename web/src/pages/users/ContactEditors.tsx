// Addresses and phone numbers, each typed work or home.
import { Fieldset, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Address, ContactType, PhoneNumber, UserAttributes } from '../../api/types.ts';
import { type Choice, ChoiceSelect } from '../../components/ChoiceSelect.tsx';
import { fieldError } from '../../components/ErrorAlert.tsx';
import { patchAt, RemoveRowButton, RowsFooter, withoutAt } from '../../components/RowsEditor.tsx';
import { emptyAddress, emptyPhone } from './userForm.ts';

const TYPES: Choice<ContactType>[] = [
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

type ContactField = 'addresses' | 'phoneNumbers';
type Row<K extends ContactField> = UserAttributes[K][number];

const LISTS: {
  [K in ContactField]: { legend: string; none: string; addLabel: string; gap: string; blank: (type: ContactType) => Row<K> };
} = {
  addresses: { legend: 'Addresses', none: 'No addresses.', addLabel: 'Add address', gap: 'sm', blank: emptyAddress },
  phoneNumbers: { legend: 'Phone numbers', none: 'No phone numbers.', addLabel: 'Add phone number', gap: 'xs', blank: emptyPhone },
};

interface ContactsProps {
  form: UserAttributes;
  onChange: (v: UserAttributes) => void;
  error: unknown;
  readOnly?: boolean;
}

interface RowEdit<T> {
  update: (patch: Partial<T>) => void;
  remove: () => void;
}

/** One list of the user's: its rows, "none" when it is empty, and Add (ten rows at most). */
function ContactList<K extends ContactField>(
  props: ContactsProps & { field: K; row: (item: Row<K>, i: number, edit: RowEdit<Row<K>>) => ReactNode },
) {
  const { field, form, readOnly } = props;
  const list = LISTS[field];
  const rows: Row<K>[] = form[field];
  const set = (next: Row<K>[]) => props.onChange({ ...form, [field]: next });
  return (
    <Fieldset legend={list.legend}>
      <Stack gap={list.gap}>
        {rows.length === 0 && (
          <Text c="dimmed" size="sm">
            {list.none}
          </Text>
        )}
        {rows.map((item, i) =>
          props.row(item, i, { update: (patch) => set(patchAt(rows, i, patch)), remove: () => set(withoutAt(rows, i)) }),
        )}
        <RowsFooter
          error={fieldError(props.error, field)}
          alert
          canAdd={!readOnly && rows.length < 10}
          addLabel={list.addLabel}
          onAdd={() => set([...rows, list.blank(nextType(rows))])}
        />
      </Stack>
    </Fieldset>
  );
}

function AddressRow({ address: a, i, edit, readOnly }: { address: Address; i: number; edit: RowEdit<Address>; readOnly?: boolean }) {
  return (
    <Fieldset legend={`Address ${i + 1} (${a.type})`} variant="filled">
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
        <ChoiceSelect label="Type" data={TYPES} value={a.type} disabled={readOnly} onChoose={(type) => edit.update({ type })} />
        {ADDRESS_FIELDS.map(([k, label]) => (
          <TextInput
            key={k}
            label={label}
            value={(a[k] as string | undefined) ?? ''}
            readOnly={readOnly}
            onChange={(e) => edit.update({ [k]: e.currentTarget.value })}
          />
        ))}
      </SimpleGrid>
      {!readOnly && (
        <Group justify="flex-end" mt="sm">
          <RemoveRowButton onClick={edit.remove} ariaLabel={`Remove address ${i + 1}`}>
            Remove address
          </RemoveRowButton>
        </Group>
      )}
    </Fieldset>
  );
}

function PhoneRow({ phone: p, i, edit, readOnly }: { phone: PhoneNumber; i: number; edit: RowEdit<PhoneNumber>; readOnly?: boolean }) {
  return (
    <Group align="flex-end" wrap="wrap" gap="sm">
      <ChoiceSelect
        label={`Phone ${i + 1} type`}
        data={TYPES}
        value={p.type}
        disabled={readOnly}
        onChoose={(type) => edit.update({ type })}
      />
      <TextInput
        label={`Phone ${i + 1} number`}
        value={p.number}
        readOnly={readOnly}
        onChange={(e) => edit.update({ number: e.currentTarget.value })}
        style={{ flex: 1, minWidth: 180 }}
      />
      {!readOnly && (
        <RemoveRowButton mb={4} onClick={edit.remove} ariaLabel={`Remove phone number ${i + 1}`}>
          Remove
        </RemoveRowButton>
      )}
    </Group>
  );
}

/** The user's addresses, then phone numbers. */
export function ContactEditors(props: ContactsProps) {
  const { readOnly } = props;
  return (
    <>
      <ContactList
        {...props}
        field="addresses"
        row={(a, i, edit) => <AddressRow key={i} address={a} i={i} edit={edit} readOnly={readOnly} />}
      />
      <ContactList
        {...props}
        field="phoneNumbers"
        row={(p, i, edit) => <PhoneRow key={i} phone={p} i={i} edit={edit} readOnly={readOnly} />}
      />
    </>
  );
}
