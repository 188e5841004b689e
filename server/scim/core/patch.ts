// Applies an RFC 7644 §3.5.2 PatchOp to the SCIM JSON of a resource, liberal in what real clients
// send (Entra ID's "Replace" and "False", paths as keys of a path-less value, Okta's filtered member
// removals). A group's members are not materialized (groups can be huge): the membership changes
// come back as `memberOps`, in order, for the caller to apply.
import { isDeepStrictEqual } from 'node:util';
import { ScimRequestError } from './errors.ts';
import type { Filter } from './filter.ts';
import { parseAttributePath, type PatchPath } from './path.ts';
import { removePath, writePath, type Target, type WriteMode } from './patch-apply.ts';
import { keyOf, opError, type OpLabel } from './patch-values.ts';
import { RESOURCE_TYPES, extensionUrn, isCoreUrn, resolvePath, type ResourceTypeName } from './schema.ts';
import { SCHEMAS } from '../types.ts';
import { getCI, isRecord, type JsonObject } from '../util.ts';

export type MemberOp =
  { kind: 'add'; ids: string[] } | { kind: 'remove'; ids: string[] } | { kind: 'removeAll' } | { kind: 'replace'; ids: string[] };

export interface PatchResult {
  /** A new object: the input is never changed. */
  resource: JsonObject;
  /** Group membership changes in request order (always empty for users). */
  memberOps: MemberOp[];
  /** Whether the resource's attributes changed (member changes are reported in memberOps only). */
  changed: boolean;
}

export const MAX_OPERATIONS = 1000;

interface State {
  resourceType: ResourceTypeName;
  resource: JsonObject;
  memberOps: MemberOp[];
}

export function applyPatch(resource: object, body: unknown, resourceType: ResourceTypeName): PatchResult {
  const operations = readOperations(body);
  const original = resource as JsonObject;
  const state: State = { resourceType, resource: structuredClone(original), memberOps: [] };
  operations.forEach((op, index) => applyOperation(state, op, index));
  syncExtensions(state.resource, resourceType);
  return { resource: state.resource, memberOps: state.memberOps, changed: !isDeepStrictEqual(original, state.resource) };
}

function readOperations(body: unknown): unknown[] {
  if (!isRecord(body)) throw new ScimRequestError(400, 'invalidSyntax', 'The PATCH body must be a JSON object');
  const schemas = getCI(body, 'schemas');
  const patchOp = SCHEMAS.patchOp.toLowerCase();
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.some((s) => typeof s === 'string' && s.toLowerCase() === patchOp))) {
    throw new ScimRequestError(400, 'invalidSyntax', `schemas must be ["${SCHEMAS.patchOp}"]`);
  }
  const operations = getCI(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw new ScimRequestError(400, 'invalidSyntax', 'Operations must be a non-empty array of operations');
  }
  if (operations.length > MAX_OPERATIONS) {
    throw new ScimRequestError(
      400,
      'invalidSyntax',
      `Operations holds ${operations.length} operations; at most ${MAX_OPERATIONS} are accepted`,
    );
  }
  return operations;
}

const OPS: ReadonlySet<string> = new Set(['add', 'remove', 'replace']);

function applyOperation(state: State, raw: unknown, index: number): void {
  if (!isRecord(raw)) throw new ScimRequestError(400, 'invalidSyntax', `Operations[${index}] must be an object`);
  const opValue = getCI(raw, 'op');
  const op = typeof opValue === 'string' ? opValue.trim().toLowerCase() : '';
  if (!OPS.has(op)) throw new ScimRequestError(400, 'invalidSyntax', `Operations[${index}].op must be "add", "remove" or "replace"`);
  const pathValue = getCI(raw, 'path');
  if (pathValue !== undefined && pathValue !== null && typeof pathValue !== 'string') {
    throw new ScimRequestError(400, 'invalidPath', `Operations[${index}].path must be a string`);
  }
  const path = typeof pathValue === 'string' && pathValue.trim() !== '' ? pathValue.trim() : undefined;
  const label: OpLabel = { index, op, path };
  const value = getCI(raw, 'value');
  if (op === 'remove') {
    if (path === undefined) throw opError(label, 'noTarget', 'remove needs a path');
    return removeAt(state, label, path, value);
  }
  if (keyOf(raw, 'value') === undefined) throw opError(label, 'invalidSyntax', `${op} needs a value`);
  if (path === undefined) return writeObject(state, label, value, op as WriteMode, undefined, true);
  writeAt(state, label, path, value, op as WriteMode);
}

function parsePath(state: State, label: OpLabel, text: string): PatchPath {
  try {
    return parseAttributePath(text, state.resourceType);
  } catch (err) {
    if (err instanceof ScimRequestError) throw new ScimRequestError(400, err.scimType, `Operations[${label.index}]: ${err.detail}`);
    throw err;
  }
}

function target(state: State, label: OpLabel): Target {
  return { resourceType: state.resourceType, resource: state.resource, label };
}

function isMembers(state: State, pp: PatchPath): boolean {
  return state.resourceType === 'Group' && pp.path.schema === undefined && pp.path.attr === 'members';
}

function writeAt(state: State, label: OpLabel, path: string, value: unknown, mode: WriteMode): void {
  const ext = extensionUrn(state.resourceType, path);
  if (ext !== undefined || isCoreUrn(state.resourceType, path)) return writeObject(state, label, value, mode, ext, false);
  const pp = parsePath(state, label, path);
  if (isMembers(state, pp)) return writeMembers(state, label, pp, value, mode);
  writePath(target(state, label), pp, value, mode);
}

/**
 * A value object: its keys are attribute names or whole paths (`name.givenName`,
 * `urn:...:enterprise:2.0:User:department`), or a schema URN holding an object of that schema's
 * attributes. `schema` is the block being written; URN keys are read only at the top.
 */
function writeObject(state: State, label: OpLabel, value: unknown, mode: WriteMode, schema: string | undefined, top: boolean): void {
  if (!isRecord(value)) throw opError(label, 'invalidValue', 'without a path, the value must be an object of attributes');
  for (const [key, v] of Object.entries(value)) {
    if (schema === undefined && key.toLowerCase() === 'schemas') continue; // the server keeps schemas in step
    if (top && schema === undefined && key.toLowerCase().startsWith('urn:')) {
      const ext = extensionUrn(state.resourceType, key);
      const block = ext !== undefined || isCoreUrn(state.resourceType, key) || (isRecord(v) && !resolvePath(state.resourceType, key));
      if (block) {
        writeObject(state, { ...label, path: key }, v, mode, ext ?? (isCoreUrn(state.resourceType, key) ? undefined : key), false);
        continue;
      }
    }
    const path = schema === undefined ? key : `${schema}:${key}`;
    const pp = parsePath(state, { ...label, path }, path);
    if (isMembers(state, pp)) writeMembers(state, { ...label, path }, pp, v, mode);
    else writePath(target(state, { ...label, path }), pp, v, mode);
  }
}

function removeAt(state: State, label: OpLabel, path: string, value: unknown): void {
  const ext = extensionUrn(state.resourceType, path);
  if (ext !== undefined) {
    const key = keyOf(state.resource, ext);
    if (key !== undefined) delete state.resource[key];
    return;
  }
  const pp = parsePath(state, label, path);
  if (isMembers(state, pp)) return removeMembers(state, label, pp, value);
  removePath(target(state, label), pp, value);
}

function memberIds(value: unknown, label: OpLabel): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((item, i) => {
    const id = isRecord(item) ? getCI(item, 'value') : item;
    if (typeof id !== 'string' || id.trim() === '') throw opError(label, 'invalidValue', `members[${i}].value must be a non-empty string`);
    return id;
  });
}

function writeMembers(state: State, label: OpLabel, pp: PatchPath, value: unknown, mode: WriteMode): void {
  if (pp.filter || pp.path.sub !== undefined) {
    throw opError(
      label,
      'invalidPath',
      'members are added or replaced as a list of {"value": id}; filters on members work only with remove',
    );
  }
  if (value === null || (Array.isArray(value) && value.length === 0)) {
    if (mode === 'replace') state.memberOps.push({ kind: 'removeAll' });
    return;
  }
  state.memberOps.push({ kind: mode, ids: memberIds(value, label) });
}

/** `value eq "id"`, alone or joined by `or`: the ids; anything else undefined. */
function memberFilterIds(filter: Filter): string[] | undefined {
  if (filter.op === 'or') {
    const left = memberFilterIds(filter.left);
    const right = left && memberFilterIds(filter.right);
    return right && [...left!, ...right];
  }
  if (filter.op === 'eq' && filter.path.attr === 'value' && filter.path.sub === undefined && typeof filter.value === 'string') {
    return filter.value.trim() === '' ? undefined : [filter.value];
  }
  return undefined;
}

function removeMembers(state: State, label: OpLabel, pp: PatchPath, value: unknown): void {
  if (pp.path.sub !== undefined || pp.subAttr !== undefined)
    throw opError(label, 'invalidPath', 'remove members or members[value eq "id"], not a sub-attribute');
  if (pp.filter) {
    const ids = memberFilterIds(pp.filter);
    if (!ids) throw opError(label, 'invalidFilter', 'a members filter may only be value eq "<id>", or several joined by or');
    state.memberOps.push({ kind: 'remove', ids });
  } else if (value === undefined || value === null) {
    state.memberOps.push({ kind: 'removeAll' });
  } else {
    state.memberOps.push({ kind: 'remove', ids: memberIds(value, label) });
  }
}

/** Extension blocks and `schemas` agree: a block with data is listed, an emptied or removed block is not. */
function syncExtensions(resource: JsonObject, resourceType: ResourceTypeName): void {
  const schemasKey = keyOf(resource, 'schemas') ?? 'schemas';
  const current = resource[schemasKey];
  const blocks = Object.keys(resource).filter((key) => key.toLowerCase().startsWith('urn:') && isRecord(resource[key]));
  if (!Array.isArray(current) && blocks.length === 0) return;
  const same = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
  const known = RESOURCE_TYPES[resourceType].schemaExtensions.map((e) => e.schema);
  let schemas = Array.isArray(current) ? [...(current as unknown[])] : [RESOURCE_TYPES[resourceType].schema];
  schemas = schemas.filter((s) => !known.some((ext) => same(s, ext)) || blocks.some((key) => same(s, key)));
  for (const key of blocks) {
    if (Object.keys(resource[key] as JsonObject).length === 0) {
      delete resource[key];
      schemas = schemas.filter((s) => !same(s, key));
    } else if (!schemas.some((s) => same(s, key))) {
      schemas.push(key);
    }
  }
  if (!isDeepStrictEqual(schemas, current)) resource[schemasKey] = schemas;
}
