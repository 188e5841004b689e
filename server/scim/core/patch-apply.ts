// Add, replace and remove on one attribute path, as RFC 7644 §3.5.2.1-3 define them. The resource
// passed in is the caller's private copy and is changed in place.
import { isDeepStrictEqual } from 'node:util';
import { findAttribute, type AttributeDef } from './attributes.ts';
import { isPresent, matchesValue, simpleEquality } from './evaluate.ts';
import type { Filter } from './filter.ts';
import type { PatchPath } from './path.ts';
import {
  coerceComplex,
  coerceList,
  coerceScalar,
  deleteKey,
  onePrimary,
  opError,
  setKey,
  withoutNulls,
  type OpLabel,
} from './patch-values.ts';
import { extensionUrn, formatPath, type AttrPath, type ResourceTypeName } from './schema.ts';
import { getCI, isRecord, type JsonObject } from '../util.ts';

export interface Target {
  resourceType: ResourceTypeName;
  resource: JsonObject;
  label: OpLabel;
}

export type WriteMode = 'add' | 'replace';

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The object holding the attribute: the resource, or its extension block (created when asked). */
function container(t: Target, path: AttrPath, create: boolean): JsonObject | undefined {
  if (path.schema === undefined) return t.resource;
  const existing = getCI(t.resource, path.schema);
  if (isRecord(existing)) return existing;
  if (!create) return undefined;
  const block: JsonObject = {};
  setKey(t.resource, path.schema, block, extensionUrn(t.resourceType, path.schema) !== undefined);
  return block;
}

/** readOnly: only a write of the value it already has passes (and changes nothing); immutable: only while unset. */
function writable(def: AttributeDef | undefined, current: unknown, next: unknown, name: string, label: OpLabel): boolean {
  if (def?.mutability === 'readOnly') {
    if (isDeepStrictEqual(current, next)) return false;
    throw opError(label, 'mutability', `${name} is read-only`);
  }
  if (def?.mutability === 'immutable' && isPresent(current) && !isDeepStrictEqual(current, next)) {
    throw opError(label, 'mutability', `${name} is immutable and already has a value`);
  }
  return true;
}

function nextValue(
  def: AttributeDef | undefined,
  current: unknown,
  value: unknown,
  mode: WriteMode,
  name: string,
  label: OpLabel,
): unknown {
  if (def?.multiValued || (!def && Array.isArray(value))) {
    const items = coerceList(def, value, name, label);
    const list = mode === 'add' ? [...listOf(current)] : [];
    for (const item of items) if (!list.some((v) => isDeepStrictEqual(v, item))) list.push(item);
    onePrimary(list, items);
    return list;
  }
  if (def?.type === 'complex' || (!def && isRecord(value) && isRecord(current))) {
    // Both add and replace merge into a complex attribute: sub-attributes not sent stay (§3.5.2.3).
    const incoming = def ? coerceComplex(def, value, name, label) : (value as JsonObject);
    const merged: JsonObject = isRecord(current) ? { ...current } : {};
    for (const [key, v] of Object.entries(incoming)) {
      if (v === null) deleteKey(merged, key);
      else setKey(merged, key, v, findAttribute(def?.subAttributes, key) !== undefined);
    }
    return merged;
  }
  return def ? coerceScalar(def, value, name, label) : value;
}

/** Sets one attribute of `box` (the resource, an extension block or a complex value). */
export function writeAttribute(box: JsonObject, def: AttributeDef | undefined, attr: string, value: unknown, mode: WriteMode, t: Target) {
  const name = t.label.path ?? attr;
  const current = getCI(box, attr);
  const emptied = value === null || (Array.isArray(value) && value.length === 0 && mode === 'replace');
  const next = emptied ? undefined : nextValue(def, current, value, mode, name, t.label);
  if (!writable(def, current, next, name, t.label)) return;
  if (def?.required && !isPresent(next)) throw opError(t.label, 'invalidValue', `${def.name} is required and cannot be empty`);
  if (next === undefined || (isRecord(next) && Object.keys(next).length === 0)) deleteKey(box, attr);
  else setKey(box, def?.name ?? attr, next, def !== undefined);
}

export function writePath(t: Target, pp: PatchPath, value: unknown, mode: WriteMode): void {
  if (pp.filter) return writeFiltered(t, pp, pp.filter, value, mode);
  const box = container(t, pp.path, true)!;
  if (pp.path.sub === undefined) return writeAttribute(box, pp.def, pp.path.attr, value, mode, t);
  const name = formatPath(pp.path);
  if (pp.def?.mutability === 'readOnly') throw opError(t.label, 'mutability', `${name} is read-only`);
  const current = getCI(box, pp.path.attr);
  if (pp.def?.multiValued || Array.isArray(current)) {
    // `emails.value` without a filter: every value's sub-attribute (a first value when there is none).
    const list = listOf(current).filter(isRecord);
    if (list.length === 0) list.push({});
    for (const item of list) writeAttribute(item, pp.subDef, pp.path.sub, value, 'replace', t);
    setKey(box, pp.def?.name ?? pp.path.attr, list, pp.def !== undefined);
    return;
  }
  const obj = isRecord(current) ? current : {};
  writeAttribute(obj, pp.subDef, pp.path.sub, value, mode, t);
  if (Object.keys(obj).length === 0) deleteKey(box, pp.path.attr);
  else setKey(box, pp.def?.name ?? pp.path.attr, obj, pp.def !== undefined);
}

/** `emails[type eq "work"]` with no match: the value the filter describes, when it is all `eq` terms. */
function valueFromFilter(filter: Filter): JsonObject | undefined {
  const terms = simpleEquality(filter);
  if (!terms || terms.some((term) => term.path.sub !== undefined || term.path.schema !== undefined)) return undefined;
  return Object.fromEntries(terms.map((term) => [term.path.attr, term.value]));
}

function writeFiltered(t: Target, pp: PatchPath, filter: Filter, value: unknown, mode: WriteMode): void {
  const name = formatPath(pp.path);
  if (pp.def?.mutability === 'readOnly') throw opError(t.label, 'mutability', `${name} is read-only`);
  const box = container(t, pp.path, true)!;
  const list = listOf(getCI(box, pp.path.attr));
  const matched = list.filter((v): v is JsonObject => matchesValue(v, filter, t.resourceType, pp.def));
  const coerce = (v: unknown): JsonObject => withoutNulls(pp.def ? coerceComplex(pp.def, v, name, t.label) : asObject(v, name, t.label));
  if (matched.length === 0) {
    // Entra ID adds `emails[type eq "work"].value` to users without a work email (RFC: noTarget).
    const created = valueFromFilter(filter);
    if (!created) throw opError(t.label, 'noTarget', `no value of ${name} matches the filter`);
    if (pp.subAttr !== undefined) writeAttribute(created, pp.subDef, pp.subAttr, value, 'replace', t);
    else Object.assign(created, coerce(value));
    matched.push(created);
    list.push(created);
  } else {
    for (const item of matched) {
      if (pp.subAttr !== undefined) writeAttribute(item, pp.subDef, pp.subAttr, value, 'replace', t);
      else if (mode === 'replace') replaceContents(item, coerce(value));
      else Object.assign(item, coerce(value));
    }
  }
  onePrimary(list, matched);
  setKey(box, pp.def?.name ?? pp.path.attr, list, pp.def !== undefined);
}

function asObject(value: unknown, name: string, label: OpLabel): JsonObject {
  if (!isRecord(value)) throw opError(label, 'invalidValue', `${name} must be an object`);
  return value;
}

function replaceContents(item: JsonObject, next: JsonObject): void {
  for (const key of Object.keys(item)) delete item[key];
  Object.assign(item, next);
}

/** Same value for a removal by value (Entra ID's members removal): by `value` when both have one. */
function sameValue(a: unknown, b: unknown): boolean {
  if (isRecord(a) && isRecord(b) && getCI(b, 'value') !== undefined) return getCI(a, 'value') === getCI(b, 'value');
  return isDeepStrictEqual(a, b);
}

export function removePath(t: Target, pp: PatchPath, value: unknown): void {
  const name = formatPath(pp.path);
  const box = container(t, pp.path, false);
  const current = box && getCI(box, pp.path.attr);
  if (pp.def?.mutability === 'readOnly') throw opError(t.label, 'mutability', `${name} is read-only`);
  const whole = !pp.filter && pp.path.sub === undefined;
  if (whole && pp.def?.required) throw opError(t.label, 'invalidValue', `${name} is required and cannot be removed`);
  const sub = pp.subDef ?? (pp.path.sub !== undefined ? undefined : pp.def);
  if (sub?.mutability === 'readOnly' || (sub?.mutability === 'immutable' && isPresent(current))) {
    throw opError(t.label, 'mutability', `${name} is ${sub.mutability === 'readOnly' ? 'read-only' : 'immutable'}`);
  }
  if (!box || current === undefined) return;
  let next: unknown = undefined;
  if (pp.filter) {
    const filter = pp.filter;
    const hit = (v: unknown) => matchesValue(v, filter, t.resourceType, pp.def);
    if (pp.subAttr !== undefined) next = listOf(current).map((v) => (hit(v) && isRecord(v) ? (deleteKey(v, pp.subAttr!), v) : v));
    else next = listOf(current).filter((v) => !hit(v));
  } else if (pp.path.sub !== undefined) {
    for (const item of listOf(current)) if (isRecord(item)) deleteKey(item, pp.path.sub);
    next = current;
  } else if (value !== undefined && value !== null && Array.isArray(current)) {
    const items = coerceList(pp.def, value, name, t.label);
    next = current.filter((v) => !items.some((item) => sameValue(v, item)));
  }
  if (!isPresent(next) && !(isRecord(next) && Object.keys(next).length > 0)) deleteKey(box, pp.path.attr);
  else setKey(box, pp.def?.name ?? pp.path.attr, next, pp.def !== undefined);
}
