// The filter grammar of RFC 7644 §3.4.2.2 (Figure 1), parsed into an AST. `and` binds tighter than
// `or`; `not` applies to a parenthesized filter; a value path `attr[filter]` holds a filter whose
// names are sub-attributes of `attr`. Values are checked against the attribute's type here, so
// evaluation never meets a comparison the RFC forbids (gt on a boolean, co on binary...).
import { findAttribute, type AttributeDef } from './attributes.ts';
import { ScimRequestError } from './errors.ts';
import { Cursor, MAX_DEPTH, MAX_TEXT } from './lexer.ts';
import { canonicalPath, defOf, formatPath, type AttrPath, type ResourceTypeName } from './schema.ts';
import { asBoolean, parseTimestamp } from '../util.ts';

export type { AttrPath } from './schema.ts';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'lt' | 'ge' | 'le';
export type CompValue = string | number | boolean | null;

export type Filter =
  | { op: 'and' | 'or'; left: Filter; right: Filter }
  | { op: 'not'; filter: Filter }
  | { op: 'pr'; path: AttrPath }
  | { op: CompareOp; path: AttrPath; value: CompValue }
  | { op: 'valuePath'; path: AttrPath; filter: Filter };

export type CompareFilter = Extract<Filter, { value: CompValue }>;

const COMPARE_OPS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le']);

export interface FilterScope {
  resourceType: ResourceTypeName;
  /** Inside `attr[...]`: the complex attribute the names belong to. */
  parent?: AttributeDef;
}

export function parseFilter(text: string, resourceType: ResourceTypeName): Filter {
  if (typeof text !== 'string') throw new ScimRequestError(400, 'invalidFilter', 'The filter must be a string');
  if (text.length > MAX_TEXT) throw new ScimRequestError(400, 'invalidFilter', `The filter is longer than ${MAX_TEXT} characters`);
  const c: Cursor = new Cursor(text, 'invalidFilter');
  c.skipSpace();
  if (c.atEnd()) throw new ScimRequestError(400, 'invalidFilter', 'The filter is empty');
  const filter = parseOr(c, { resourceType }, 0);
  c.skipSpace();
  if (!c.atEnd()) c.fail('"and", "or" or the end of the filter');
  return filter;
}

/** A filter up to the first character that cannot continue it (used inside `[...]` of PATCH paths). */
export function parseOr(c: Cursor, scope: FilterScope, depth: number): Filter {
  let left = parseAnd(c, scope, depth);
  while (joiner(c, 'or')) left = { op: 'or', left, right: parseAnd(c, scope, depth) };
  return left;
}

function parseAnd(c: Cursor, scope: FilterScope, depth: number): Filter {
  let left = parseUnary(c, scope, depth);
  while (joiner(c, 'and')) left = { op: 'and', left, right: parseUnary(c, scope, depth) };
  return left;
}

/** ` and ` / ` or `: consumed with its spaces when it comes next, else nothing moves. */
function joiner(c: Cursor, word: 'and' | 'or'): boolean {
  const start = c.pos;
  if (c.skipSpace() && c.eatKeyword(word)) {
    if (c.skipSpace() || c.peek() === '(') return true;
    c.fail(`a space after "${word}"`);
  }
  c.pos = start;
  return false;
}

function deeper(c: Cursor, depth: number): number {
  if (depth + 1 > MAX_DEPTH) throw c.error(`The filter nests deeper than ${MAX_DEPTH} levels`);
  return depth + 1;
}

function parseUnary(c: Cursor, scope: FilterScope, depth: number): Filter {
  const start = c.pos;
  if (c.eatKeyword('not')) {
    c.skipSpace();
    if (c.peek() === '(') return { op: 'not', filter: parseGroup(c, scope, deeper(c, depth)) };
    c.pos = start; // an attribute that happens to be called "not"
  }
  if (c.peek() === '(') return parseGroup(c, scope, deeper(c, depth));
  return parseAttrExp(c, scope, depth);
}

function parseGroup(c: Cursor, scope: FilterScope, depth: number): Filter {
  c.expect('(');
  c.skipSpace();
  const inner = parseOr(c, scope, depth);
  c.skipSpace();
  if (!c.eat(')')) c.fail('")" or "and"/"or"');
  return inner;
}

/** The canonical path and its definition, relative to the value path's attribute when inside one. */
export function scoped(scope: FilterScope, path: AttrPath): { path: AttrPath; def?: AttributeDef } {
  if (!scope.parent) return { path: canonicalPath(scope.resourceType, path), def: defOf(scope.resourceType, path) };
  const def = findAttribute(scope.parent.subAttributes, path.attr);
  const out: AttrPath = { attr: def?.name ?? path.attr };
  if (path.sub !== undefined) out.sub = findAttribute(def?.subAttributes, path.sub)?.name ?? path.sub;
  return { path: out, def: path.sub !== undefined ? findAttribute(def?.subAttributes, path.sub) : def };
}

function parseAttrExp(c: Cursor, scope: FilterScope, depth: number): Filter {
  const start = c.pos;
  const raw = c.readAttrPath();
  const { path, def } = scoped(scope, raw);
  if (c.peek() === '[') {
    if (scope.parent) c.fail('an operator: a value filter cannot hold another "["');
    if (path.sub !== undefined) c.fail('an operator ("[" follows an attribute, not a sub-attribute)');
    if (def && def.type !== 'complex') throw c.error(`${formatPath(path)} is not a complex attribute; "[...]" cannot follow it`, start);
    c.pos++;
    c.skipSpace();
    const filter = parseOr(c, { resourceType: scope.resourceType, parent: def }, deeper(c, depth));
    c.skipSpace();
    if (!c.eat(']')) c.fail('"]" or "and"/"or"');
    return { op: 'valuePath', path, filter };
  }
  if (!c.skipSpace()) c.fail('a space and an operator after the attribute path');
  const opAt = c.pos;
  const op = c.peekWord();
  if (op === 'pr' && c.eatKeyword('pr')) return { op: 'pr', path };
  if (!COMPARE_OPS.has(op) || !c.eatKeyword(op)) c.fail('an operator (eq, ne, co, sw, ew, gt, lt, ge, le or pr)');
  if (!c.skipSpace()) c.fail(`a space and a value after "${op}"`);
  const valueAt = c.pos;
  const value = c.readValue();
  return { op: op as CompareOp, path, value: checkValue(c, op as CompareOp, path, def, value, opAt, valueAt) };
}

const ORDERING = new Set(['gt', 'lt', 'ge', 'le']);

/** The comparison value, coerced to the attribute's type where the client was loose ("True"). */
function checkValue(c: Cursor, op: CompareOp, path: AttrPath, def: AttributeDef | undefined, value: CompValue, opAt: number, at: number) {
  const name = formatPath(path);
  if (value === null) {
    if (op !== 'eq' && op !== 'ne') throw c.error(`null can only be compared with eq or ne`, opAt);
    return null;
  }
  let leaf = def;
  if (def?.type === 'complex') {
    leaf = findAttribute(def.subAttributes, 'value');
    if (!leaf) throw c.error(`${name} is complex: compare one of its sub-attributes (e.g. ${name}.<sub> ${op} ...)`, opAt);
  }
  const type = leaf?.type ?? (typeof value === 'boolean' ? 'boolean' : undefined);
  if ((type === 'boolean' || type === 'binary') && op !== 'eq' && op !== 'ne') {
    throw c.error(`${name} is ${type}: only eq and ne apply to it, not ${op}`, opAt);
  }
  if (type === 'boolean') {
    const b = asBoolean(value);
    if (b === undefined) throw c.error(`${name} is boolean: expected true or false`, at);
    return b;
  }
  if (type === 'integer' || type === 'decimal') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) throw c.error(`${name} is ${type}: expected a number`, at);
    return n;
  }
  if (type === 'dateTime') {
    if (typeof value !== 'string' || parseTimestamp(value) === undefined) {
      throw c.error(`${name} is a dateTime: expected a quoted RFC 3339 timestamp`, at);
    }
    return value;
  }
  if (leaf && typeof value !== 'string') return String(value); // a string attribute compared with 42
  if (!leaf && typeof value === 'number' && !ORDERING.has(op) && op !== 'eq' && op !== 'ne') return String(value);
  return value;
}
