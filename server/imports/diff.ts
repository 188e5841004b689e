// Which directory fields of a matched user the remote user has other values for (the per-field diff of
// issue 14). Username, password and state are never part of it. A field the remote user has no value
// for is not a change: an import takes the application's values, it does not clear the directory's.
import {
  ATTRIBUTE_COLUMNS,
  newUserRecord,
  toUser,
  type CreateUserInput,
  type UpdatableColumn,
  type UserRecord,
} from '../directory/index.ts';

/** Directory fields an import may update, in the order the portal shows them. */
export const UPDATABLE_FIELDS = [
  'email',
  'firstname',
  'middlename',
  'lastname',
  'displayname',
  'jobTitle',
  'department',
  'costCenter',
  'employeeType',
  'employeeIdentifier',
  'organization',
  'addresses',
  'phoneNumbers',
] as const;
export type UpdatableField = (typeof UPDATABLE_FIELDS)[number];

// The directory's columns but username and state, which an import never changes.
const { username: _username, state: _state, ...TEXT_COLUMNS } = ATTRIBUTE_COLUMNS;

/** The column of each field (addresses and phone numbers are JSON, compared normalized). */
export const FIELD_COLUMNS: Record<UpdatableField, UpdatableColumn> = {
  ...TEXT_COLUMNS,
  addresses: 'addresses',
  phoneNumbers: 'phone_numbers',
};

export interface FieldChange {
  field: UpdatableField;
  /** The directory's value, as the users API shows it. */
  current: unknown;
  /** The application's value. */
  remote: unknown;
}

const hasValue = (v: unknown) => (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null && v !== '');

/**
 * The fields whose remote value differs from the directory user's (only fields the remote user has a
 * value for). `remote` is the candidate's validated input; the comparison is on the stored form, so
 * letter case counts except for the email, which differs only when it differs in more than case.
 */
export function diffUser(user: UserRecord, remote: CreateUserInput): FieldChange[] {
  const mapped = newUserRecord(user.organization_id, { ...remote, state: 'ACTIVE' }, user.created_at);
  const shown = toUser(user) as Record<string, unknown>;
  const remoteShown = toUser(mapped) as Record<string, unknown>;
  const out: FieldChange[] = [];
  for (const field of UPDATABLE_FIELDS) {
    if (!hasValue(remote[field as keyof CreateUserInput])) continue;
    const col = FIELD_COLUMNS[field];
    if (user[col] === mapped[col]) continue;
    if (field === 'email' && user.email_lower === mapped.email_lower) continue;
    out.push({ field, current: shown[field], remote: remoteShown[field] });
  }
  return out;
}

/** The changes a run takes: all, none, or the chosen fields. */
export function chosenChanges(changes: FieldChange[], fields: readonly UpdatableField[] | 'all' | undefined): FieldChange[] {
  if (!fields) return [];
  return fields === 'all' ? changes : changes.filter((c) => fields.includes(c.field));
}
