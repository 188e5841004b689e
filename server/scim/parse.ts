// Tolerant parsing of whatever a SCIM server sends into the normalised shapes of types.ts.
// Known attributes are matched case-insensitively (RFC 7643 §2.1) and coerced (numeric strings,
// "True", numeric ids); nulls on known attributes mean "absent" (P16); unknown attributes and
// extension blocks are kept verbatim (T11). Nothing here throws on extra data; only a body that is
// not SCIM at all (or a `Resources` that is not a list) is an error.
import { ScimClientError } from './errors.ts';
import {
  ENTERPRISE_USER,
  SCHEMAS,
  type ScimGroup,
  type ScimListResponse,
  type ScimPaginationConfig,
  type ScimResourceType,
  type ScimSchema,
  type ScimSchemaAttribute,
  type ScimUser,
  type ServiceProviderConfig,
} from './types.ts';
import { asBoolean, asInteger, asString, asStringArray, getCI, isRecord, parseTimestamp, type JsonObject } from './util.ts';

type Kind = 'string' | 'boolean' | 'integer' | 'timestamp' | 'strings' | { complex: Spec } | { multi: Spec };
type Spec = Map<string, [string, Kind]>;

function spec(fields: Record<string, Kind>): Spec {
  return new Map(Object.entries(fields).map(([name, kind]) => [name.toLowerCase(), [name, kind]]));
}

const META = spec({ resourceType: 'string', created: 'timestamp', lastModified: 'timestamp', location: 'string', version: 'string' });
const MULTI = spec({ value: 'string', display: 'string', type: 'string', primary: 'boolean', $ref: 'string' });
const NAME = spec({
  formatted: 'string',
  familyName: 'string',
  givenName: 'string',
  middleName: 'string',
  honorificPrefix: 'string',
  honorificSuffix: 'string',
});
const ADDRESS = spec({
  formatted: 'string',
  streetAddress: 'string',
  locality: 'string',
  region: 'string',
  postalCode: 'string',
  country: 'string',
  type: 'string',
  primary: 'boolean',
  poBox: 'string',
  extendedAddress: 'string',
});
const ENTERPRISE = spec({
  employeeNumber: 'string',
  costCenter: 'string',
  organization: 'string',
  division: 'string',
  department: 'string',
  manager: { complex: spec({ value: 'string', $ref: 'string', displayName: 'string' }) },
});
const COMMON: Record<string, Kind> = { schemas: 'strings', id: 'string', externalId: 'string', meta: { complex: META } };
const USER = spec({
  ...COMMON,
  userName: 'string',
  name: { complex: NAME },
  displayName: 'string',
  nickName: 'string',
  profileUrl: 'string',
  title: 'string',
  userType: 'string',
  preferredLanguage: 'string',
  locale: 'string',
  timezone: 'string',
  active: 'boolean',
  password: 'string',
  emails: { multi: MULTI },
  phoneNumbers: { multi: MULTI },
  ims: { multi: MULTI },
  photos: { multi: MULTI },
  addresses: { multi: ADDRESS },
  groups: { multi: MULTI },
  entitlements: { multi: MULTI },
  roles: { multi: MULTI },
  x509Certificates: { multi: MULTI },
  [ENTERPRISE_USER]: { complex: ENTERPRISE },
});
const GROUP = spec({ ...COMMON, displayName: 'string', members: { multi: MULTI } });

function coerce(value: unknown, kind: Kind): unknown {
  if (value === null || value === undefined) return undefined;
  switch (kind) {
    case 'string':
      return asString(value);
    case 'boolean':
      return asBoolean(value);
    case 'integer':
      return asInteger(value);
    case 'timestamp':
      return parseTimestamp(value);
    case 'strings':
      return asStringArray(value);
  }
  if ('complex' in kind) return isRecord(value) ? canonicalize(value, kind.complex) : undefined;
  const items = Array.isArray(value) ? value : [value];
  const out: JsonObject[] = [];
  for (const item of items) {
    if (isRecord(item)) out.push(canonicalize(item, kind.multi));
    else {
      // `emails: ["a@example.com"]` from sloppy servers: keep the value.
      const s = asString(item);
      if (s !== undefined) out.push({ value: s });
    }
  }
  return out;
}

/** Known keys renamed to their canonical spelling and coerced; unknown keys kept as they came. */
function canonicalize(obj: JsonObject, fields: Spec): JsonObject {
  const out: JsonObject = {};
  const exact = new Set<string>();
  for (const [key, value] of Object.entries(obj)) {
    const known = fields.get(key.toLowerCase());
    if (!known) {
      out[key] = value;
      continue;
    }
    const [name, kind] = known;
    // With both `userName` and `username` present, the canonical spelling wins.
    if (exact.has(name)) continue;
    const coerced = coerce(value, kind);
    if (coerced === undefined) continue;
    out[name] = coerced;
    if (key === name) exact.add(name);
  }
  return out;
}

function notScim(what: string): ScimClientError {
  return new ScimClientError('NOT_SCIM', `The server's answer is not a SCIM ${what}.`);
}

function resource<T>(raw: unknown, fields: Spec, what: string): T {
  if (!isRecord(raw)) throw notScim(what);
  const out = canonicalize(raw, fields);
  if (!Array.isArray(out.schemas)) out.schemas = [];
  return out as T;
}

export function parseUser(raw: unknown): ScimUser {
  return resource<ScimUser>(raw, USER, 'user');
}

export function parseGroup(raw: unknown): ScimGroup {
  return resource<ScimGroup>(raw, GROUP, 'group');
}

function hasSchema(raw: JsonObject, urn: string): boolean {
  const schemas = asStringArray(getCI(raw, 'schemas')) ?? [];
  return schemas.some((s) => s.toLowerCase() === urn.toLowerCase());
}

function isListResponseShaped(raw: unknown): boolean {
  if (!isRecord(raw)) return false;
  return hasSchema(raw, SCHEMAS.listResponse) || getCI(raw, 'Resources') !== undefined || getCI(raw, 'totalResults') !== undefined;
}

/**
 * ListResponse envelope: keys in any case (P10), missing `Resources` is [] (P9), totals and
 * indexes as numbers or numeric strings (garbage ignored), RFC 9865 cursors.
 */
export function parseListResponse<T>(raw: unknown, parseItem: (item: unknown) => T): ScimListResponse<T> {
  if (!isListResponseShaped(raw)) throw notScim('list response');
  const body = raw as JsonObject;
  const list = getCI(body, 'Resources');
  if (list !== undefined && list !== null && !Array.isArray(list)) {
    throw new ScimClientError('NOT_SCIM', "The server's list response has a 'Resources' value that is not a list.");
  }
  const resources: T[] = [];
  let dropped = 0;
  for (const item of (list as unknown[] | null | undefined) ?? []) {
    if (isRecord(item)) resources.push(parseItem(item));
    else dropped++;
  }
  const nextCursor = asString(getCI(body, 'nextCursor'));
  const previousCursor = asString(getCI(body, 'previousCursor'));
  return {
    totalResults: nonNegative(asInteger(getCI(body, 'totalResults'))),
    startIndex: nonNegative(asInteger(getCI(body, 'startIndex'))),
    itemsPerPage: nonNegative(asInteger(getCI(body, 'itemsPerPage'))),
    nextCursor: nextCursor ? nextCursor : undefined,
    previousCursor: previousCursor ? previousCursor : undefined,
    resources,
    dropped,
  };
}

function nonNegative(n: number | undefined): number | undefined {
  return n !== undefined && n >= 0 ? n : undefined;
}

function supported(raw: unknown): { supported: boolean } & JsonObject {
  if (!isRecord(raw)) return { supported: false };
  const out: JsonObject = { supported: asBoolean(getCI(raw, 'supported')) ?? false };
  for (const name of ['maxOperations', 'maxPayloadSize', 'maxResults']) {
    const n = asInteger(getCI(raw, name));
    if (n !== undefined) out[name] = n;
  }
  return out as { supported: boolean } & JsonObject;
}

function parsePagination(raw: unknown): ScimPaginationConfig | undefined {
  if (!isRecord(raw)) return undefined;
  const method = asString(getCI(raw, 'defaultPaginationMethod'));
  return {
    cursor: asBoolean(getCI(raw, 'cursor')),
    index: asBoolean(getCI(raw, 'index')),
    defaultPaginationMethod: method?.toLowerCase(),
    defaultPageSize: asInteger(getCI(raw, 'defaultPageSize')),
    maxPageSize: asInteger(getCI(raw, 'maxPageSize')),
    cursorTimeout: asInteger(getCI(raw, 'cursorTimeout')),
  };
}

export function parseServiceProviderConfig(raw: unknown): ServiceProviderConfig {
  if (!isRecord(raw)) throw notScim('service provider configuration');
  const schemes = getCI(raw, 'authenticationSchemes');
  const meta = coerce(getCI(raw, 'meta'), { complex: META });
  return {
    schemas: asStringArray(getCI(raw, 'schemas')) ?? [],
    documentationUri: asString(getCI(raw, 'documentationUri')),
    patch: supported(getCI(raw, 'patch')),
    bulk: supported(getCI(raw, 'bulk')),
    filter: supported(getCI(raw, 'filter')),
    changePassword: supported(getCI(raw, 'changePassword')),
    sort: supported(getCI(raw, 'sort')),
    etag: supported(getCI(raw, 'etag')),
    authenticationSchemes: (Array.isArray(schemes) ? schemes : []).filter(isRecord).map((s) => ({
      type: asString(getCI(s, 'type')),
      name: asString(getCI(s, 'name')),
      description: asString(getCI(s, 'description')),
      specUri: asString(getCI(s, 'specUri')),
      documentationUri: asString(getCI(s, 'documentationUri')),
      primary: asBoolean(getCI(s, 'primary')),
    })),
    pagination: parsePagination(getCI(raw, 'pagination')),
    meta: meta as ServiceProviderConfig['meta'],
  };
}

export function parseResourceType(raw: unknown): ScimResourceType {
  if (!isRecord(raw)) throw notScim('resource type');
  const extensions = getCI(raw, 'schemaExtensions');
  return {
    schemas: asStringArray(getCI(raw, 'schemas')) ?? [],
    id: asString(getCI(raw, 'id')),
    name: asString(getCI(raw, 'name')) ?? asString(getCI(raw, 'id')) ?? '',
    description: asString(getCI(raw, 'description')),
    endpoint: asString(getCI(raw, 'endpoint')) ?? '',
    schema: asString(getCI(raw, 'schema')) ?? '',
    schemaExtensions: (Array.isArray(extensions) ? extensions : []).filter(isRecord).map((e) => ({
      schema: asString(getCI(e, 'schema')) ?? '',
      required: asBoolean(getCI(e, 'required')) ?? false,
    })),
    meta: coerce(getCI(raw, 'meta'), { complex: META }) as ScimResourceType['meta'],
  };
}

function parseSchemaAttribute(raw: JsonObject): ScimSchemaAttribute {
  const subs = getCI(raw, 'subAttributes');
  return {
    name: asString(getCI(raw, 'name')) ?? '',
    type: asString(getCI(raw, 'type')),
    multiValued: asBoolean(getCI(raw, 'multiValued')),
    description: asString(getCI(raw, 'description')),
    required: asBoolean(getCI(raw, 'required')),
    caseExact: asBoolean(getCI(raw, 'caseExact')),
    mutability: asString(getCI(raw, 'mutability')),
    returned: asString(getCI(raw, 'returned')),
    uniqueness: asString(getCI(raw, 'uniqueness')),
    canonicalValues: asStringArray(getCI(raw, 'canonicalValues')),
    referenceTypes: asStringArray(getCI(raw, 'referenceTypes')),
    subAttributes: Array.isArray(subs) ? subs.filter(isRecord).map(parseSchemaAttribute) : undefined,
  };
}

export function parseSchema(raw: unknown): ScimSchema {
  if (!isRecord(raw)) throw notScim('schema');
  const attributes = getCI(raw, 'attributes');
  return {
    schemas: asStringArray(getCI(raw, 'schemas')) ?? [],
    id: asString(getCI(raw, 'id')) ?? '',
    name: asString(getCI(raw, 'name')),
    description: asString(getCI(raw, 'description')),
    attributes: (Array.isArray(attributes) ? attributes : []).filter(isRecord).map(parseSchemaAttribute),
    meta: coerce(getCI(raw, 'meta'), { complex: META }) as ScimSchema['meta'],
  };
}

/** /ResourceTypes and /Schemas come as a ListResponse, or from some servers as a bare array. */
export function parseListOrArray<T>(raw: unknown, parseItem: (item: unknown) => T): T[] {
  if (Array.isArray(raw)) return raw.filter(isRecord).map(parseItem);
  return parseListResponse(raw, parseItem).resources;
}
