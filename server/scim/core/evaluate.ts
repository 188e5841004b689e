// Filters evaluated on the SCIM JSON of a resource (RFC 7644 §3.4.2.2). Names are matched on the
// resource's keys in any case; extension attributes live under their URN key. A multi-valued
// attribute matches when any of its values does, and a complex one compared without a
// sub-attribute compares its `value` sub-attributes (`emails co "@example.com"`).
//
// Unassigned, null and [] are one state (RFC 7643 §2.5), so `attr eq null` matches an absent
// attribute and `attr ne null` a present one. `ne` matches when no value equals the operand,
// an absent attribute included: absent is null, and null is not identical to "x"; for a
// multi-valued attribute `ne` matches when some value differs (the RFC's "any value" rule).
import { findAttribute, type AttributeDef } from './attributes.ts';
import { scoped, type CompValue, type CompareFilter, type CompareOp, type Filter, type FilterScope } from './filter.ts';
import type { AttrPath, ResourceTypeName } from './schema.ts';
import { asBoolean, getCI, isRecord, parseTimestamp, type JsonObject } from '../util.ts';

export function matchesFilter(resource: object, filter: Filter, resourceType: ResourceTypeName): boolean {
  return evaluate(resource as JsonObject, filter, { resourceType });
}

/** One value of the multi-valued attribute `parent` against the filter inside `parent[...]`. */
export function matchesValue(value: unknown, filter: Filter, resourceType: ResourceTypeName, parent: AttributeDef | undefined): boolean {
  return isRecord(value) && evaluate(value, filter, { resourceType, parent });
}

function evaluate(obj: JsonObject, filter: Filter, scope: FilterScope): boolean {
  switch (filter.op) {
    case 'and':
      return evaluate(obj, filter.left, scope) && evaluate(obj, filter.right, scope);
    case 'or':
      return evaluate(obj, filter.left, scope) || evaluate(obj, filter.right, scope);
    case 'not':
      return !evaluate(obj, filter.filter, scope);
    case 'valuePath': {
      const { def } = scoped(scope, filter.path);
      const inner: FilterScope = { resourceType: scope.resourceType, parent: def };
      return listOf(attributeValue(obj, filter.path, scope)).some((v) => isRecord(v) && evaluate(v, filter.filter, inner));
    }
    case 'pr':
      return leaves(obj, filter.path, scope).some(isPresent);
    default:
      return compare(obj, filter, scope);
  }
}

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function attributeValue(obj: JsonObject, path: AttrPath, scope: FilterScope): unknown {
  let container: unknown = obj;
  if (!scope.parent && path.schema !== undefined) container = getCI(obj, path.schema);
  return isRecord(container) ? getCI(container, path.attr) : undefined;
}

/** The values a path reaches, flattened over multi-valued attributes. */
function leaves(obj: JsonObject, path: AttrPath, scope: FilterScope): unknown[] {
  const values = listOf(attributeValue(obj, path, scope));
  if (path.sub === undefined) return values;
  return values.flatMap((v) => (isRecord(v) ? listOf(getCI(v, path.sub!)) : []));
}

export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (isRecord(value)) return Object.values(value).some(isPresent);
  return true;
}

function compare(obj: JsonObject, filter: CompareFilter, scope: FilterScope): boolean {
  const { def } = scoped(scope, filter.path);
  let values = leaves(obj, filter.path, scope);
  let leaf = def;
  if (def?.type === 'complex' || (!def && values.some(isRecord))) {
    values = values.map((v) => (isRecord(v) ? getCI(v, 'value') : v));
    leaf = findAttribute(def?.subAttributes, 'value');
  }
  values = values.filter((v) => v !== undefined && v !== null);
  if (filter.value === null) return filter.op === 'eq' ? values.length === 0 : values.length > 0;
  if (values.length === 0) return filter.op === 'ne';
  return values.some((v) => compareOne(v, filter.op, filter.value!, leaf));
}

function ordered(op: CompareOp, a: number | string, b: number | string): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    default:
      return typeof a === 'string' && typeof b === 'string' && substring(op, a, b);
  }
}

function substring(op: CompareOp, a: string, b: string): boolean {
  if (op === 'co') return a.includes(b);
  if (op === 'sw') return a.startsWith(b);
  return op === 'ew' && a.endsWith(b);
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function asInstant(v: unknown): number | undefined {
  const iso = parseTimestamp(v);
  return iso === undefined ? undefined : Date.parse(iso);
}

function compareOne(actual: unknown, op: CompareOp, expected: Exclude<CompValue, null>, def: AttributeDef | undefined): boolean {
  const type = def?.type;
  if (type === 'boolean' || typeof expected === 'boolean') {
    const a = asBoolean(actual);
    return a !== undefined && ordered(op, String(a), String(expected));
  }
  if (type === 'integer' || type === 'decimal' || (!def && typeof expected === 'number')) {
    const a = asNumber(actual);
    const e = asNumber(expected);
    return a !== undefined && e !== undefined && ordered(op, a, e);
  }
  if (type === 'dateTime') {
    const a = asInstant(actual);
    const e = asInstant(expected);
    return a !== undefined && e !== undefined && ordered(op, a, e);
  }
  if (typeof actual !== 'string' && typeof actual !== 'number' && typeof actual !== 'boolean') return false;
  const exact = def?.caseExact ?? false;
  const a = exact ? String(actual) : String(actual).toLowerCase();
  const e = exact ? String(expected) : String(expected).toLowerCase();
  return ordered(op, a, e);
}

/**
 * The `eq` terms of a filter that is nothing but a conjunction of them (`userName eq "x" and active
 * eq true`), so an index can answer it exactly; undefined for any other filter. A value path with
 * one `eq` inside (`emails[value eq "x"]`) is the same as `emails.value eq "x"` and counts.
 */
export function simpleEquality(filter: Filter): { path: AttrPath; value: Exclude<CompValue, null> }[] | undefined {
  if (filter.op === 'and') {
    const left = simpleEquality(filter.left);
    const right = left && simpleEquality(filter.right);
    return right && [...left!, ...right];
  }
  if (filter.op === 'valuePath' && filter.path.sub === undefined && filter.filter.op === 'eq' && filter.filter.path.sub === undefined) {
    const inner = filter.filter;
    return inner.value === null ? undefined : [{ path: { ...filter.path, sub: inner.path.attr }, value: inner.value }];
  }
  if (filter.op === 'eq' && filter.value !== null) return [{ path: filter.path, value: filter.value }];
  return undefined;
}
