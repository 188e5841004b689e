// SCIM User <-> Roster directory attributes (DESIGN.md "Attribute mapping"). Reading is tolerant
// (types compared case-insensitively, anything but work/home dropped, absent stays undefined so an
// import never mistakes "not returned" for "cleared", P15); writing is strict RFC 7643 output with
// only the attributes that have values.
import {
  ENTERPRISE_USER,
  SCHEMAS,
  type ScimAddress,
  type ScimEnterpriseUser,
  type ScimMultiValue,
  type ScimName,
  type ScimUser,
} from './types.ts';
import { asString } from './util.ts';

export type DirectoryContactType = 'work' | 'home';

export interface DirectoryAddress {
  type: DirectoryContactType;
  streetAddress: string;
  locality: string;
  region: string;
  postalCode: string;
  country: string;
  poBox?: string;
  extendedAddress?: string;
}

export interface DirectoryPhoneNumber {
  type: DirectoryContactType;
  number: string;
}

/** The 14 directory attributes SCIM carries. `undefined` means "not known", '' means empty. */
export interface DirectoryUserAttributes {
  username?: string;
  email?: string;
  firstname?: string;
  middlename?: string;
  lastname?: string;
  displayname?: string;
  jobTitle?: string;
  department?: string;
  costCenter?: string;
  employeeType?: string;
  employeeIdentifier?: string;
  organization?: string;
  addresses?: DirectoryAddress[];
  phoneNumbers?: DirectoryPhoneNumber[];
}

export const DIRECTORY_ATTRIBUTES = [
  'username',
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
] as const satisfies ReadonlyArray<keyof DirectoryUserAttributes>;

export type DirectoryAttributeName = (typeof DIRECTORY_ATTRIBUTES)[number];

export type DirectoryUserState = 'STAGED' | 'ACTIVE' | 'SUSPENDED';

/** What provisioning knows about a Roster user. */
export interface DirectoryUserForScim extends DirectoryUserAttributes {
  /** Roster's user id; becomes the SCIM externalId. */
  id: string;
  state?: DirectoryUserState;
  /** Overrides the value derived from `state`. */
  active?: boolean;
}

function contactType(type: string | undefined): DirectoryContactType | undefined {
  const t = type?.trim().toLowerCase();
  return t === 'work' || t === 'home' ? t : undefined;
}

function text(value: string | undefined): string | undefined {
  return value === undefined ? undefined : value.trim();
}

function pickEmail(emails: ScimMultiValue[] | undefined): string | undefined {
  if (!emails) return undefined;
  const withValue = emails.filter((e) => typeof e.value === 'string' && e.value.trim() !== '');
  const chosen = withValue.find((e) => e.primary === true) ?? withValue.find((e) => contactType(e.type) === 'work') ?? withValue[0];
  return chosen ? text(chosen.value) : '';
}

/** Entries typed work/home only, first of each type (the primary one first). */
function byType<T extends { type?: string; primary?: boolean }>(items: T[]): Array<[DirectoryContactType, T]> {
  const ordered = [...items.filter((i) => i.primary === true), ...items.filter((i) => i.primary !== true)];
  const seen = new Map<DirectoryContactType, T>();
  for (const item of ordered) {
    const type = contactType(item.type);
    if (type && !seen.has(type)) seen.set(type, item);
  }
  return items.flatMap((item) => {
    const type = contactType(item.type);
    return type && seen.get(type) === item ? [[type, item] as [DirectoryContactType, T]] : [];
  });
}

function addressFromScim(type: DirectoryContactType, a: ScimAddress): DirectoryAddress {
  const out: DirectoryAddress = {
    type,
    streetAddress: text(a.streetAddress) ?? '',
    locality: text(a.locality) ?? '',
    region: text(a.region) ?? '',
    postalCode: text(a.postalCode) ?? '',
    country: text(a.country) ?? '',
  };
  if (a.poBox) out.poBox = a.poBox.trim();
  if (a.extendedAddress) out.extendedAddress = a.extendedAddress.trim();
  return out;
}

/** directory <- SCIM. Only attributes the resource carries are set. */
export function fromScimUser(user: ScimUser): DirectoryUserAttributes {
  const out: DirectoryUserAttributes = {};
  const name: ScimName = user.name ?? {};
  const ent: ScimEnterpriseUser = user[ENTERPRISE_USER] ?? {};
  const set = <K extends DirectoryAttributeName>(key: K, value: DirectoryUserAttributes[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  set('username', text(user.userName));
  set('email', pickEmail(user.emails));
  set('firstname', text(name.givenName));
  set('middlename', text(name.middleName));
  set('lastname', text(name.familyName));
  const display = text(user.displayName);
  const formatted = text(name.formatted);
  set('displayname', display || formatted || (display ?? formatted));
  set('jobTitle', text(user.title));
  set('employeeType', text(user.userType));
  set('employeeIdentifier', text(ent.employeeNumber));
  set('costCenter', text(ent.costCenter));
  set('organization', text(ent.organization));
  // A department misplaced at the core level is accepted when the extension has none.
  set('department', text(ent.department) ?? text(asString(user.department)));
  if (user.addresses) out.addresses = byType(user.addresses).map(([type, a]) => addressFromScim(type, a));
  if (user.phoneNumbers) {
    out.phoneNumbers = byType(user.phoneNumbers)
      .filter(([, p]) => typeof p.value === 'string' && p.value.trim() !== '')
      .map(([type, p]) => ({ type, number: (p.value as string).trim() }));
  }
  return out;
}

function value(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/** SCIM <- directory: canonical RFC 7643, JSON booleans, lower-case types, no empty attributes. */
export function toScimUser(user: DirectoryUserForScim): ScimUser {
  const out: ScimUser = { schemas: [SCHEMAS.user], externalId: user.id };
  const userName = value(user.username);
  if (userName) out.userName = userName;
  const name: ScimName = {};
  if (value(user.firstname)) name.givenName = value(user.firstname);
  if (value(user.middlename)) name.middleName = value(user.middlename);
  if (value(user.lastname)) name.familyName = value(user.lastname);
  if (Object.keys(name).length) out.name = name;
  if (value(user.displayname)) out.displayName = value(user.displayname);
  if (value(user.jobTitle)) out.title = value(user.jobTitle);
  if (value(user.employeeType)) out.userType = value(user.employeeType);
  const active = user.active ?? (user.state === undefined ? undefined : user.state === 'ACTIVE');
  if (active !== undefined) out.active = active;
  const email = value(user.email);
  if (email) out.emails = [{ value: email, type: 'work', primary: true }];
  const phones = (user.phoneNumbers ?? []).flatMap((p) => {
    const type = contactType(p.type);
    const number = value(p.number);
    return type && number ? [{ value: number, type }] : [];
  });
  if (phones.length) out.phoneNumbers = phones;
  const addresses = (user.addresses ?? []).flatMap((a) => {
    const type = contactType(a.type);
    if (!type) return [];
    const address: ScimAddress = { type };
    for (const key of ['streetAddress', 'locality', 'region', 'postalCode', 'country'] as const) {
      const v = value(a[key]);
      if (v) address[key] = v;
    }
    return Object.keys(address).length > 1 ? [address] : [];
  });
  if (addresses.length) out.addresses = addresses;
  const enterprise: ScimEnterpriseUser = {};
  if (value(user.employeeIdentifier)) enterprise.employeeNumber = value(user.employeeIdentifier);
  if (value(user.costCenter)) enterprise.costCenter = value(user.costCenter);
  if (value(user.organization)) enterprise.organization = value(user.organization);
  if (value(user.department)) enterprise.department = value(user.department);
  if (Object.keys(enterprise).length) {
    out.schemas.push(ENTERPRISE_USER);
    out[ENTERPRISE_USER] = enterprise;
  }
  return out;
}

// ---- comparison ----------------------------------------------------------------------------

export type NormalizedDirectoryUser = Partial<Record<DirectoryAttributeName, string>>;

function norm(v: string | undefined): string {
  return (v ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
}

function normPhone(n: string): string {
  return norm(n).replace(/[\s\-().\u00a0/]/g, '');
}

/**
 * Canonical strings per attribute, so that what a server rewrites (lower-cased emails and user
 * names, reformatted phone numbers, re-cased country codes, C18) compares equal. Absent stays absent.
 * poBox and extendedAddress are left out: SCIM cannot carry them, so they never cause a diff.
 */
export function normalizeForCompare(user: DirectoryUserAttributes): NormalizedDirectoryUser {
  const out: NormalizedDirectoryUser = {};
  for (const key of DIRECTORY_ATTRIBUTES) {
    if (key === 'addresses') {
      if (!user.addresses) continue;
      const rows = byType(user.addresses)
        .map(([type, a]) => [
          type,
          norm(a.streetAddress),
          norm(a.locality),
          norm(a.region),
          norm(a.postalCode),
          norm(a.country).toUpperCase(),
        ])
        .filter((row) => row.slice(1).some(Boolean))
        .sort((x, y) => x[0].localeCompare(y[0]));
      out.addresses = JSON.stringify(rows);
    } else if (key === 'phoneNumbers') {
      if (!user.phoneNumbers) continue;
      const rows = byType(user.phoneNumbers)
        .map(([type, p]) => [type, normPhone(p.number)])
        .filter((row) => row[1])
        .sort((x, y) => x[0].localeCompare(y[0]));
      out.phoneNumbers = JSON.stringify(rows);
    } else {
      const v = user[key];
      if (v === undefined) continue;
      out[key] = key === 'username' || key === 'email' ? norm(v).toLowerCase() : norm(v);
    }
  }
  return out;
}

const EMPTY: Partial<Record<DirectoryAttributeName, string>> = { addresses: '[]', phoneNumbers: '[]' };

export interface DiffOptions {
  /**
   * 'empty' (default): an attribute missing on either side counts as empty (provisioning: the
   * target lacks what we have). 'unknown': a missing attribute is skipped (a list that returns
   * fewer attributes than GET, P15).
   */
  missing?: 'empty' | 'unknown';
}

/** Names a server makes up when we send none (C18); equal to "empty" for diffing. */
function synthesizedDisplayNames(n: NormalizedDirectoryUser): Set<string> {
  const parts = [n.firstname, n.middlename, n.lastname].filter(Boolean).join(' ');
  const short = [n.firstname, n.lastname].filter(Boolean).join(' ');
  const out = new Set<string>([parts, short].filter(Boolean).map((s) => s.toLowerCase()));
  for (const id of [n.username, n.email]) {
    if (id) {
      out.add(id);
      out.add(id.split('@')[0]);
    }
  }
  return out;
}

/**
 * Directory attributes whose values differ between `desired` (Roster) and `actual` (mapped from
 * the server), after normalisation. Values a server synthesised where we had none are not a diff.
 */
export function diffDirectoryAttributes(
  desired: DirectoryUserAttributes,
  actual: DirectoryUserAttributes,
  options: DiffOptions = {},
): DirectoryAttributeName[] {
  const want = normalizeForCompare(desired);
  const have = normalizeForCompare(actual);
  const changed: DirectoryAttributeName[] = [];
  for (const key of DIRECTORY_ATTRIBUTES) {
    if (options.missing === 'unknown' && (want[key] === undefined || have[key] === undefined)) continue;
    const empty = EMPTY[key] ?? '';
    const w = want[key] ?? empty;
    const h = have[key] ?? empty;
    if (w === h) continue;
    if (w === empty && key === 'displayname' && synthesizedDisplayNames({ ...have, ...want }).has(h.toLowerCase())) continue;
    if (w === empty && key === 'email' && h !== '' && h === (want.username ?? have.username)) continue;
    changed.push(key);
  }
  return changed;
}
