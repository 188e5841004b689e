/**
 * Incoming resource bodies -> stored attributes: canonical attribute names (input names are
 * case-insensitive), type checks, read-only attributes dropped, and the input quirks (C8-C12, C18).
 * The same pass re-checks the result of a PATCH, so PATCH and PUT/POST agree on what is valid.
 */
import { invalidSyntax, invalidValue } from './errors.ts';
import { getField } from './filter.ts';
import type { Quirks } from './quirks.ts';
import {
  type AttrDef,
  COMMON_ATTRIBUTES,
  GROUP_SCHEMAS,
  type SchemaSet,
  USER_SCHEMAS,
  VENDOR_EXTENSION,
  extensionUrn,
  findAttr,
} from './schema.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

interface Ctx {
  q: Quirks;
  set: SchemaSet;
}

function unknownAttribute(ctx: Ctx, path: string): void {
  if (ctx.q.unknownAttributes === 'reject') throw invalidSyntax(`Unknown attribute '${path}'`);
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function normalizeScalar(v: unknown, def: AttrDef, path: string, ctx: Ctx): unknown {
  switch (def.type) {
    case 'string':
    case 'reference':
    case 'binary':
      if (typeof v !== 'string')
        throw invalidValue(`Attribute '${path}' expected value type '${def.type}' but found type '${typeName(v)}'`);
      if (ctx.q.canonicalTypesOnly && def.canonicalValues && !def.canonicalValues.includes(v)) {
        throw invalidValue(`Attribute '${path}' value '${v}' is not one of the canonical values ${def.canonicalValues.join(', ')}`);
      }
      return v;
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && /^(true|false)$/i.test(v) && ctx.q.stringBooleans === 'coerce') return v.toLowerCase() === 'true';
      throw invalidValue(`Attribute '${path}' expected value type 'boolean' but found type '${typeName(v)}'`);
    case 'dateTime':
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw invalidValue(`Attribute '${path}' expected an RFC 3339 dateTime`);
      return v;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidValue(`Attribute '${path}' expected an integer`);
      return v;
    case 'decimal':
      if (typeof v !== 'number') throw invalidValue(`Attribute '${path}' expected a number`);
      return v;
    case 'complex':
      if (!isObj(v)) throw invalidValue(`Attribute '${path}' expected a complex value (object) but found type '${typeName(v)}'`);
      return normalizeAttrs(v, def.subAttributes ?? [], path, ctx, false);
  }
}

function normalizeValue(v: unknown, def: AttrDef, path: string, ctx: Ctx): unknown {
  if (!def.multiValued) return normalizeScalar(v, def, path, ctx);
  if (!Array.isArray(v)) throw invalidValue(`Attribute '${path}' is multi-valued and expects an array`);
  const items = v.filter((x) => x !== null).map((x, i) => normalizeScalar(x, def, `${path}[${i}]`, ctx));
  if (def.type === 'complex' && items.filter((x) => (x as Obj).primary === true).length > 1) {
    throw invalidValue(`Attribute '${path}': 'primary' may be true for at most one value`);
  }
  return items.length > 0 ? items : undefined;
}

function normalizeAttrs(input: Obj, defs: AttrDef[], prefix: string, ctx: Ctx, top: boolean): Obj {
  const out: Obj = {};
  for (const [rawKey, value] of Object.entries(input)) {
    let key = rawKey;
    const path = prefix ? `${prefix}.${rawKey}` : rawKey;
    if (top) {
      if (key.toLowerCase() === 'schemas') continue;
      const ext = extensionUrn(ctx.set, key);
      if (ext) {
        // The vendor block is synthesised on output (T11); what clients send back is dropped.
        if (ext === VENDOR_EXTENSION || value === null) continue;
        if (!isObj(value)) throw invalidValue(`Attribute '${ext}' expected a complex value (object)`);
        const inner = normalizeAttrs(value, ctx.set.extensions.get(ext.toLowerCase()) ?? [], '', { ...ctx }, false);
        if (Object.keys(inner).length > 0) out[ext] = { ...(out[ext] as Obj | undefined), ...inner };
        continue;
      }
      const corePrefix = `${ctx.set.core}:`;
      if (key.toLowerCase().startsWith(corePrefix.toLowerCase())) key = key.slice(corePrefix.length);
      else if (/^urn:/i.test(key)) {
        const cut = key.lastIndexOf(':');
        const ext2 = extensionUrn(ctx.set, key.slice(0, cut));
        if (ext2) {
          const inner = normalizeAttrs({ [key.slice(cut + 1)]: value }, ctx.set.extensions.get(ext2.toLowerCase()) ?? [], '', ctx, false);
          if (ext2 !== VENDOR_EXTENSION && Object.keys(inner).length > 0) out[ext2] = { ...(out[ext2] as Obj | undefined), ...inner };
          continue;
        }
      }
    }
    const def = findAttr(defs, key) ?? (top ? findAttr(COMMON_ATTRIBUTES, key) : undefined);
    if (!def) {
      unknownAttribute(ctx, path);
      continue;
    }
    if (def.mutability === 'readOnly' || value === null || value === undefined) continue;
    const v = normalizeValue(value, def, prefix ? `${prefix}.${def.name}` : def.name, ctx);
    if (v !== undefined && !(isObj(v) && Object.keys(v).length === 0)) out[def.name] = v;
  }
  return out;
}

function requireSchemas(body: Obj, core: string): void {
  const schemas = getField(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === core.toLowerCase())) {
    throw invalidSyntax(`Request is missing the '${core}' schema in 'schemas'`);
  }
}

const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Validates and canonicalises a User body. `checkSchemas` is off for the re-check after PATCH. */
export function normalizeUser(body: unknown, q: Quirks, checkSchemas: boolean): Obj {
  if (!isObj(body)) throw invalidSyntax('Request body must be a JSON object');
  if (checkSchemas) requireSchemas(body, USER_SCHEMAS.core);
  const data = normalizeAttrs(body, USER_SCHEMAS.attributes, '', { q, set: USER_SCHEMAS }, true);
  if (typeof data.userName !== 'string' || data.userName.trim() === '') throw invalidValue("Attribute 'userName' is required");
  for (const p of q.requiredUserAttributes) {
    const segs = p.startsWith('urn:') ? [p.slice(0, p.lastIndexOf(':')), ...p.slice(p.lastIndexOf(':') + 1).split('.')] : p.split('.');
    let cur: unknown = data;
    for (const s of segs) cur = getField(cur, s);
    if (cur === undefined || cur === null || cur === '') throw invalidValue(`Attribute '${p}' is required`);
  }
  if (q.userNameMustBeEmail && !EMAIL_RE.test(data.userName)) throw invalidValue(`userName '${data.userName}' must be an email address`);
  if (q.verifiedDomains) {
    const domain = data.userName.split('@')[1]?.toLowerCase();
    if (!domain || !q.verifiedDomains.map((d) => d.toLowerCase()).includes(domain)) {
      throw invalidValue(`userName '${data.userName}' is not on a verified domain (${q.verifiedDomains.join(', ')})`);
    }
  }
  if (q.normalizeValues) normalizeLikeBetterAuth(data);
  return data;
}

/** C18: what better-auth does to what it stores, so a naive diff-based sync would loop. */
function normalizeLikeBetterAuth(data: Obj): void {
  const userName = data.userName as string;
  if (Array.isArray(data.emails)) for (const e of data.emails as Obj[]) if (typeof e.value === 'string') e.value = e.value.toLowerCase();
  if (!Array.isArray(data.emails) && EMAIL_RE.test(userName)) data.emails = [{ value: userName.toLowerCase(), primary: true }];
  const name = (data.name as Obj | undefined) ?? {};
  const fromParts = [name.givenName, name.familyName].filter((s) => typeof s === 'string' && s).join(' ');
  if (!name.formatted) {
    name.formatted = fromParts || ((data.emails as Obj[] | undefined)?.[0]?.value as string | undefined) || userName;
    data.name = name;
  }
  if (!data.displayName) data.displayName = name.formatted;
}

export interface MemberInput {
  value: string;
  type?: string;
}

export function normalizeMembers(v: unknown, q: Quirks, path = 'members'): MemberInput[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidValue(`Attribute '${path}' is multi-valued and expects an array`);
  const membersDef = findAttr(GROUP_SCHEMAS.attributes, 'members')!;
  return v.map((m, i) => {
    if (!isObj(m)) throw invalidValue(`Attribute '${path}[${i}]' expected a complex value (object)`);
    const n = normalizeAttrs(m, membersDef.subAttributes ?? [], `${path}[${i}]`, { q, set: GROUP_SCHEMAS }, false);
    if (typeof n.value !== 'string' || !n.value) throw invalidValue(`Attribute '${path}[${i}].value' is required`);
    return { value: n.value, ...(typeof n.type === 'string' ? { type: n.type } : {}) };
  });
}

/** Validates a Group body into stored attributes plus the member list (members are resolved by the caller). */
export function normalizeGroup(body: unknown, q: Quirks, checkSchemas: boolean): { data: Obj; members: MemberInput[] | undefined } {
  if (!isObj(body)) throw invalidSyntax('Request body must be a JSON object');
  if (checkSchemas) requireSchemas(body, GROUP_SCHEMAS.core);
  const rawMembers = getField(body, 'members');
  const rest: Obj = {};
  for (const [k, v] of Object.entries(body)) if (k.toLowerCase() !== 'members') rest[k] = v;
  const data = normalizeAttrs(rest, GROUP_SCHEMAS.attributes, '', { q, set: GROUP_SCHEMAS }, true);
  if (typeof data.displayName !== 'string' || data.displayName.trim() === '') throw invalidValue("Attribute 'displayName' is required");
  return { data, members: rawMembers === undefined ? undefined : normalizeMembers(rawMembers, q) };
}
