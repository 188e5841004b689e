// Filter expressions (RFC 7644 §3.4.2.2) built from parts, never from string concatenation of
// user data: values are JSON strings (so `"` and `\` are escaped), attribute names are checked
// and sent in canonical casing because some servers match them case-sensitively (F4). Only
// `eq` and `and` are offered: that is all many servers support (F1), and lookups are batched one
// value at a time instead of as `or` chains (F8).
import { ENTERPRISE_USER } from './types.ts';

const CANONICAL = [
  'id',
  'externalId',
  'userName',
  'displayName',
  'active',
  'title',
  'userType',
  'name.givenName',
  'name.familyName',
  'name.middleName',
  'name.formatted',
  'emails',
  'emails.value',
  'emails.type',
  'emails.primary',
  'phoneNumbers.value',
  'members',
  'members.value',
  'groups.value',
  'meta.created',
  'meta.lastModified',
  'meta.resourceType',
  'value',
  'type',
  'primary',
  `${ENTERPRISE_USER}:employeeNumber`,
  `${ENTERPRISE_USER}:department`,
  `${ENTERPRISE_USER}:costCenter`,
  `${ENTERPRISE_USER}:organization`,
];
const BY_LOWER = new Map(CANONICAL.map((name) => [name.toLowerCase(), name]));

// ATTRNAME *(nameChar) with optional URN prefix and sub-attribute (RFC 7644 §3.4.2.2 ABNF).
const ATTR_PATH = /^(?:urn:[A-Za-z0-9:._-]+:)?[A-Za-z$][\w$-]*(?:\.[A-Za-z$][\w$-]*)?$/;

export function canonicalAttribute(path: string): string {
  const trimmed = path.trim();
  if (!ATTR_PATH.test(trimmed)) throw new TypeError(`Not a SCIM attribute path: ${JSON.stringify(path).slice(0, 80)}`);
  return BY_LOWER.get(trimmed.toLowerCase()) ?? trimmed;
}

export type FilterValue = string | number | boolean | null;

/** A comparison value as RFC 7644 wants it: JSON, so a string gets quotes with `"` and `\` escaped. */
export function filterValue(value: FilterValue): string {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('Filter numbers must be finite');
  return JSON.stringify(value);
}

export function eq(attribute: string, value: FilterValue): string {
  return `${canonicalAttribute(attribute)} eq ${filterValue(value)}`;
}

export function and(...filters: string[]): string {
  const parts = filters.filter((f) => f.trim() !== '');
  if (parts.length === 0) throw new TypeError('and() needs at least one filter');
  if (parts.length === 1) return parts[0];
  return parts.map((f) => (/\s(or|and)\s/i.test(f) ? `(${f})` : f)).join(' and ');
}

/** A value-path filter for PATCH paths and member removal: `emails[type eq "work"]`. */
export function valuePath(attribute: string, subAttribute: string, value: FilterValue, then?: string): string {
  const base = `${canonicalAttribute(attribute)}[${canonicalAttribute(subAttribute)} eq ${filterValue(value)}]`;
  return then ? `${base}.${canonicalAttribute(then)}` : base;
}
