// PATCH values checked and coerced against attribute definitions. Clients are loose in known ways
// (Entra ID sends "False" for booleans and a bare id for `manager`), so those are accepted; anything
// else that does not fit the type is invalidValue naming the attribute.
import { findAttribute, type AttributeDef } from './attributes.ts';
import { ScimRequestError, type ScimType } from './errors.ts';
import { isRecord, parseTimestamp, type JsonObject } from '../util.ts';

/** Where an operation is, for error details: `Operations[2] (replace emails[type eq "work"].value)`. */
export interface OpLabel {
  index: number;
  op: string;
  path?: string;
}

export function opError(label: OpLabel, scimType: ScimType, message: string): ScimRequestError {
  const path = label.path === undefined ? '' : ` ${label.path.length > 120 ? `${label.path.slice(0, 120)}…` : label.path}`;
  return new ScimRequestError(400, scimType, `Operations[${label.index}] (${label.op}${path}): ${message}`);
}

const BOOLEAN: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
]);

export function coerceScalar(def: AttributeDef, value: unknown, name: string, label: OpLabel): unknown {
  const bad = (what: string): never => {
    throw opError(label, 'invalidValue', `${name} must be ${what}`);
  };
  switch (def.type) {
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      const b = typeof value === 'string' ? BOOLEAN.get(value.trim().toLowerCase()) : undefined;
      return b ?? bad('true or false');
    }
    case 'integer':
    case 'decimal': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n) || (def.type === 'integer' && !Number.isSafeInteger(n)))
        bad(`a${def.type === 'integer' ? 'n' : ''} ${def.type}`);
      return n;
    }
    case 'dateTime':
      return (typeof value === 'string' ? parseTimestamp(value) : undefined) ?? bad('an RFC 3339 timestamp');
    case 'complex':
      return coerceComplex(def, value, name, label);
    default:
      if (typeof value === 'string') return value;
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      return bad('a string');
  }
}

/**
 * A complex value with its sub-attributes in canonical spelling. A bare string stands for the
 * `value` sub-attribute (Entra ID's manager). Read-only sub-attributes (manager.displayName) are
 * the server's to set and are dropped; null sub-attributes stay null, meaning "clear it" when merged.
 */
export function coerceComplex(def: AttributeDef, value: unknown, name: string, label: OpLabel): JsonObject {
  const valueSub = findAttribute(def.subAttributes, 'value');
  if (typeof value === 'string' && valueSub) return { value: coerceScalar(valueSub, value, `${name}.value`, label) };
  if (!isRecord(value)) throw opError(label, 'invalidValue', `${name} must be an object`);
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    const sub = findAttribute(def.subAttributes, key);
    if (!sub) out[key] = v;
    else if (sub.mutability === 'readOnly') continue;
    else out[sub.name] = v === null ? null : coerceScalar(sub, v, `${name}.${sub.name}`, label);
  }
  return out;
}

/** Values for a multi-valued attribute: one value alone is taken as a list of one. */
export function coerceList(def: AttributeDef | undefined, value: unknown, name: string, label: OpLabel): unknown[] {
  const list = Array.isArray(value) ? value : [value];
  return list
    .filter((v) => v !== null)
    .map((v, i) => {
      if (!def) return v;
      const item = def.type === 'complex' ? coerceComplex(def, v, `${name}[${i}]`, label) : coerceScalar(def, v, `${name}[${i}]`, label);
      return isRecord(item) ? withoutNulls(item) : item;
    });
}

export function withoutNulls(obj: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null));
}

/** The key of `obj` that names `name` in any letter case. */
export function keyOf(obj: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

/** Known attributes are written in canonical spelling; unknown ones under the key they already have. */
export function setKey(obj: JsonObject, name: string, value: unknown, canonical: boolean): void {
  const existing = keyOf(obj, name);
  if (existing !== undefined && existing !== name && canonical) delete obj[existing];
  obj[canonical ? name : (existing ?? name)] = value;
}

export function deleteKey(obj: JsonObject, name: string): void {
  const existing = keyOf(obj, name);
  if (existing !== undefined) delete obj[existing];
}

/** `primary: true` appears at most once (RFC 7643 §2.4): the value just written keeps it. */
export function onePrimary(list: unknown[], written: readonly unknown[]): void {
  const primaries = list.filter((v): v is JsonObject => isRecord(v) && v[keyOf(v, 'primary') ?? 'primary'] === true);
  if (primaries.length < 2) return;
  const keep = primaries.findLast((v) => written.includes(v)) ?? primaries[primaries.length - 1];
  for (const v of primaries) if (v !== keep) deleteKey(v, 'primary');
}
