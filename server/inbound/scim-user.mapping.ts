// A directory user as a SCIM User (RFC 7643 4.1 and the enterprise extension), and a SCIM User as
// directory attributes. ../shared/API.md decides the mapping: the primary email (else the work one, else
// the first) is `email`, `title` is jobTitle, `userType` employeeType, enterprise `employeeNumber`
// employeeIdentifier; typed work/home phone numbers and addresses are the directory's. Everything a
// source sends that has no directory field is kept as sent (`attributes`) and returned, with the
// directory's current values laid over it, so an admin's change in Roster shows in SCIM too.
import { createHash } from 'node:crypto';
import type { Address, CreateUserInput, PhoneNumber, User } from '../directory/index.ts';
import { createUserSchema } from '../directory/index.ts';
import { canonicalResource, isRecord, SCIM_PATHS, ScimRequestError } from '../scim/index.ts';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

type Json = Record<string, unknown>;

const canonicalUser = (raw: Json): Json => canonicalResource(raw, 'User');

const invalid = (attribute: string, message: string) => new ScimRequestError(400, 'invalidValue', `${attribute}: ${message}`);

function stringAt(o: Json, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(path, 'must be a string');
  return v;
}

/** SCIM booleans, and the strings some clients send for them (Entra ID: "True", "False"). */
export function booleanOf(v: unknown, path: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  throw invalid(path, 'must be true or false');
}

function listAt(o: Json, key: string): Json[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(key, 'must be an array');
  return v.map((x, i) => {
    if (!isRecord(x)) throw invalid(`${key}[${i}]`, 'must be an object');
    return x;
  });
}

const typeOf = (e: Json) => (typeof e.type === 'string' ? e.type.trim().toLowerCase() : '');
const isPrimary = (e: Json) => e.primary === true || (typeof e.primary === 'string' && e.primary.toLowerCase() === 'true');

/** The index of the email that is the directory's: the primary one, else the work one, else the first. */
function chosenEmail(emails: Json[]): number {
  const primary = emails.findIndex(isPrimary);
  if (primary >= 0) return primary;
  const work = emails.findIndex((e) => typeOf(e) === 'work');
  return work >= 0 ? work : emails.length > 0 ? 0 : -1;
}

const directoryType = (e: Json): 'work' | 'home' | undefined => {
  const t = typeOf(e);
  return t === 'work' || t === 'home' ? t : undefined;
};

/** Directory field -> the SCIM attribute an error about it names. */
const SCIM_NAME: Record<string, string | undefined> = {
  ...SCIM_PATHS,
  email: 'emails',
  addresses: 'addresses',
  phoneNumbers: 'phoneNumbers',
};

export interface UserFromScim {
  input: CreateUserInput;
  /** `active` as sent; undefined when absent. */
  active: boolean | undefined;
  externalId: string | null;
  /** Everything without a directory field, as sent (canonical names). */
  attributes: Json;
}

/** A SCIM User (POST or PUT body, or a patched resource) as directory attributes plus what is kept beside them. */
export function userFromScim(raw: unknown): UserFromScim {
  if (!isRecord(raw)) throw new ScimRequestError(400, 'invalidSyntax', 'The request body must be a JSON object (a SCIM User)');
  const u = canonicalUser(raw);
  const schemas = u.schemas;
  if (schemas !== undefined && (!Array.isArray(schemas) || schemas.some((s) => typeof s !== 'string')))
    throw invalid('schemas', 'must be an array of schema URNs');
  const userName = stringAt(u, 'userName', 'userName');
  if (userName === undefined || userName.trim() === '') throw invalid('userName', 'is required');
  const name = u.name === undefined || u.name === null ? {} : u.name;
  if (!isRecord(name)) throw invalid('name', 'must be an object');
  const ext = u[ENTERPRISE] === undefined || u[ENTERPRISE] === null ? {} : u[ENTERPRISE];
  if (!isRecord(ext)) throw invalid(ENTERPRISE, 'must be an object');
  const emails = listAt(u, 'emails');
  const phones = listAt(u, 'phoneNumbers');
  const addresses = listAt(u, 'addresses');
  const chosen = chosenEmail(emails);
  if (chosen < 0) throw invalid('emails', 'Roster needs an email address for every user');
  const email = stringAt(emails[chosen], 'value', `emails[${chosen}].value`) ?? '';
  phones.forEach((p, i) => stringAt(p, 'value', `phoneNumbers[${i}].value`));
  const externalId = stringAt(u, 'externalId', 'externalId') ?? null;
  if (externalId !== null && externalId.length > 1000) throw invalid('externalId', 'must be at most 1,000 characters');

  const input = {
    username: userName,
    email,
    firstname: stringAt(name, 'givenName', 'name.givenName') ?? '',
    middlename: stringAt(name, 'middleName', 'name.middleName') ?? '',
    lastname: stringAt(name, 'familyName', 'name.familyName') ?? '',
    displayname: stringAt(u, 'displayName', 'displayName') ?? stringAt(name, 'formatted', 'name.formatted') ?? '',
    jobTitle: stringAt(u, 'title', 'title') ?? '',
    employeeType: stringAt(u, 'userType', 'userType') ?? '',
    employeeIdentifier: stringAt(ext, 'employeeNumber', `${ENTERPRISE}:employeeNumber`) ?? '',
    costCenter: stringAt(ext, 'costCenter', `${ENTERPRISE}:costCenter`) ?? '',
    organization: stringAt(ext, 'organization', `${ENTERPRISE}:organization`) ?? '',
    department: stringAt(ext, 'department', `${ENTERPRISE}:department`) ?? '',
    phoneNumbers: phones.flatMap((p) => {
      const type = directoryType(p);
      return type && typeof p.value === 'string' && p.value.trim() ? [{ type, number: p.value }] : [];
    }),
    addresses: addresses.flatMap((a, i) => {
      const type = directoryType(a);
      if (!type) return [];
      const field = (k: string) => stringAt(a, k, `addresses[${i}].${k}`) ?? '';
      return [
        {
          type,
          streetAddress: field('streetAddress'),
          locality: field('locality'),
          region: field('region'),
          postalCode: field('postalCode'),
          country: field('country'),
        },
      ];
    }),
    state: 'ACTIVE' as const,
  };
  const parsed = createUserSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const [field, ...rest] = issue.path.map(String);
    const where = [SCIM_NAME[field] ?? field, ...rest].join('.');
    throw invalid(where, issue.message);
  }

  return { input: parsed.data, active: booleanOf(u.active, 'active'), externalId, attributes: keptAttributes(u, name, ext) };
}

const without = (o: Json, keys: readonly string[]): Json => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
const SERVER_OR_DIRECTORY = [
  'schemas',
  'id',
  'meta',
  'groups',
  'password',
  'userName',
  'displayName',
  'title',
  'userType',
  'active',
  'externalId',
];

/** What is kept beside the directory: the resource less what the directory holds and what the server owns. */
function keptAttributes(u: Json, name: Json, ext: Json): Json {
  const attributes = without(u, SERVER_OR_DIRECTORY);
  const keptName = without(name, ['givenName', 'middleName', 'familyName']);
  if (Object.keys(keptName).length) attributes.name = keptName;
  else delete attributes.name;
  const keptExt = without(ext, ['employeeNumber', 'costCenter', 'organization', 'department']);
  if (Object.keys(keptExt).length) attributes[ENTERPRISE] = keptExt;
  else delete attributes[ENTERPRISE];
  for (const k of ['emails', 'phoneNumbers', 'addresses']) {
    if (Array.isArray(attributes[k]) && (attributes[k] as unknown[]).length === 0) delete attributes[k];
  }
  return attributes;
}

const nonEmpty = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== '' && v !== undefined && v !== null));

function emailsOut(user: User, kept: Json[]): Json[] {
  if (!kept.length) return [{ value: user.email, type: 'work', primary: true }];
  const out = kept.map((e) => ({ ...e }));
  out[chosenEmail(out)].value = user.email;
  return out;
}

/** The directory's typed entries, each with what the source sent beside them (primary, display), then the source's other types. */
function typedOut<T extends { type: 'work' | 'home' }>(mine: T[], kept: Json[], toScim: (x: T) => Json): Json[] {
  const left = [...kept];
  const out: Json[] = mine.map((x) => {
    const i = left.findIndex((k) => directoryType(k) === x.type);
    const extra = i >= 0 ? left.splice(i, 1)[0] : {};
    return { ...extra, ...toScim(x) };
  });
  return [...out, ...left.filter((k) => !directoryType(k))];
}

const phoneOut = (p: PhoneNumber): Json => ({ value: p.number, type: p.type });
const addressOut = (a: Address): Json =>
  nonEmpty({
    streetAddress: a.streetAddress,
    locality: a.locality,
    region: a.region,
    postalCode: a.postalCode,
    country: a.country,
    type: a.type,
  });

/** A weak ETag of the representation: it changes exactly when what a source would read changes. */
export function versionOf(resource: Json): string {
  const { meta: _, ...rest } = resource;
  return `W/"${createHash('sha256').update(JSON.stringify(rest)).digest('base64url').slice(0, 22)}"`;
}

export interface UserForScim {
  user: User;
  externalId: string | null;
  attributes: Json;
  groups: { id: string; name: string }[];
}

export function userToScim({ user, externalId, attributes, groups }: UserForScim, baseUrl: string): Json {
  const kept = attributes;
  const list = (k: string) => (Array.isArray(kept[k]) ? (kept[k] as Json[]) : []);
  const keptName = isRecord(kept.name) ? kept.name : {};
  const keptExt = isRecord(kept[ENTERPRISE]) ? kept[ENTERPRISE] : {};
  const ext = nonEmpty({
    ...keptExt,
    employeeNumber: user.employeeIdentifier,
    costCenter: user.costCenter,
    organization: user.organization,
    department: user.department,
  });
  const name = nonEmpty({ ...keptName, givenName: user.firstname, middleName: user.middlename, familyName: user.lastname });
  const out: Json = {
    schemas: Object.keys(ext).length ? [USER_SCHEMA, ENTERPRISE] : [USER_SCHEMA],
    id: user.id,
    ...(externalId !== null ? { externalId } : {}),
    userName: user.username,
    ...(Object.keys(name).length ? { name } : {}),
    ...(user.displayname ? { displayName: user.displayname } : {}),
    ...(user.jobTitle ? { title: user.jobTitle } : {}),
    ...(user.employeeType ? { userType: user.employeeType } : {}),
  };
  for (const [k, v] of Object.entries(kept)) {
    if (k in out || k === 'name' || k === ENTERPRISE || k === 'emails' || k === 'phoneNumbers' || k === 'addresses') continue;
    out[k] = v;
  }
  out.active = user.state === 'ACTIVE';
  out.emails = emailsOut(user, list('emails'));
  const phones = typedOut(user.phoneNumbers, list('phoneNumbers'), phoneOut);
  if (phones.length) out.phoneNumbers = phones;
  const addresses = typedOut(user.addresses, list('addresses'), addressOut);
  if (addresses.length) out.addresses = addresses;
  if (Object.keys(ext).length) out[ENTERPRISE] = ext;
  if (groups.length) out.groups = groups.map((g) => ({ value: g.id, display: g.name, $ref: `${baseUrl}/Groups/${g.id}`, type: 'direct' }));
  out.meta = {
    resourceType: 'User',
    created: user.createdAt,
    lastModified: user.updatedAt,
    location: `${baseUrl}/Users/${user.id}`,
  };
  (out.meta as Json).version = versionOf(out);
  return out;
}
