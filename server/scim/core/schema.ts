// The schemas and resource types Roster serves, and name resolution over them. Attribute names and
// schema URNs are case-insensitive (RFC 7643 §2.1); resolution answers with the schema's spelling.
import { SCHEMAS } from '../types.ts';
import { findAttribute, type AttributeDef } from './attributes.ts';
import { COMMON_ATTRIBUTES, ENTERPRISE_ATTRIBUTES, GROUP_ATTRIBUTES, USER_ATTRIBUTES } from './schema-defs.ts';

export type ResourceTypeName = 'User' | 'Group';

export interface SchemaDef {
  id: string;
  name: string;
  description: string;
  attributes: readonly AttributeDef[];
}

export interface ResourceTypeDef {
  name: ResourceTypeName;
  endpoint: string;
  description: string;
  schema: string;
  schemaExtensions: { schema: string; required: boolean }[];
}

/**
 * An attribute path as parsed: `schema` is set only for attributes outside the resource type's core
 * schema (extensions, which live under their URN key), so `userName` and
 * `urn:ietf:params:scim:schemas:core:2.0:User:userName` parse alike.
 */
export interface AttrPath {
  schema?: string;
  attr: string;
  sub?: string;
}

export const SCHEMA_DEFS: readonly SchemaDef[] = [
  { id: SCHEMAS.user, name: 'User', description: 'User Account', attributes: USER_ATTRIBUTES },
  { id: SCHEMAS.enterpriseUser, name: 'EnterpriseUser', description: 'Enterprise User', attributes: ENTERPRISE_ATTRIBUTES },
  { id: SCHEMAS.group, name: 'Group', description: 'Group', attributes: GROUP_ATTRIBUTES },
];

export const RESOURCE_TYPES: Readonly<Record<ResourceTypeName, ResourceTypeDef>> = {
  User: {
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: SCHEMAS.user,
    schemaExtensions: [{ schema: SCHEMAS.enterpriseUser, required: false }],
  },
  Group: { name: 'Group', endpoint: '/Groups', description: 'Group', schema: SCHEMAS.group, schemaExtensions: [] },
};

export function schemaDef(urn: string): SchemaDef | undefined {
  const lower = urn.toLowerCase();
  return SCHEMA_DEFS.find((s) => s.id.toLowerCase() === lower);
}

/** The extension URN of this resource type that `urn` names, in its canonical spelling. */
export function extensionUrn(resourceType: ResourceTypeName, urn: string): string | undefined {
  const lower = urn.toLowerCase();
  return RESOURCE_TYPES[resourceType].schemaExtensions.map((e) => e.schema).find((s) => s.toLowerCase() === lower);
}

export function isCoreUrn(resourceType: ResourceTypeName, urn: string): boolean {
  return RESOURCE_TYPES[resourceType].schema.toLowerCase() === urn.toLowerCase();
}

/** Top-level attributes under `schema` (undefined: the core schema plus the common attributes). */
export function attributesOf(resourceType: ResourceTypeName, schema?: string): readonly AttributeDef[] {
  if (schema === undefined || isCoreUrn(resourceType, schema)) {
    return [...schemaDef(RESOURCE_TYPES[resourceType].schema)!.attributes, ...COMMON_ATTRIBUTES];
  }
  const ext = extensionUrn(resourceType, schema);
  return ext ? schemaDef(ext)!.attributes : [];
}

export interface ResolvedPath {
  /** The URN of the schema defining the attribute (the core one for common attributes). */
  schema: string;
  extension: boolean;
  def: AttributeDef;
  subDef?: AttributeDef;
  /** The path in canonical spelling. */
  path: AttrPath;
}

/** Splits `urn:...:User:name.givenName` at the last colon and the first dot after it. */
export function splitPath(text: string): AttrPath {
  const colon = text.lastIndexOf(':');
  const schema = colon >= 0 ? text.slice(0, colon) : undefined;
  const rest = text.slice(colon + 1);
  const dot = rest.indexOf('.');
  const attr = dot >= 0 ? rest.slice(0, dot) : rest;
  const sub = dot >= 0 ? rest.slice(dot + 1) : undefined;
  return { ...(schema !== undefined ? { schema } : {}), attr, ...(sub !== undefined ? { sub } : {}) };
}

/**
 * The definition behind a path, or undefined for an attribute no schema defines. Extension
 * attributes need their URN prefix: an unprefixed `employeeNumber` is not the enterprise one.
 */
export function resolvePath(resourceType: ResourceTypeName, path: string | AttrPath): ResolvedPath | undefined {
  const { schema, attr, sub } = typeof path === 'string' ? splitPath(path) : path;
  const core = schema === undefined || isCoreUrn(resourceType, schema);
  const ext = core ? undefined : extensionUrn(resourceType, schema!);
  if (!core && !ext) return undefined;
  const def = findAttribute(attributesOf(resourceType, ext), attr);
  if (!def) return undefined;
  let subDef: AttributeDef | undefined;
  if (sub !== undefined) {
    subDef = findAttribute(def.subAttributes, sub);
    if (!subDef) return undefined;
  }
  const canonical: AttrPath = { ...(ext ? { schema: ext } : {}), attr: def.name, ...(subDef ? { sub: subDef.name } : {}) };
  return { schema: ext ?? RESOURCE_TYPES[resourceType].schema, extension: !!ext, def, subDef, path: canonical };
}

/**
 * The path in canonical spelling where the schema knows the names; the client's spelling where it
 * does not (Roster keeps attributes it has no field for). A core-URN prefix is dropped.
 */
export function canonicalPath(resourceType: ResourceTypeName, path: AttrPath): AttrPath {
  const schema = path.schema === undefined || isCoreUrn(resourceType, path.schema) ? undefined : path.schema;
  const normalized: AttrPath = {
    ...(schema !== undefined ? { schema: extensionUrn(resourceType, schema) ?? schema } : {}),
    attr: path.attr,
  };
  const def = findAttribute(attributesOf(resourceType, normalized.schema), path.attr);
  if (def) normalized.attr = def.name;
  if (path.sub !== undefined) normalized.sub = findAttribute(def?.subAttributes, path.sub)?.name ?? path.sub;
  return normalized;
}

/** The definition of an attribute path, or undefined when unknown (with `sub`: the sub-attribute's). */
export function defOf(resourceType: ResourceTypeName, path: AttrPath): AttributeDef | undefined {
  const def = findAttribute(attributesOf(resourceType, path.schema), path.attr);
  if (!def || path.sub === undefined) return def;
  return findAttribute(def.subAttributes, path.sub);
}

export function formatPath(path: AttrPath): string {
  const base = path.schema !== undefined ? `${path.schema}:${path.attr}` : path.attr;
  return path.sub !== undefined ? `${base}.${path.sub}` : base;
}
