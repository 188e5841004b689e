// SCIM list requests (RFC 7644 3.4.2): filter, sortBy/sortOrder, startIndex/count, for Users and Groups.
// A filter whose every term SQL can decide exactly (an `and` of `eq` on indexed columns: `userName eq`,
// `externalId eq`, `id eq`, the usual lookups of identity providers) is one query for the page and one
// count. Any other filter is decided on the SCIM representation itself (the whole grammar, every
// attribute, case-exactness per attribute): the terms SQL can decide narrow the rows first, the rest are
// read in id order a chunk at a time and tested, keeping only the ids (and sort keys) that match.
import { type AttrPath, type Filter, matchesFilter, parseAttributePath, parseFilter, ScimRequestError } from '../scim/index.ts';

type Json = Record<string, unknown>;

/** filter.maxResults in /ServiceProviderConfig, and the default count. */
export const MAX_RESULTS = 1000;
export const DEFAULT_COUNT = 100;
const SCAN_CHUNK = 500;

export interface ListParams {
  filter?: string;
  sortBy?: string;
  sortOrder?: string;
  startIndex?: string;
  count?: string;
}

/** `userName`, `name.givenName`: the key a source looks a path up by, in lower case. */
export const pathKey = (p: AttrPath) => (p.sub ? `${p.attr}.${p.sub}` : p.attr).toLowerCase();

/** How one resource type is listed; `C` is its SQL condition, `S` its sort column. */
export interface ListSource<C, S> {
  resourceType: 'User' | 'Group';
  /** The exact SQL condition for `path eq value`, or undefined when SQL cannot decide it exactly. */
  equality(path: AttrPath, value: unknown): C | undefined;
  sortColumn(path: AttrPath): S | undefined;
  pageIds(where: C[], sort: { column: S; order: 'asc' | 'desc' } | undefined, offset: number, limit: number): Promise<string[]>;
  count(where: C[]): Promise<number>;
  idsAfter(where: C[], afterId: string | undefined, limit: number): Promise<string[]>;
  /** The resources with these ids, in that order (for testing a filter: everything a filter may name). */
  load(ids: string[]): Promise<Json[]>;
}

export interface ListAnswer {
  totalResults: number;
  startIndex: number;
  ids: string[];
}

function wholeNumber(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d{1,15}$/.test(raw.trim())) throw new ScimRequestError(400, 'invalidValue', `${name} must be an integer`);
  return Number(raw.trim());
}

/** startIndex below 1 is 1, a negative count is 0 (RFC 7644 3.4.2.4); count is capped at MAX_RESULTS. */
export function pagingOf(params: ListParams): { startIndex: number; count: number } {
  const startIndex = Math.max(1, wholeNumber(params.startIndex, 'startIndex', 1));
  const count = Math.min(MAX_RESULTS, Math.max(0, wholeNumber(params.count, 'count', DEFAULT_COUNT)));
  return { startIndex, count };
}

function sortOrderOf(raw: string | undefined): 'asc' | 'desc' {
  if (raw === undefined || raw === '') return 'asc';
  const v = raw.trim().toLowerCase();
  if (v === 'ascending') return 'asc';
  if (v === 'descending') return 'desc';
  throw new ScimRequestError(400, 'invalidValue', 'sortOrder must be "ascending" or "descending"');
}

/**
 * The SQL conditions a filter implies: every `eq` term of its top-level `and` that SQL decides exactly.
 * `exact` when nothing else is left to test.
 */
function sqlPlan<C, S>(source: ListSource<C, S>, filter: Filter | undefined): { where: C[]; exact: boolean } {
  if (!filter) return { where: [], exact: true };
  const where: C[] = [];
  let exact = true;
  const walk = (f: Filter) => {
    if (f.op === 'and') {
      walk(f.left);
      walk(f.right);
      return;
    }
    const c = f.op === 'eq' ? source.equality(f.path, f.value) : undefined;
    if (c === undefined) exact = false;
    else where.push(c);
  };
  walk(filter);
  return { where, exact };
}

const CORE_SCHEMAS = new Set(['urn:ietf:params:scim:schemas:core:2.0:user', 'urn:ietf:params:scim:schemas:core:2.0:group']);

/** An attribute of a JSON object, its name in any letter case (RFC 7643 2.1). */
function attributeOf(o: unknown, name: string): unknown {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  const lower = name.toLowerCase();
  return Object.entries(o).find(([k]) => k.toLowerCase() === lower)?.[1];
}

/** The value a resource sorts by: of a multi-valued attribute its primary value, else its first (RFC 7644 3.4.2.3). */
function sortKey(resource: Json, path: AttrPath): string | number | boolean | undefined {
  const container = path.schema && !CORE_SCHEMAS.has(path.schema.toLowerCase()) ? attributeOf(resource, path.schema) : resource;
  let v = attributeOf(container, path.attr);
  if (Array.isArray(v)) v = v.find((x) => attributeOf(x, 'primary') === true) ?? v[0];
  if (typeof v === 'object' && v !== null) v = attributeOf(v, path.sub ?? 'value');
  else if (path.sub) v = undefined;
  if (typeof v === 'string') return v.toLowerCase();
  return typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
}

function compareKeys(a: string | number | boolean | undefined, b: string | number | boolean | undefined): number {
  // Resources without the attribute sort last in ascending order (RFC 7644 3.4.2.3).
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function listIds<C, S>(source: ListSource<C, S>, params: ListParams): Promise<ListAnswer> {
  const filter = params.filter !== undefined && params.filter.trim() !== '' ? parseFilter(params.filter, source.resourceType) : undefined;
  const { startIndex, count } = pagingOf(params);
  const order = sortOrderOf(params.sortOrder);
  const sortPath = params.sortBy ? parseAttributePath(params.sortBy, source.resourceType).path : undefined;
  const sortColumn = sortPath ? source.sortColumn(sortPath) : undefined;
  const plan = sqlPlan(source, filter);

  if (plan.exact && (!sortPath || sortColumn !== undefined)) {
    const sort = sortColumn !== undefined ? { column: sortColumn, order } : undefined;
    const [totalResults, ids] = await Promise.all([
      source.count(plan.where),
      count === 0 ? Promise.resolve([]) : source.pageIds(plan.where, sort, startIndex - 1, count),
    ]);
    return { totalResults, startIndex, ids };
  }

  // Decided on the representation: every candidate SQL leaves is read once, in id order.
  const matches: { id: string; key: string | number | boolean | undefined }[] = [];
  let after: string | undefined;
  for (;;) {
    const ids = await source.idsAfter(plan.where, after, SCAN_CHUNK);
    if (ids.length === 0) break;
    after = ids[ids.length - 1];
    const resources = await source.load(ids);
    resources.forEach((r, i) => {
      if (!filter || matchesFilter(r, filter, source.resourceType))
        matches.push({ id: ids[i], key: sortPath ? sortKey(r, sortPath) : undefined });
    });
    if (ids.length < SCAN_CHUNK) break;
  }
  if (sortPath) {
    matches.sort((a, b) => {
      const c = compareKeys(a.key, b.key);
      return c !== 0 ? (order === 'asc' ? c : -c) : a.id < b.id ? -1 : 1;
    });
  }
  const page = matches.slice(startIndex - 1, startIndex - 1 + count).map((m) => m.id);
  return { totalResults: matches.length, startIndex, ids: page };
}

export function listResponse(answer: Pick<ListAnswer, 'totalResults' | 'startIndex'>, resources: Json[]): Json {
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults: answer.totalResults,
    itemsPerPage: resources.length,
    startIndex: answer.startIndex,
    Resources: resources,
  };
}

/** A list that is whole in one answer (/Schemas, /ResourceTypes). */
export const wholeList = (items: Json[]): Json => listResponse({ totalResults: items.length, startIndex: 1 }, items);
