/**
 * RFC 7644 §3.5.2 PatchOp applied to a plain document (a user's attributes, or a group's
 * attributes with `members` as an array). The caller re-validates the result with validate.ts,
 * so operations here only need to place values; type checks happen once, afterwards.
 */
import { badRequest, invalidPath, invalidSyntax, invalidValue, mutability, noTarget } from './errors.ts';
import { type FilterNode, type PatchPath, compileElementFilter, parsePatchPath } from './filter.ts';
import type { Quirks } from './quirks.ts';
import { type AttrDef, COMMON_ATTRIBUTES, PATCH_OP, type SchemaSet, extensionUrn, findAttr } from './schema.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

type OpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  op: OpName;
  path?: string;
  value?: unknown;
}

interface Ctx {
  set: SchemaSet;
  q: Quirks;
}

/** Checks the PatchOp envelope; op names are case-insensitive because Entra sends `Replace`. */
export function parsePatchBody(body: unknown): PatchOperation[] {
  if (!isObj(body)) throw invalidSyntax('PATCH body must be a JSON object');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(PATCH_OP)) throw invalidSyntax(`PATCH body must have schemas ["${PATCH_OP}"]`);
  const ops = body.Operations ?? body.operations;
  if (!Array.isArray(ops) || ops.length === 0) throw invalidSyntax("PATCH body needs a non-empty 'Operations' array");
  return ops.map((raw, i) => {
    if (!isObj(raw)) throw invalidSyntax(`Operations[${i}] must be an object`);
    const op = typeof raw.op === 'string' ? raw.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw invalidSyntax(`Operations[${i}].op must be add, replace or remove`);
    if (raw.path !== undefined && typeof raw.path !== 'string') throw invalidPath(`Operations[${i}].path must be a string`);
    if (op !== 'remove' && !('value' in raw)) throw invalidSyntax(`Operations[${i}] (${op}) needs a value`);
    const out: PatchOperation = { op };
    if (typeof raw.path === 'string' && raw.path.trim() !== '') out.path = raw.path.trim();
    if ('value' in raw) out.value = raw.value;
    return out;
  });
}

const TOP_READ_ONLY = new Set(['schemas', 'id', 'meta', 'groups']);

function sameValue(a: unknown, b: unknown): boolean {
  if (isObj(a) && isObj(b) && 'value' in a && 'value' in b)
    return a.value === b.value && (a.type === undefined || b.type === undefined || a.type === b.type);
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `type eq "work" and primary eq true` -> {type: 'work', primary: true}, for creating the element a filter names. */
function eqConstraints(node: FilterNode, out: Obj = {}): Obj {
  if (node.kind === 'compare' && node.op === 'eq' && !node.path.sub) out[node.path.name] = node.value;
  if (node.kind === 'logical' && node.op === 'and') {
    eqConstraints(node.left, out);
    eqConstraints(node.right, out);
  }
  return out;
}

/** When a new value is primary, the others stop being primary (RFC 7643 §2.4). */
function enforcePrimary(arr: unknown[], keep: unknown): void {
  if (!isObj(keep) || keep.primary !== true) return;
  for (const el of arr) if (el !== keep && isObj(el) && el.primary === true) el.primary = false;
}

interface Target {
  container: Obj;
  def: AttrDef;
  key: string;
}

function resolveTarget(doc: Obj, pp: PatchPath, create: boolean, ctx: Ctx): Target | undefined {
  const { urn, name } = pp.path;
  let container: Obj = doc;
  let defs = ctx.set.attributes;
  let common = true;
  if (urn && urn.toLowerCase() !== ctx.set.core.toLowerCase()) {
    const ext = extensionUrn(ctx.set, urn);
    if (!ext) {
      if (ctx.q.unknownAttributes === 'reject') throw invalidPath(`Unknown schema '${urn}'`);
      return undefined;
    }
    defs = ctx.set.extensions.get(ext.toLowerCase()) ?? [];
    common = false;
    const inner = doc[ext];
    if (isObj(inner)) container = inner;
    else {
      if (!create) return undefined;
      container = {};
      doc[ext] = container;
    }
  }
  const def = findAttr(defs, name) ?? (common ? findAttr(COMMON_ATTRIBUTES, name) : undefined);
  if (!def) {
    if (ctx.q.unknownAttributes === 'reject') throw invalidPath(`Unknown attribute '${pp.path.raw}'`);
    return undefined;
  }
  if (def.mutability === 'readOnly') throw mutability(`Attribute '${def.name}' is read-only`);
  return { container, def, key: def.name };
}

function subDefOf(t: Target, sub: string, ctx: Ctx): AttrDef | undefined {
  const d = t.def.subAttributes ? findAttr(t.def.subAttributes, sub) : undefined;
  if (!d) {
    if (ctx.q.unknownAttributes === 'reject' || !t.def.subAttributes) throw invalidPath(`Unknown sub-attribute '${t.def.name}.${sub}'`);
    return undefined;
  }
  return d;
}

function setWhole(t: Target, op: OpName, value: unknown, ctx: Ctx): void {
  const { container, def, key } = t;
  if (op === 'remove') {
    if (def.multiValued && value !== undefined && Array.isArray(container[key])) {
      // Entra/Azure style: remove with path "members" and the values to drop.
      const drop = Array.isArray(value) ? value : [value];
      const kept = (container[key] as unknown[]).filter(
        (el) => !drop.some((d) => sameValue(el, d) || (isObj(el) && isObj(d) && el.value === d.value)),
      );
      if (kept.length > 0) container[key] = kept;
      else delete container[key];
      return;
    }
    if (key === 'members' && ctx.q.rejectMembersReplaceAll)
      throw badRequest('invalidValue', 'Removing all members of a group is not supported');
    delete container[key];
    return;
  }
  if (value === null) {
    delete container[key];
    return;
  }
  if (def.multiValued) {
    if (op === 'replace' && key === 'members' && ctx.q.rejectMembersReplaceAll)
      throw badRequest('invalidValue', 'Replacing all members of a group is not supported');
    const items = Array.isArray(value) ? value : [value];
    if (op === 'replace') {
      container[key] = items;
      return;
    }
    const arr = Array.isArray(container[key]) ? (container[key] as unknown[]) : [];
    for (const item of items) {
      if (arr.some((e) => sameValue(e, item))) continue;
      arr.push(item);
      enforcePrimary(arr, item);
    }
    container[key] = arr;
    return;
  }
  if (def.type === 'complex') {
    if (!isObj(value)) throw invalidValue(`Attribute '${def.name}' expects an object value`);
    container[key] = { ...(isObj(container[key]) ? (container[key] as Obj) : {}), ...value };
    return;
  }
  container[key] = value;
}

function setSub(t: Target, sub: string, op: OpName, value: unknown, ctx: Ctx): void {
  const sd = subDefOf(t, sub, ctx);
  if (!sd) return;
  if (sd.mutability === 'readOnly') throw mutability(`Attribute '${t.def.name}.${sd.name}' is read-only`);
  const { container, key, def } = t;
  if (def.multiValued) {
    const arr = Array.isArray(container[key]) ? (container[key] as Obj[]) : [];
    if (op === 'remove') arr.forEach((el) => isObj(el) && delete el[sd.name]);
    else if (arr.length === 0) container[key] = [{ [sd.name]: value }];
    else arr.forEach((el) => isObj(el) && (el[sd.name] = value));
    return;
  }
  const current = container[key];
  let obj: Obj;
  if (isObj(current)) obj = current;
  else {
    if (op === 'remove') return;
    obj = {};
    container[key] = obj;
  }
  if (op === 'remove' || value === null) delete obj[sd.name];
  else obj[sd.name] = value;
  if (Object.keys(obj).length === 0) delete container[key];
}

function setFiltered(t: Target, filter: FilterNode, sub: string | undefined, op: OpName, value: unknown, ctx: Ctx): void {
  const { container, def, key } = t;
  if (!def.multiValued || def.type !== 'complex')
    throw invalidPath(`A value filter needs a multi-valued complex attribute, not '${def.name}'`);
  const pred = compileElementFilter(filter, def, { set: ctx.set });
  const subName = sub === undefined ? undefined : subDefOf(t, sub, ctx)?.name;
  if (sub !== undefined && subName === undefined) return;
  const arr = Array.isArray(container[key]) ? (container[key] as Obj[]) : [];
  const matches = arr.filter((el) => pred(el));
  if (op === 'remove') {
    if (subName) matches.forEach((el) => delete el[subName]);
    else {
      const kept = arr.filter((el) => !matches.includes(el));
      if (kept.length > 0) container[key] = kept;
      else delete container[key];
    }
    return;
  }
  if (matches.length === 0) {
    if (op === 'replace' && !ctx.q.patchUpsertOnNoTarget) throw noTarget(`No value of '${def.name}' matches the filter`);
    const el: Obj = eqConstraints(filter);
    if (subName) el[subName] = value;
    else if (isObj(value)) Object.assign(el, value);
    else throw invalidValue(`Attribute '${def.name}' expects an object value`);
    arr.push(el);
    enforcePrimary(arr, el);
    container[key] = arr;
    return;
  }
  for (const el of matches) {
    if (subName) {
      if (value === null) delete el[subName];
      else el[subName] = value;
    } else if (isObj(value)) Object.assign(el, value);
    else throw invalidValue(`Attribute '${def.name}' expects an object value`);
    enforcePrimary(arr, el);
  }
}

function applyOne(doc: Obj, op: OpName, path: string | undefined, value: unknown, ctx: Ctx): void {
  if (path === undefined) {
    if (op === 'remove') throw noTarget("'remove' needs a 'path'");
    if (!isObj(value)) throw invalidValue(`'${op}' without a path needs an object value`);
    for (const [k, v] of Object.entries(value)) {
      if (TOP_READ_ONLY.has(k.toLowerCase())) continue;
      const ext = extensionUrn(ctx.set, k);
      if (ext && isObj(v)) {
        for (const [sk, sv] of Object.entries(v)) applyOne(doc, op, `${ext}:${sk}`, sv, ctx);
      } else applyOne(doc, op, k, v, ctx);
    }
    return;
  }
  const ext = extensionUrn(ctx.set, path);
  if (ext) {
    // The path names a whole extension block.
    if (op === 'remove') delete doc[ext];
    else if (!isObj(value)) throw invalidValue(`'${ext}' expects an object value`);
    else for (const [sk, sv] of Object.entries(value)) applyOne(doc, op, `${ext}:${sk}`, sv, ctx);
    return;
  }
  const pp = parsePatchPath(path);
  const t = resolveTarget(doc, pp, op !== 'remove', ctx);
  if (!t) return;
  if (pp.filter) setFiltered(t, pp.filter, pp.sub, op, value, ctx);
  else if (pp.path.sub) setSub(t, pp.path.sub, op, value, ctx);
  else setWhole(t, op, value, ctx);
}

/** Applies the operations to a deep copy; the input document is left untouched. */
export function applyPatch(doc: Obj, ops: PatchOperation[], set: SchemaSet, q: Quirks): Obj {
  const work = structuredClone(doc);
  const ctx: Ctx = { set, q };
  for (const o of ops) applyOne(work, o.op, o.path, o.value, ctx);
  return work;
}

/** Member values an operation list touches (G1 counts them like AWS: per value, not per operation). */
export function countMemberChanges(ops: PatchOperation[]): number {
  let n = 0;
  for (const o of ops) {
    const path = o.path?.toLowerCase();
    if (path === undefined) {
      const members = isObj(o.value) ? Object.entries(o.value).find(([k]) => k.toLowerCase() === 'members')?.[1] : undefined;
      if (Array.isArray(members)) n += members.length;
    } else if (path === 'members') n += Array.isArray(o.value) ? o.value.length : o.value === undefined ? 0 : 1;
    else if (path.startsWith('members[')) n += 1;
  }
  return n;
}

export interface MemberDelta {
  add: { value: string; type?: string }[];
  remove: string[];
}

/**
 * Recognises the member-only PATCH shapes clients send for big groups (add with path "members",
 * remove with `members[value eq "x"]` or with a value list) so they can be applied to the member
 * map directly instead of rebuilding a 50,000-element array. Anything else returns undefined.
 */
export function memberOnlyDelta(ops: PatchOperation[]): MemberDelta | undefined {
  const delta: MemberDelta = { add: [], remove: [] };
  for (const o of ops) {
    const path = o.path?.toLowerCase();
    const list = (v: unknown) =>
      (Array.isArray(v) ? v : [v]).map((m) =>
        isObj(m) && typeof m.value === 'string' ? { value: m.value, ...(typeof m.type === 'string' ? { type: m.type } : {}) } : undefined,
      );
    if (
      o.op === 'add' &&
      (path === 'members' ||
        (path === undefined && isObj(o.value) && Object.keys(o.value).length === 1 && Object.keys(o.value)[0].toLowerCase() === 'members'))
    ) {
      const items = list(path === undefined ? (o.value as Obj)[Object.keys(o.value as Obj)[0]] : o.value);
      if (items.some((m) => !m)) return undefined;
      delta.add.push(...(items as { value: string }[]));
    } else if (o.op === 'remove' && path === 'members' && o.value !== undefined) {
      const items = list(o.value);
      if (items.some((m) => !m)) return undefined;
      delta.remove.push(...(items as { value: string }[]).map((m) => m.value));
    } else if (o.op === 'remove' && o.path && /^members\[\s*value\s+eq\s+"/i.test(o.path)) {
      const pp = parsePatchPath(o.path);
      const f = pp.filter;
      if (pp.sub || !f || f.kind !== 'compare' || f.op !== 'eq' || f.path.name.toLowerCase() !== 'value' || typeof f.value !== 'string')
        return undefined;
      delta.remove.push(f.value);
    } else return undefined;
    // Order matters only when one id is both added and removed; leave that to the generic path.
  }
  const added = new Set(delta.add.map((m) => m.value));
  if (delta.remove.some((r) => added.has(r))) return undefined;
  return delta;
}
