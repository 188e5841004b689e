// The editable part of a user, and what changed since it was loaded.
import type { Address, PhoneNumber, User, UserAttributes } from '../../api/types.ts';

/** The attributes of a user that are one line of text. */
type TextField = { [K in keyof UserAttributes]-?: UserAttributes[K] extends string | undefined ? K : never }[keyof UserAttributes];

/** The user form's text fields, by section: the attribute, its label, whether it is required. */
export const USER_SECTIONS: { legend: string; fields: [TextField, string, boolean?][] }[] = [
  {
    legend: 'Account',
    fields: [
      ['username', 'Username', true],
      ['email', 'Email', true],
    ],
  },
  {
    legend: 'Name',
    fields: [
      ['firstname', 'First name'],
      ['middlename', 'Middle name'],
      ['lastname', 'Last name'],
      ['displayname', 'Display name'],
    ],
  },
  {
    legend: 'Organization',
    fields: [
      ['jobTitle', 'Job title'],
      ['department', 'Department'],
      ['organization', 'Organization'],
      ['costCenter', 'Cost center'],
      ['employeeType', 'Employee type'],
      ['employeeIdentifier', 'Employee ID'],
    ],
  },
];

const TEXT_FIELDS: TextField[] = USER_SECTIONS.flatMap((section) => section.fields.map(([field]) => field));

export const emptyUser = (): UserAttributes => ({
  username: '',
  email: '',
  firstname: '',
  middlename: '',
  lastname: '',
  displayname: '',
  jobTitle: '',
  department: '',
  costCenter: '',
  employeeType: '',
  employeeIdentifier: '',
  organization: '',
  addresses: [],
  phoneNumbers: [],
});

export function attributesOf(u: User): UserAttributes {
  const out = emptyUser();
  for (const f of TEXT_FIELDS) out[f] = u[f] ?? '';
  out.addresses = u.addresses.map((a) => ({ ...a }));
  out.phoneNumbers = u.phoneNumbers.map((p) => ({ ...p }));
  return out;
}

export const emptyAddress = (type: Address['type'] = 'work'): Address => ({
  type,
  streetAddress: '',
  extendedAddress: '',
  poBox: '',
  locality: '',
  region: '',
  postalCode: '',
  country: '',
});
export const emptyPhone = (type: PhoneNumber['type'] = 'work'): PhoneNumber => ({ type, number: '' });

/** Only the fields that differ, so the Insights event lists real changes. */
export function changedFields(before: UserAttributes, after: UserAttributes): Partial<UserAttributes> {
  const out: Partial<UserAttributes> = {};
  for (const f of TEXT_FIELDS) if (before[f] !== after[f]) out[f] = after[f];
  if (JSON.stringify(before.addresses) !== JSON.stringify(after.addresses)) out.addresses = after.addresses;
  if (JSON.stringify(before.phoneNumbers) !== JSON.stringify(after.phoneNumbers)) out.phoneNumbers = after.phoneNumbers;
  return out;
}
