// `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) and the `returned` characteristic
// (RFC 7643 §2.2). `attributes` keeps only the named attributes plus the `returned: always` ones (id,
// schemas); `excludedAttributes` drops the named ones except `always`; `never` (password) never
// leaves. Names the schemas do not know are still looked up on the resource (Roster keeps unknown
// attributes) and ignored when absent; a name that is not attribute notation at all is invalidPath.
import { findAttribute, type AttributeDef } from './attributes.ts';
import { ScimRequestError } from './errors.ts';
import { Cursor } from './lexer.ts';
import { attributesOf, canonicalPath, extensionUrn, isCoreUrn, type AttrPath, type ResourceTypeName } from './schema.ts';
import { deleteKey, keyOf } from './patch-values.ts';
import { isRecord, type JsonObject } from '../util.ts';

export interface ProjectionOptions {
  attributes?: string;
  excludedAttributes?: string;
}

/** A path of the list, or a whole extension named by its URN (`sub` never set then). */
type Wanted = AttrPath & { block?: boolean };

function parseList(text: string | undefined, resourceType: ResourceTypeName, param: string): Wanted[] {
  if (text === undefined) return [];
  if (text.length > 10_000) throw new ScimRequestError(400, 'invalidPath', `${param} is longer than 10000 characters`);
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const ext = extensionUrn(resourceType, item);
      if (ext !== undefined) return { schema: ext, attr: '', block: true };
      if (isCoreUrn(resourceType, item)) return { attr: '', block: true };
      const c: Cursor = new Cursor(item, 'invalidPath');
      const path = c.readAttrPath(`an attribute name in ${param}`);
      if (!c.atEnd()) c.fail(`"," or the end of ${param}`);
      return canonicalPath(resourceType, path);
    });
}

/**
 * The resource without `returned: never` attributes, and `request` ones unless `requested`. Objects with
 * sub-attributes are new; other values are shared with the input (nothing here writes to them).
 */
function strip(value: JsonObject, defs: readonly AttributeDef[], requested: (name: string) => boolean): JsonObject {
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    const def = findAttribute(defs, key);
    if (def?.returned === 'never' || (def?.returned === 'request' && !requested(def.name))) continue;
    if (def?.subAttributes && (isRecord(v) || Array.isArray(v))) {
      const subs = def.subAttributes;
      const inner = (x: unknown) => (isRecord(x) ? strip(x, subs, (sub) => requested(`${def.name}.${sub}`)) : x);
      out[key] = Array.isArray(v) ? v.map(inner) : inner(v);
    } else {
      out[key] = v;
    }
  }
  return out;
}

function stripAll(resource: JsonObject, resourceType: ResourceTypeName, wanted: Wanted[]): JsonObject {
  const asked = (schema: string | undefined) => (name: string) =>
    wanted.some((w) => w.schema === schema && (w.block || name.toLowerCase() === (w.sub ? `${w.attr}.${w.sub}` : w.attr).toLowerCase()));
  const out = strip(resource, attributesOf(resourceType), asked(undefined));
  for (const key of Object.keys(out)) {
    const ext = extensionUrn(resourceType, key);
    if (ext !== undefined && isRecord(out[key])) out[key] = strip(out[key], attributesOf(resourceType, ext), asked(ext));
  }
  return out;
}

export function stripNever(resource: object, resourceType: ResourceTypeName): JsonObject {
  return stripAll(resource as JsonObject, resourceType, []);
}

function isAlways(resourceType: ResourceTypeName, path: AttrPath): boolean {
  const def = findAttribute(attributesOf(resourceType, path.schema), path.attr);
  if (def?.returned === 'always') return true;
  return path.sub !== undefined && findAttribute(def?.subAttributes, path.sub)?.returned === 'always';
}

function boxOf(resource: JsonObject, schema: string | undefined): JsonObject | undefined {
  if (schema === undefined) return resource;
  const key = keyOf(resource, schema);
  const box = key === undefined ? undefined : resource[key];
  return isRecord(box) ? box : undefined;
}

function pick(resource: JsonObject, resourceType: ResourceTypeName, wanted: Wanted[]): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(resource)) if (isAlways(resourceType, { attr: key })) out[key] = resource[key];
  // Whole attributes first, so a sub-attribute asked for as well does not cut the whole one down.
  const ordered = [...wanted.filter((w) => w.sub === undefined), ...wanted.filter((w) => w.sub !== undefined)];
  for (const w of ordered) {
    const src = boxOf(resource, w.schema);
    if (!src) continue;
    const schemaKey = w.schema === undefined ? undefined : keyOf(resource, w.schema)!;
    if (w.block) {
      if (schemaKey !== undefined) out[schemaKey] = src;
      else Object.assign(out, src);
      continue;
    }
    const dst = schemaKey === undefined ? out : ((out[schemaKey] as JsonObject | undefined) ?? (out[schemaKey] = {}));
    const key = keyOf(src, w.attr);
    if (key === undefined || (w.sub !== undefined && dst[key] === src[key])) continue;
    if (w.sub === undefined) dst[key] = src[key];
    else dst[key] = pickSub(src[key], dst[key], w.sub);
  }
  return out;
}

function pickSub(value: unknown, already: unknown, sub: string): unknown {
  const one = (v: unknown, prev: unknown) => {
    const key = isRecord(v) ? keyOf(v, sub) : undefined;
    const base = isRecord(prev) ? prev : {};
    return key === undefined ? base : { ...base, [key]: (v as JsonObject)[key] };
  };
  if (Array.isArray(value)) return value.map((v, i) => one(v, Array.isArray(already) ? already[i] : undefined));
  return one(value, already);
}

function drop(out: JsonObject, resourceType: ResourceTypeName, excluded: Wanted[]): void {
  for (const w of excluded) {
    if (w.block) {
      if (w.schema !== undefined) deleteKey(out, w.schema);
      continue;
    }
    if (isAlways(resourceType, w) || (w.sub !== undefined && isAlways(resourceType, { ...w, sub: undefined }))) continue;
    const box = boxOf(out, w.schema);
    if (!box) continue;
    if (w.sub === undefined) {
      deleteKey(box, w.attr);
      continue;
    }
    const key = keyOf(box, w.attr);
    const value = key === undefined ? undefined : box[key];
    for (const item of Array.isArray(value) ? value : [value]) if (isRecord(item)) deleteKey(item, w.sub);
  }
}

/** Empty leftovers of a projection (`{}` values, an extension block with nothing asked for) go. */
function tidy(out: JsonObject): JsonObject {
  for (const [key, v] of Object.entries(out)) {
    if (isRecord(v) && key.toLowerCase().startsWith('urn:')) tidy(v);
    if (Array.isArray(v)) out[key] = v.filter((x) => !(isRecord(x) && Object.keys(x).length === 0));
    if (isRecord(v) && Object.keys(v).length === 0) delete out[key];
  }
  return out;
}

export function project(resource: object, options: ProjectionOptions, resourceType: ResourceTypeName): JsonObject {
  const attributes = parseList(options.attributes, resourceType, 'attributes');
  const excluded = parseList(options.excludedAttributes, resourceType, 'excludedAttributes');
  let out = stripAll(resource as JsonObject, resourceType, attributes);
  if (attributes.length > 0) out = pick(out, resourceType, attributes);
  // Only drop() writes into nested values, which may still be the input's: copied first, then. (A list
  // page projects 100 users: cloning each one cost more than building it.)
  if (excluded.length > 0) {
    out = structuredClone(out);
    drop(out, resourceType, excluded);
  }
  return tidy(out);
}
