// PATCH paths (RFC 7644 §3.5.2): PATH = attrPath / valuePath [subAttr], e.g. `name.givenName`,
// `emails[type eq "work"].value`, `members[value eq "2819c223"]`,
// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
import { findAttribute, type AttributeDef } from './attributes.ts';
import { ScimRequestError } from './errors.ts';
import { parseOr, scoped, type Filter } from './filter.ts';
import { Cursor, MAX_TEXT } from './lexer.ts';
import { formatPath, type AttrPath, type ResourceTypeName } from './schema.ts';

export interface PatchPath {
  /** The attribute (with `sub` when written `name.givenName`), canonical where the schema knows it. */
  path: AttrPath;
  def?: AttributeDef;
  /** `[...]`: which values of a multi-valued attribute the operation targets. */
  filter?: Filter;
  /** The sub-attribute after `]`: `emails[type eq "work"].value` has `value`. */
  subAttr?: string;
  /** The definition of `path.sub` or of `subAttr`, when known. */
  subDef?: AttributeDef;
}

const SUB_NAME = /(?:[A-Za-z][\w-]*|\$ref)/y;

export function parseAttributePath(text: string, resourceType: ResourceTypeName): PatchPath {
  if (typeof text !== 'string') throw new ScimRequestError(400, 'invalidPath', 'The path must be a string');
  if (text.length > MAX_TEXT) throw new ScimRequestError(400, 'invalidPath', `The path is longer than ${MAX_TEXT} characters`);
  const c: Cursor = new Cursor(text.trim(), 'invalidPath');
  if (c.atEnd()) throw new ScimRequestError(400, 'invalidPath', 'The path is empty');
  const raw = c.readAttrPath();
  const { path } = scoped({ resourceType }, { ...raw, sub: undefined });
  const def = scoped({ resourceType }, path).def;
  let result: PatchPath = { path, def };
  if (raw.sub !== undefined) {
    const subDef = findAttribute(def?.subAttributes, raw.sub);
    result = { path: { ...path, sub: subDef?.name ?? raw.sub }, def, subDef };
  }
  if (c.eat('[')) {
    if (raw.sub !== undefined) c.fail('the end of the path ("[" follows an attribute, not a sub-attribute)', c.pos - 1);
    if (def && def.type !== 'complex') throw c.error(`${formatPath(path)} is not a complex attribute; "[...]" cannot follow it`, c.pos - 1);
    c.skipSpace();
    result.filter = parseOr(c, { resourceType, parent: def }, 1);
    c.skipSpace();
    if (!c.eat(']')) c.fail('"]" or "and"/"or"');
    if (c.eat('.')) {
      SUB_NAME.lastIndex = c.pos;
      const m = SUB_NAME.exec(c.text);
      if (!m) c.fail('a sub-attribute name after "."');
      c.pos += m[0].length;
      result.subDef = findAttribute(def?.subAttributes, m[0]);
      result.subAttr = result.subDef?.name ?? m[0];
    }
  }
  if (!c.atEnd()) c.fail('the end of the path');
  return result;
}
