/**
 * Store records -> SCIM JSON. The canonical form (RFC shape, no quirks) feeds filters, sorting and
 * the store's public API; the output form applies the response quirks (C2-C4, T10, T11, G6, G7, P17).
 * Projection implements `attributes` / `excludedAttributes` (RFC 7644 §3.9).
 */
import type { Quirks } from './quirks.ts';
import { CORE_GROUP, CORE_USER, ENTERPRISE_USER, type SchemaSet, VENDOR_EXTENSION, extensionUrn } from './schema.ts';
import type { GroupRecord, ScimStore, UserRecord } from './store.ts';

type Obj = Record<string, unknown>;

export interface OutputStyle {
  /** Base URL + base path used in meta.location and $ref. */
  base: string;
  timestampStyle: Quirks['timestampStyle'];
  omitTimestamps: boolean;
  lowerCaseResourceType: boolean;
  vendorExtension: boolean;
  etag: boolean;
  omitEmptyMembers: boolean;
  memberValueOnly: boolean;
  membersAlwaysEmpty: boolean;
}

function canonicalStyle(base: string): OutputStyle {
  return {
    base,
    timestampStyle: 'rfc',
    omitTimestamps: false,
    lowerCaseResourceType: false,
    vendorExtension: false,
    etag: true,
    omitEmptyMembers: false,
    memberValueOnly: false,
    membersAlwaysEmpty: false,
  };
}

export function outputStyle(q: Quirks, realBase: string, origin: string): OutputStyle {
  return {
    base: q.locationBasePath !== null ? origin + q.locationBasePath.replace(/\/$/, '') : realBase,
    timestampStyle: q.timestampStyle,
    omitTimestamps: q.omitMetaTimestamps,
    lowerCaseResourceType: q.lowerCaseResourceType,
    vendorExtension: q.vendorExtension,
    etag: q.etagSupported,
    omitEmptyMembers: q.omitEmptyMembers,
    memberValueOnly: q.memberValueOnly,
    membersAlwaysEmpty: q.groupMembersAlwaysEmpty,
  };
}

const DAY_MS = 86_400_000;
const dayPrefix = new Map<number, string>();
const PAD2 = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

/** Date#toISOString was the top item in list-rendering profiles; this caches the date part per day. */
function isoString(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefix.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    if (dayPrefix.size > 10_000) dayPrefix.clear();
    dayPrefix.set(day, prefix);
  }
  let r = Math.floor(ms - day * DAY_MS);
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const m = Math.floor(r / 60_000);
  r -= m * 60_000;
  const sec = Math.floor(r / 1000);
  return `${prefix}${PAD2[h]}:${PAD2[m]}:${PAD2[sec]}.${PAD3[r - sec * 1000]}Z`;
}

function formatTimestamp(ms: number, style: Quirks['timestampStyle']): string {
  switch (style) {
    case 'noMillis':
      return isoString(ms).replace(/\.\d{3}Z$/, 'Z');
    case 'micros':
      return isoString(ms).replace(/Z$/, `${PAD3[(ms * 7) % 1000]}Z`);
    case 'offset':
      return isoString(ms - 8 * 3_600_000).replace(/Z$/, '-08:00');
    default:
      return isoString(ms);
  }
}

export const etagOf = (version: number) => `W/"${version}"`;

function meta(kind: 'User' | 'Group', rec: { id: string; created: number; lastModified: number; version: number }, s: OutputStyle): Obj {
  const m: Obj = { resourceType: s.lowerCaseResourceType ? kind.toLowerCase() : kind };
  if (!s.omitTimestamps) {
    m.created = formatTimestamp(rec.created, s.timestampStyle);
    m.lastModified = formatTimestamp(rec.lastModified, s.timestampStyle);
  }
  m.location = `${s.base}/${kind}s/${encodeURIComponent(rec.id)}`;
  if (s.etag) m.version = etagOf(rec.version);
  return m;
}

/** Which computed parts a caller needs; filters that never mention meta or groups skip building them. */
export interface ViewParts {
  meta: boolean;
  groups: boolean;
}
const ALL_PARTS: ViewParts = { meta: true, groups: true };

export function renderUser(store: ScimStore, rec: UserRecord, s: OutputStyle, parts: ViewParts = ALL_PARTS): Obj {
  const schemas = [CORE_USER];
  if (rec.data[ENTERPRISE_USER] !== undefined) schemas.push(ENTERPRISE_USER);
  if (s.vendorExtension) schemas.push(VENDOR_EXTENSION);
  const out: Obj = { schemas, id: rec.id };
  for (const key of Object.keys(rec.data)) if (key !== 'password') out[key] = rec.data[key];
  const groupIds = parts.groups ? store.groupsOf(rec.id) : [];
  if (groupIds.length > 0) {
    out.groups = groupIds.map((gid) => ({
      value: gid,
      $ref: `${s.base}/Groups/${encodeURIComponent(gid)}`,
      display: store.findGroup(gid)?.data.displayName,
      type: 'direct',
    }));
  }
  if (s.vendorExtension) {
    out[VENDOR_EXTENSION] = { userType: rec.data.active === false ? 'Basic' : 'Licensed', loginType: 'true', zoomUnited: 'false' };
  }
  if (parts.meta) out.meta = meta('User', rec, s);
  return out;
}

export function renderGroup(rec: GroupRecord, s: OutputStyle): Obj {
  const out: Obj = { schemas: [CORE_GROUP], id: rec.id, ...rec.data };
  if (s.membersAlwaysEmpty) out.members = [];
  else if (rec.members.size > 0 || !s.omitEmptyMembers) {
    const members: Obj[] = [];
    for (const m of rec.members.values()) {
      if (s.memberValueOnly) members.push({ value: m.value });
      else {
        const e: Obj = { value: m.value, $ref: `${s.base}/${m.type}s/${encodeURIComponent(m.value)}`, type: m.type };
        if (m.display !== undefined) e.display = m.display;
        members.push(e);
      }
    }
    out.members = members;
  }
  out.meta = meta('Group', rec, s);
  return out;
}

export function canonicalUser(store: ScimStore, rec: UserRecord, parts: ViewParts = ALL_PARTS): Obj {
  return renderUser(store, rec, canonicalStyle(store.baseUrl), parts);
}

export function canonicalGroup(store: ScimStore, rec: GroupRecord): Obj {
  return renderGroup(rec, canonicalStyle(store.baseUrl));
}

// ---------------------------------------------------------------- projection

type Tree = Map<string, Tree | true>;

function splitPath(path: string, set: SchemaSet): string[] {
  const trimmed = path.trim();
  if (!trimmed) return [];
  const ext = extensionUrn(set, trimmed);
  if (ext) return [ext.toLowerCase()];
  if (/^urn:/i.test(trimmed)) {
    const cut = trimmed.lastIndexOf(':');
    const urn = trimmed.slice(0, cut).toLowerCase();
    const rest = trimmed
      .slice(cut + 1)
      .toLowerCase()
      .split('.');
    return urn === set.core.toLowerCase() ? rest : [urn, ...rest];
  }
  return trimmed.toLowerCase().split('.');
}

export function buildTree(paths: string[], set: SchemaSet): Tree {
  const root: Tree = new Map();
  for (const p of paths) {
    const segs = splitPath(p, set);
    let node: Tree = root;
    segs.forEach((seg, i) => {
      const existing = node.get(seg);
      if (existing === true) return;
      if (i === segs.length - 1) node.set(seg, true);
      else {
        let next = existing;
        if (!next) node.set(seg, (next = new Map()));
        node = next;
      }
    });
  }
  return root;
}

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function pick(obj: Obj, tree: Tree): Obj {
  const out: Obj = {};
  for (const key of Object.keys(obj)) {
    const node = tree.get(key.toLowerCase());
    if (node === undefined) continue;
    const v = obj[key];
    if (node === true) out[key] = v;
    else if (Array.isArray(v)) out[key] = v.map((e) => (isObj(e) ? pick(e, node) : e));
    else if (isObj(v)) out[key] = pick(v, node);
  }
  return out;
}

function omit(obj: Obj, tree: Tree, always: Set<string>): Obj {
  const out: Obj = {};
  for (const key of Object.keys(obj)) {
    const node = tree.get(key.toLowerCase());
    const v = obj[key];
    if (node === undefined || always.has(key)) out[key] = v;
    else if (node === true) continue;
    else if (Array.isArray(v)) out[key] = v.map((e) => (isObj(e) ? omit(e, node, new Set()) : e));
    else if (isObj(v)) out[key] = omit(v, node, new Set());
  }
  return out;
}

export interface Projection {
  attributes?: Tree;
  excluded?: Tree;
  dropSchemas: boolean;
}

export function makeProjection(
  attributes: string | string[] | undefined,
  excluded: string | string[] | undefined,
  set: SchemaSet,
  dropSchemas: boolean,
): Projection | undefined {
  const list = (v: string | string[] | undefined) =>
    v === undefined ? [] : (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);
  const a = list(attributes);
  const e = list(excluded);
  if (a.length === 0 && e.length === 0) return undefined;
  return { ...(a.length ? { attributes: buildTree(a, set) } : {}), ...(e.length ? { excluded: buildTree(e, set) } : {}), dropSchemas };
}

/** `id` is returned always; `schemas` too unless T13 says otherwise; `meta` only when asked for. */
export function project(resource: Obj, p: Projection): Obj {
  let out = resource;
  if (p.attributes) {
    const picked = pick(resource, p.attributes);
    out = p.dropSchemas ? { id: resource.id, ...picked } : { schemas: resource.schemas, id: resource.id, ...picked };
    if (p.dropSchemas) delete out.meta;
  }
  if (p.excluded) out = omit(out, p.excluded, new Set(['id', 'schemas']));
  return out;
}
