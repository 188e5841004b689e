/**
 * RFC 7644 §3.4.2.2 filters: tokenizer, recursive-descent parser, policy checks (the F-quirks) and
 * a compiler to plain predicates over rendered resources. Also parses PATCH paths (§3.5.2), which
 * share the attribute-path and value-filter grammar.
 */
import { invalidFilter, invalidPath, invalidValue } from './errors.ts';
import { type AttrDef, type SchemaSet, COMMON_ATTRIBUTES, findAttr, resolveAttr } from './schema.ts';

interface AttrPath {
  /** Extension or core schema URN when the path was fully qualified. */
  urn?: string;
  name: string;
  sub?: string;
  raw: string;
}

type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
type CompValue = string | number | boolean | null;

export type FilterNode =
  | { kind: 'logical'; op: 'and' | 'or'; rawOp: string; left: FilterNode; right: FilterNode }
  | { kind: 'not'; rawOp: string; expr: FilterNode }
  | { kind: 'compare'; path: AttrPath; op: CompareOp; rawOp: string; value: CompValue }
  | { kind: 'present'; path: AttrPath; rawOp: string }
  | { kind: 'valuePath'; path: AttrPath; filter: FilterNode };

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

type Token = { t: 'word'; v: string; pos: number } | { t: 'string'; v: string; pos: number } | { t: '(' | ')' | '[' | ']'; pos: number };

function tokenize(text: string, fail: (msg: string) => Error): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === '[' || c === ']') {
      out.push({ t: c, pos: i });
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw fail(`unterminated string starting at position ${i}`);
      const literal = text.slice(i, j + 1);
      let v: string;
      try {
        // RFC 7644 defines string literals as JSON strings (RFC 7159), escapes included.
        v = JSON.parse(literal) as string;
      } catch {
        throw fail(`invalid string literal ${literal}`);
      }
      out.push({ t: 'string', v, pos: i });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !' \t\n\r()[]"'.includes(text[j])) j++;
    out.push({ t: 'word', v: text.slice(i, j), pos: i });
    i = j;
  }
  return out;
}

const NAME_RE = /^\$?[A-Za-z][\w-]*$/;

/** Splits `urn:…:User:manager.value`, `name.givenName` or `userName` into an AttrPath. */
function parseAttrPath(raw: string, fail: (msg: string) => Error): AttrPath {
  let urn: string | undefined;
  let rest = raw;
  if (/^urn:/i.test(raw)) {
    const cut = raw.lastIndexOf(':');
    urn = raw.slice(0, cut);
    rest = raw.slice(cut + 1);
  }
  const dot = rest.indexOf('.');
  const name = dot < 0 ? rest : rest.slice(0, dot);
  const sub = dot < 0 ? undefined : rest.slice(dot + 1);
  if (!NAME_RE.test(name) || (sub !== undefined && !NAME_RE.test(sub))) throw fail(`invalid attribute path '${raw}'`);
  return { ...(urn ? { urn } : {}), name, ...(sub !== undefined ? { sub } : {}), raw };
}

class Parser {
  private pos = 0;
  private readonly tokens: Token[];
  private readonly fail: (msg: string) => Error;
  constructor(tokens: Token[], fail: (msg: string) => Error) {
    this.tokens = tokens;
    this.fail = fail;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private peekWord(word: string): boolean {
    const t = this.peek();
    return t?.t === 'word' && t.v.toLowerCase() === word;
  }
  private expect(type: '(' | ')' | '[' | ']'): void {
    const t = this.peek();
    if (t?.t !== type) throw this.fail(`expected '${type}' ${t ? `at position ${t.pos}` : 'at the end'}`);
    this.pos++;
  }
  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }
  rest(): Token | undefined {
    return this.peek();
  }

  parseOr(inBrackets: boolean): FilterNode {
    return this.parseLogical('or', () => this.parseAnd(inBrackets));
  }

  private parseAnd(inBrackets: boolean): FilterNode {
    return this.parseLogical('and', () => this.parseUnary(inBrackets));
  }

  /** `operand (op operand)*`, left-associative; rawOp keeps the operator's spelling. */
  private parseLogical(op: 'and' | 'or', operand: () => FilterNode): FilterNode {
    let left = operand();
    while (this.peekWord(op)) {
      const rawOp = (this.tokens[this.pos++] as { v: string }).v;
      left = { kind: 'logical', op, rawOp, left, right: operand() };
    }
    return left;
  }

  private parseUnary(inBrackets: boolean): FilterNode {
    const t = this.peek();
    if (!t) throw this.fail('unexpected end of filter');
    if (t.t === 'word' && t.v.toLowerCase() === 'not' && this.tokens[this.pos + 1]?.t === '(') {
      this.pos++;
      this.expect('(');
      const expr = this.parseOr(inBrackets);
      this.expect(')');
      return { kind: 'not', rawOp: t.v, expr };
    }
    if (t.t === '(') {
      this.pos++;
      const inner = this.parseOr(inBrackets);
      this.expect(')');
      return inner;
    }
    if (t.t !== 'word') throw this.fail(`unexpected ${t.t === 'string' ? 'string' : `'${t.t}'`} at position ${t.pos}`);
    this.pos++;
    const path = parseAttrPath(t.v, this.fail);
    const next = this.peek();
    if (next?.t === '[') {
      if (inBrackets) throw this.fail('nested value filters are not allowed');
      this.pos++;
      const inner = this.parseOr(true);
      this.expect(']');
      const after = this.peek();
      // `emails[type eq "work"].value eq "x"` reads as: some email with type work and value x.
      if (after?.t === 'word' && after.v.startsWith('.')) {
        this.pos++;
        const subPath = parseAttrPath(after.v.slice(1), this.fail);
        const cond = this.parseCondition(subPath);
        return { kind: 'valuePath', path, filter: { kind: 'logical', op: 'and', rawOp: 'and', left: inner, right: cond } };
      }
      return { kind: 'valuePath', path, filter: inner };
    }
    return this.parseCondition(path);
  }

  private parseCondition(path: AttrPath): FilterNode {
    const opTok = this.peek();
    if (opTok?.t !== 'word') throw this.fail(`expected an operator after '${path.raw}'`);
    const op = opTok.v.toLowerCase();
    this.pos++;
    if (op === 'pr') return { kind: 'present', path, rawOp: opTok.v };
    if (!COMPARE_OPS.has(op)) throw this.fail(`unknown operator '${opTok.v}'`);
    const valTok = this.peek();
    if (!valTok) throw this.fail(`expected a value after '${path.raw} ${opTok.v}'`);
    this.pos++;
    let value: CompValue;
    if (valTok.t === 'string') value = valTok.v;
    else if (valTok.t === 'word') {
      const w = valTok.v.toLowerCase();
      if (w === 'true') value = true;
      else if (w === 'false') value = false;
      else if (w === 'null') value = null;
      else if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(valTok.v)) value = Number(valTok.v);
      else throw this.fail(`invalid value '${valTok.v}' (strings must be quoted)`);
    } else throw this.fail(`expected a value at position ${valTok.pos}`);
    return { kind: 'compare', path, op: op as CompareOp, rawOp: opTok.v, value };
  }
}

export function parseFilter(text: string): FilterNode {
  const fail = (msg: string) => invalidFilter(`Invalid filter: ${msg}`);
  if (!text.trim()) throw fail('empty filter');
  const parser = new Parser(tokenize(text, fail), fail);
  const node = parser.parseOr(false);
  const extra = parser.rest();
  if (extra) throw fail(`unexpected token at position ${extra.pos}`);
  return node;
}

export interface PatchPath {
  path: AttrPath;
  filter?: FilterNode;
  sub?: string;
}

/** PATH = attrPath / valuePath [subAttr] (RFC 7644 §3.5.2). */
export function parsePatchPath(text: string): PatchPath {
  const fail = (msg: string) => invalidPath(`Invalid path '${text}': ${msg}`);
  const tokens = tokenize(text, fail);
  const first = tokens[0];
  if (first?.t !== 'word') throw fail('expected an attribute name');
  const path = parseAttrPath(first.v, fail);
  if (tokens.length === 1) return { path };
  if (tokens[1].t !== '[') throw fail('unexpected text after the attribute');
  let depth = 0;
  let close = -1;
  for (let i = 1; i < tokens.length; i++) {
    if (tokens[i].t === '[') depth++;
    if (tokens[i].t === ']' && --depth === 0) {
      close = i;
      break;
    }
  }
  if (close < 0) throw fail("missing ']'");
  const parser = new Parser(tokens.slice(2, close), (m) => fail(m));
  const filter = parser.parseOr(true);
  if (!parser.atEnd()) throw fail('unexpected token in the value filter');
  const tail = tokens.slice(close + 1);
  if (tail.length === 0) return { path, filter };
  const subTok = tail[0];
  if (tail.length > 1 || subTok.t !== 'word' || !subTok.v.startsWith('.') || !NAME_RE.test(subTok.v.slice(1)))
    throw fail('expected .subAttribute after the value filter');
  return { path, filter, sub: subTok.v.slice(1) };
}

// ---------------------------------------------------------------- policy (F-quirks)

export interface FilterPolicy {
  eqOnly: boolean;
  allowedFilters: string[] | null;
  caseSensitive: boolean;
  externalIdSnakeCase: boolean;
  emailsValueUnsupported: boolean;
  maxNodes: number | null;
}

function walk(node: FilterNode, visit: (n: FilterNode, parent?: AttrPath) => void, parent?: AttrPath): void {
  visit(node, parent);
  if (node.kind === 'logical') {
    walk(node.left, visit, parent);
    walk(node.right, visit, parent);
  } else if (node.kind === 'not') walk(node.expr, visit, parent);
  else if (node.kind === 'valuePath') walk(node.filter, visit, node.path);
}

function countNodes(node: FilterNode): number {
  let n = 0;
  walk(node, () => n++);
  return n;
}

/** Lower-case keys such as `username`, `emails.type` or `manager`, with URNs dropped, for F2. */
function filterKeys(node: FilterNode): Set<string> {
  const keys = new Set<string>();
  walk(node, (n, parent) => {
    if (n.kind !== 'compare' && n.kind !== 'present') return;
    const p = n.path;
    const key = parent ? `${parent.name}.${p.name}` : p.sub ? `${p.name}.${p.sub}` : p.name;
    keys.add(key.toLowerCase());
  });
  return keys;
}

/** Rewrites F7 aliases in place; returns the node for chaining. */
export function applyAliases(node: FilterNode, policy: FilterPolicy): FilterNode {
  if (!policy.externalIdSnakeCase) return node;
  walk(node, (n) => {
    if ((n.kind === 'compare' || n.kind === 'present' || n.kind === 'valuePath') && n.path.name.toLowerCase() === 'external_id') {
      n.path = { ...n.path, name: 'externalId' };
    }
  });
  return node;
}

/** Throws invalidFilter when a quirk makes this (valid) filter unsupported. */
export function checkPolicy(node: FilterNode, policy: FilterPolicy, set: SchemaSet): void {
  if (policy.maxNodes !== null && countNodes(node) > policy.maxNodes) {
    throw invalidFilter(`Filter too complex: more than ${policy.maxNodes} expressions`);
  }
  walk(node, (n, parent) => {
    if (policy.eqOnly) {
      if (n.kind === 'logical' && n.op !== 'and') throw invalidFilter(`Unsupported logical operator '${n.rawOp}': only 'and' is supported`);
      if (n.kind === 'not') throw invalidFilter("Unsupported operator 'not'");
      if (n.kind === 'present') throw invalidFilter("Unsupported operator 'pr': only 'eq' is supported");
      if (n.kind === 'compare' && n.op !== 'eq') throw invalidFilter(`Unsupported operator '${n.rawOp}': only 'eq' is supported`);
      if (n.kind === 'valuePath') throw invalidFilter('Value filters with [] are not supported');
    }
    if (policy.emailsValueUnsupported && (n.kind === 'compare' || n.kind === 'present' || n.kind === 'valuePath')) {
      const top = parent ?? n.path;
      if (top.name.toLowerCase() === 'emails' && (parent || n.path.sub || n.kind === 'valuePath')) {
        throw invalidFilter('Filtering on emails sub-attributes is not supported; use emails eq "..."');
      }
    }
    if (policy.caseSensitive) {
      if ((n.kind === 'logical' || n.kind === 'not' || n.kind === 'compare' || n.kind === 'present') && n.rawOp !== n.rawOp.toLowerCase()) {
        throw invalidFilter(`Unknown operator '${n.rawOp}'`);
      }
      if (n.kind === 'compare' || n.kind === 'present' || n.kind === 'valuePath') {
        const p = n.path;
        const defs: AttrDef[] | undefined = parent ? resolveAttr(set, parent.urn, parent.name).def?.subAttributes : undefined;
        const def = parent ? (defs ? findAttr(defs, p.name) : undefined) : resolveAttr(set, p.urn, p.name).def;
        if (def && def.name !== p.name) throw invalidFilter(`Unknown attribute '${p.name}'`);
        const subDef = def && p.sub && def.subAttributes ? findAttr(def.subAttributes, p.sub) : undefined;
        if (subDef && p.sub !== subDef.name) throw invalidFilter(`Unknown attribute '${p.name}.${p.sub}'`);
      }
    }
  });
  if (policy.allowedFilters) {
    const used = [...filterKeys(node)].sort().join('+');
    const allowed = policy.allowedFilters.map((a) =>
      a
        .split('+')
        .map((s) =>
          s
            .trim()
            .toLowerCase()
            .replace(/^urn:.*:/, ''),
        )
        .sort()
        .join('+'),
    );
    if (!allowed.includes(used)) throw invalidFilter(`Filtering on '${used.replaceAll('+', "' and '")}' is not supported`);
  }
}

export function usesExtension(node: FilterNode, set: SchemaSet): boolean {
  let found = false;
  walk(node, (n) => {
    if (
      (n.kind === 'compare' || n.kind === 'present' || n.kind === 'valuePath') &&
      n.path.urn &&
      n.path.urn.toLowerCase() !== set.core.toLowerCase()
    )
      found = true;
  });
  return found;
}

// ---------------------------------------------------------------- evaluation

type Obj = Record<string, unknown>;
export type Predicate = (resource: unknown) => boolean;

/** Case-insensitive property read (RFC 7643 §2.1: attribute names are case-insensitive). */
export function getField(obj: unknown, key: string): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const o = obj as Obj;
  if (key in o) return o[key];
  const lk = key.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lk) return o[k];
  return undefined;
}

interface Info {
  caseExact: boolean;
  type: string;
  multiValuedComplex: boolean;
}

export interface CompileOptions {
  set: SchemaSet;
  /** F3: `userName` compared case-sensitively. */
  userNameCaseExact?: boolean;
}

function infoFor(def: AttrDef | undefined, sub: AttrDef | undefined, opts: CompileOptions): Info {
  const valueDef = sub ?? (def?.multiValued && def.subAttributes ? findAttr(def.subAttributes, 'value') : def);
  let caseExact = valueDef?.caseExact ?? false;
  if (opts.userNameCaseExact && def?.name === 'userName' && !sub) caseExact = true;
  return { caseExact, type: valueDef?.type ?? 'string', multiValuedComplex: !!def?.multiValued && def.type === 'complex' };
}

const present = (v: unknown): boolean =>
  v !== undefined &&
  v !== null &&
  v !== '' &&
  !(Array.isArray(v) && v.length === 0) &&
  !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v as Obj).length === 0);

/** Values an attribute path yields on one object; multi-valued complex attributes yield their `value`s. */
function candidates(container: unknown, name: string, sub: string | undefined): unknown[] {
  const v = getField(container, name);
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v : [v];
  const out: unknown[] = [];
  for (const item of items) {
    let x: unknown = item;
    if (sub !== undefined) x = getField(item, sub);
    else if (item && typeof item === 'object' && !Array.isArray(item)) x = getField(item, 'value');
    if (x !== undefined && x !== null) out.push(x);
  }
  return out;
}

function compareOne(c: unknown, op: CompareOp, value: CompValue, info: Info): boolean {
  if (info.type === 'dateTime' && typeof c === 'string' && typeof value === 'string') {
    const a = Date.parse(c);
    const b = Date.parse(value);
    if (Number.isNaN(a) || Number.isNaN(b)) return false;
    return orderOp(a, b, op);
  }
  if (typeof c === 'string' && typeof value === 'string') {
    const a = info.caseExact ? c : c.toLowerCase();
    const b = info.caseExact ? value : value.toLowerCase();
    switch (op) {
      case 'co':
        return a.includes(b);
      case 'sw':
        return a.startsWith(b);
      case 'ew':
        return a.endsWith(b);
      default:
        return orderOp(a, b, op);
    }
  }
  if (typeof c === 'number' && typeof value === 'number') return orderOp(c, value, op);
  if (typeof c === 'boolean' && typeof value === 'boolean') return op === 'eq' ? c === value : op === 'ne' ? c !== value : false;
  return op === 'ne';
}

/** eq, ne and the orderings; any other operator is false. Strings compare in code-unit order. */
function orderOp<T extends number | string>(a: T, b: T, op: CompareOp): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    default:
      return false;
  }
}

interface Scope {
  /** Definitions for paths at this level: the whole resource, or a multi-valued attribute's sub-attributes. */
  resolve(path: AttrPath): { def?: AttrDef; subDef?: AttrDef; container: (obj: unknown) => unknown; name: string; sub?: string };
}

function resourceScope(opts: CompileOptions): Scope {
  return {
    resolve(path) {
      const { def, subDef } = resolveAttr(opts.set, path.urn, path.name, path.sub);
      const isCore = !path.urn || path.urn.toLowerCase() === opts.set.core.toLowerCase();
      const urn = isCore ? undefined : (opts.set.extensionNames.get(path.urn!.toLowerCase()) ?? path.urn);
      const container = urn ? (obj: unknown) => getField(obj, urn) : (obj: unknown) => obj;
      return { def, subDef, container, name: def?.name ?? path.name, sub: subDef?.name ?? path.sub };
    },
  };
}

function elementScope(parent: AttrDef | undefined): Scope {
  return {
    resolve(path) {
      const def = parent?.subAttributes ? findAttr(parent.subAttributes, path.name) : undefined;
      return { def, subDef: undefined, container: (obj: unknown) => obj, name: def?.name ?? path.name, sub: path.sub };
    },
  };
}

function compileNode(node: FilterNode, scope: Scope, opts: CompileOptions): Predicate {
  switch (node.kind) {
    case 'logical': {
      const l = compileNode(node.left, scope, opts);
      const r = compileNode(node.right, scope, opts);
      return node.op === 'and' ? (x) => l(x) && r(x) : (x) => l(x) || r(x);
    }
    case 'not': {
      const e = compileNode(node.expr, scope, opts);
      return (x) => !e(x);
    }
    case 'present': {
      const r = scope.resolve(node.path);
      return (x) => {
        const v = getField(r.container(x), r.name);
        if (r.sub === undefined) return present(v);
        const items = Array.isArray(v) ? v : [v];
        return items.some((it) => present(getField(it, r.sub!)));
      };
    }
    case 'compare': {
      const r = scope.resolve(node.path);
      const info = infoFor(r.def, r.subDef, opts);
      const { op, value } = node;
      if (value === null && op !== 'eq' && op !== 'ne') throw invalidFilter(`Operator '${node.rawOp}' cannot compare with null`);
      if (info.type === 'boolean' && op !== 'eq' && op !== 'ne')
        throw invalidFilter(`Operator '${node.rawOp}' is not defined for boolean attribute '${node.path.raw}'`);
      if (value === null) {
        return op === 'eq'
          ? (x) => candidates(r.container(x), r.name, r.sub).length === 0
          : (x) => candidates(r.container(x), r.name, r.sub).length > 0;
      }
      if (op === 'ne') return (x) => !candidates(r.container(x), r.name, r.sub).some((c) => compareOne(c, 'eq', value, info));
      return (x) => candidates(r.container(x), r.name, r.sub).some((c) => compareOne(c, op, value, info));
    }
    case 'valuePath': {
      const r = scope.resolve(node.path);
      const inner = compileNode(node.filter, elementScope(r.def), opts);
      return (x) => {
        const v = getField(r.container(x), r.name);
        if (v === undefined || v === null) return false;
        return (Array.isArray(v) ? v : [v]).some((el) => inner(el));
      };
    }
  }
}

export function compileFilter(node: FilterNode, opts: CompileOptions): Predicate {
  return compileNode(node, resourceScope(opts), opts);
}

/** Predicate for the bracketed part of a PATCH path, applied to one element of `parent`. */
export function compileElementFilter(node: FilterNode, parent: AttrDef | undefined, opts: CompileOptions): Predicate {
  return compileNode(node, elementScope(parent), opts);
}

/** A comparable sort key per RFC 7644 §3.4.2.3 (multi-valued: the primary value, else the first). */
export function sortKeyGetter(sortBy: string, opts: CompileOptions): (resource: unknown) => string | number | undefined {
  const path = parseAttrPath(sortBy, (m) => invalidValue(`Invalid sortBy: ${m}`));
  const r = resourceScope(opts).resolve(path);
  const info = infoFor(r.def, r.subDef, opts);
  return (x) => {
    const v = getField(r.container(x), r.name);
    if (v === undefined || v === null) return undefined;
    let item: unknown = v;
    if (Array.isArray(v)) item = v.find((e) => getField(e, 'primary') === true) ?? v[0];
    let leaf: unknown = item;
    if (r.sub !== undefined) leaf = getField(item, r.sub);
    else if (item && typeof item === 'object') leaf = getField(item, 'value');
    if (typeof leaf === 'string') {
      if (info.type === 'dateTime') {
        const t = Date.parse(leaf);
        return Number.isNaN(t) ? leaf : t;
      }
      return info.caseExact ? leaf : leaf.toLowerCase();
    }
    if (typeof leaf === 'number') return leaf;
    if (typeof leaf === 'boolean') return leaf ? 1 : 0;
    return undefined;
  };
}

/**
 * `id`, `userName`, `externalId`, `displayName` and `emails[.value]` eq lookups the store can
 * answer from an index. The predicate still runs on the candidates, so the index may over-match.
 */
export function simpleEquality(node: FilterNode, set: SchemaSet): { attr: string; value: string } | undefined {
  if (node.kind !== 'compare' || node.op !== 'eq' || typeof node.value !== 'string') return undefined;
  if (node.path.urn && node.path.urn.toLowerCase() !== set.core.toLowerCase()) return undefined;
  const def = findAttr(set.attributes, node.path.name) ?? findAttr(COMMON_ATTRIBUTES, node.path.name);
  if (def?.name === 'emails' && (node.path.sub === undefined || node.path.sub.toLowerCase() === 'value'))
    return { attr: 'emails', value: node.value };
  if (!def || node.path.sub || !['id', 'userName', 'externalId', 'displayName'].includes(def.name)) return undefined;
  return { attr: def.name, value: node.value };
}

/** Lower-cased top-level attribute names (or extension URNs) a filter reads. */
export function referencedTopLevel(node: FilterNode): Set<string> {
  const names = new Set<string>();
  walk(node, (n, parent) => {
    if (parent || (n.kind !== 'compare' && n.kind !== 'present' && n.kind !== 'valuePath')) return;
    names.add((n.path.urn ?? n.path.name).toLowerCase());
  });
  return names;
}
