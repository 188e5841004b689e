// The editable part of a user, and what changed since it was loaded.
import type { Address, PhoneNumber, User, UserAttributes } from '../../api/types.ts';

const TEXT_FIELDS = [
  'username',
  'email',
  'firstname',
  'middlename',
  'lastname',
  'displayname',
  'jobTitle',
  'department',
  'organization',
  'costCenter',
  'employeeType',
  'employeeIdentifier',
] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

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
