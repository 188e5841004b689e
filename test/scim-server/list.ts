/**
 * GET /Users and /Groups (and POST /.search): filtering, sorting, index and RFC 9865 cursor
 * paging, and every pagination quirk (P1-P17, F1-F8). Unfiltered unsorted listings page straight
 * off the store's slot array; filtered or sorted result sets are cached per store version, so
 * paging through them does not re-run the filter for every page.
 */
import { ScimHttpError, badRequest, invalidValue, stackTraceText } from './errors.ts';
import {
  type FilterNode,
  type FilterPolicy,
  type Predicate,
  applyAliases,
  checkPolicy,
  compileFilter,
  parseFilter,
  referencedTopLevel,
  simpleEquality,
  sortKeyGetter,
  usesExtension,
} from './filter.ts';
import type { Quirks } from './quirks.ts';
import { type Projection, type ViewParts, buildTree, makeProjection, project } from './render.ts';
import { CORE_USER, LIST_RESPONSE, type ResourceKind, type SchemaSet } from './schema.ts';
import type { Slot } from './store.ts';

type Obj = Record<string, unknown>;

export interface Collection {
  kind: ResourceKind;
  set: SchemaSet;
  /** Live resources in insertion order (ascending seq). */
  slots(): Slot[];
  seq(slot: Slot): number;
  /** Canonical resource, for filtering and sorting; `parts` says whether meta/groups are needed. */
  view(slot: Slot, parts?: ViewParts): Obj | undefined;
  /** Resource as served (response quirks applied). */
  render(slot: Slot): Obj | undefined;
  /** Index lookup for `attr eq value`, in seq order; undefined when there is no index for attr. */
  lookup(attr: string, value: string): Slot[] | undefined;
}

export interface ListParams {
  filter?: string;
  sortBy?: string;
  sortOrder?: string;
  startIndex?: string;
  count?: string;
  /** undefined = parameter absent; '' = "start a cursor-paged query". */
  cursor?: string;
  attributes?: string | string[];
  excludedAttributes?: string | string[];
}

export interface ListOutcome {
  body: Obj;
  /** Members serialised into the page (for the P18 latency quirk). */
  memberCount: number;
}

interface CursorData {
  q: string;
  m: 'o' | 's';
  p: number;
  t: number;
}

const PHANTOM_SEQ = 1e15;

function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

function intParam(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  if (!/^[-+]?\d+$/.test(v.trim())) throw invalidValue(`'${name}' must be an integer, got '${v}'`);
  return Number.parseInt(v, 10);
}

function encodeCursor(c: CursorData): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(text: string): CursorData {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as CursorData;
    if (typeof c.q === 'string' && (c.m === 'o' || c.m === 's') && typeof c.p === 'number' && typeof c.t === 'number') return c;
  } catch {
    // fall through
  }
  throw badRequest(
    'invalidCursor',
    'Cursor value is invalid. Use an empty cursor for the first page, then the nextCursor values returned.',
  );
}

/** First index in `slots` whose seq is greater than `after` (slots are in ascending seq order). */
function lowerBound(slots: Slot[], after: number, seq: (s: Slot) => number): number {
  let lo = 0;
  let hi = slots.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (seq(slots[mid]) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function phantom(k: number): Obj {
  return {
    schemas: [CORE_USER],
    id: `pending-invitation-${k + 1}`,
    userName: null,
    displayName: null,
    emails: null,
    active: false,
    meta: { resourceType: 'User' },
  };
}

function placeholder(): Obj {
  return {
    schemas: [CORE_USER],
    id: 'SCIM_PLACEHOLDER_USER',
    userName: 'placeholder_user',
    displayName: 'Placeholder',
    name: { givenName: 'Placeholder', familyName: 'User' },
    active: true,
    emails: [{ value: 'placeholder@example.invalid', primary: true }],
    meta: { resourceType: 'User' },
  };
}

export class ListEngine {
  private cache = new Map<string, { version: number; slots: Slot[] }>();
  private endlessServed = 0;

  list(coll: Collection, p: ListParams, q: Quirks, storeVersion: number, nowMs: number): ListOutcome {
    const { pred, ast, unsupported } = this.prepareFilter(coll, p.filter, q);
    const cursorMode = q.cursorOnly || (q.cursorSupported && p.cursor !== undefined);
    let startIndex = intParam('startIndex', p.startIndex);
    if (q.cursorOnly && startIndex !== undefined) {
      if (q.cursorOnlyStartIndex === 'reject')
        throw invalidValue("'startIndex' is not supported by this service provider; use cursor-based pagination");
      startIndex = undefined;
    }
    let count = intParam('count', p.count);
    if (count !== undefined && count < 0) count = 0;
    if ((cursorMode && count === 0) || (q.oversizedCount === 'invalidCount' && count !== undefined && count > q.maxPageSize))
      throw badRequest('invalidCount', `Count value is invalid. Count value must be between 1 and ${q.maxPageSize}`);

    const finish = (body: Obj, memberCount = 0): ListOutcome => ({ body: this.envelopeQuirks(body, q, count), memberCount });

    if (q.neverEnding && coll.kind === 'User') return finish(this.endless(p, q, count, startIndex, cursorMode));
    if (!cursorMode && q.requireStartIndexAndCount && (p.startIndex === undefined || p.count === undefined)) {
      return finish({ schemas: [LIST_RESPONSE], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
    }
    if (!cursorMode && count === 0) {
      if (q.countZero === 'error') throw invalidValue("'count' must be greater than 0");
      if (q.countZero === 'zeroTotal')
        return finish({ schemas: [LIST_RESPONSE], totalResults: 0, startIndex: startIndex ?? 1, itemsPerPage: 0, Resources: [] });
      if (q.countZero === 'maxPage') count = q.maxPageSize;
    }
    if (!cursorMode && q.maxStartIndex !== null && startIndex !== undefined && startIndex > q.maxStartIndex) {
      throw invalidValue(
        `Start index too big (max ${q.maxStartIndex}). Consider filtering with "id gt" and sortBy=id to page through large result sets.`,
      );
    }
    if (q.placeholderOnUnfilteredList && coll.kind === 'User' && !p.filter) {
      return finish({ schemas: [LIST_RESPONSE], totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [placeholder()] });
    }

    const pageSize = Math.min(count ?? q.defaultPageSize, q.maxPageSize);
    const results = unsupported ? [] : this.resolve(coll, p, ast, pred, q, storeVersion);
    const total = results.length;
    const seq = (s: Slot) => (typeof s === 'number' && s < 0 ? PHANTOM_SEQ - s : coll.seq(s));
    const queryKey = fnv(
      [coll.kind, p.filter ?? '', p.sortBy ?? '', p.sortOrder ?? '', String(p.attributes ?? ''), String(p.excludedAttributes ?? '')].join(
        '\u0000',
      ),
    );
    const sorted = !!p.sortBy;
    const cursorAfter = (lastIndex: number): string =>
      encodeCursor(
        sorted
          ? { q: queryKey, m: 'o', p: lastIndex + 1, t: Math.floor(nowMs / 1000) }
          : { q: queryKey, m: 's', p: seq(results[lastIndex]), t: Math.floor(nowMs / 1000) },
      );

    const projection = makeProjection(p.attributes, p.excludedAttributes, coll.set, q.projectionDropsSchemasMeta);
    const omitInLists = q.listOmitsAttributes.length > 0 ? buildTree(q.listOmitsAttributes, coll.set) : undefined;
    let memberCount = 0;
    const renderPage = (page: Slot[]): Obj[] => {
      const out: Obj[] = [];
      for (const s of page) {
        let r = typeof s === 'number' && s < 0 ? phantom(-s - 1) : coll.render(s);
        if (!r) continue;
        if (omitInLists) r = project(r, { excluded: omitInLists, dropSchemas: false });
        if (projection) r = project(r, projection as Projection);
        if (Array.isArray(r.members)) memberCount += r.members.length;
        out.push(r);
      }
      return out;
    };

    if (cursorMode) {
      let offset = 0;
      if (p.cursor) {
        const c = decodeCursor(p.cursor);
        if (q.expireNextCursors > 0) {
          q.expireNextCursors--;
          throw badRequest(
            'expiredCursor',
            `Cursor has expired. Do not wait longer than cursorTimeout (${q.cursorTimeoutSeconds} sec) to request additional pages.`,
          );
        }
        if (c.q !== queryKey)
          throw badRequest('invalidCursor', 'Cursor value is invalid: the query parameters differ from the ones the cursor was issued for');
        if (nowMs / 1000 - c.t > q.cursorTimeoutSeconds) {
          throw badRequest(
            'expiredCursor',
            `Cursor has expired. Do not wait longer than cursorTimeout (${q.cursorTimeoutSeconds} sec) to request additional pages.`,
          );
        }
        offset = c.m === 'o' ? c.p : lowerBound(results, c.p, seq);
      }
      const page = results.slice(offset, offset + pageSize);
      const body: Obj = { schemas: [LIST_RESPONSE] };
      if (!q.cursorOnly) body.totalResults = total;
      body.itemsPerPage = page.length;
      if (page.length > 0 && offset + page.length < total) body.nextCursor = cursorAfter(offset + page.length - 1);
      body.Resources = renderPage(page);
      return finish(body, memberCount);
    }

    let offset: number;
    let reported = startIndex ?? 1;
    if (q.ignoreStartIndex) {
      reported = 1;
      offset = 0;
    } else if (q.startIndexMode === 'zeroBased') offset = Math.max(0, startIndex ?? 0);
    else if (q.startIndexMode === 'lowIndicesSame') offset = reported <= 2 ? 0 : reported - 1;
    else {
      reported = Math.max(1, reported);
      offset = reported - 1;
    }
    let page: Slot[] = count === 0 ? [] : results.slice(offset, offset + pageSize);
    if (page.length === 0 && count !== 0 && total > 0 && offset >= total) {
      if (q.pastEndBehavior === 'firstPage') page = results.slice(0, pageSize);
      else if (q.pastEndBehavior === 'lastItem') page = [results[total - 1]];
    }
    const body: Obj = { schemas: [LIST_RESPONSE], totalResults: total, startIndex: reported, itemsPerPage: page.length };
    if (q.unsolicitedNextCursor && q.cursorSupported && page.length > 0 && offset + page.length < total)
      body.nextCursor = cursorAfter(offset + page.length - 1);
    body.Resources = renderPage(page);
    return finish(body, memberCount);
  }

  private policy(q: Quirks): FilterPolicy {
    return {
      eqOnly: q.filterEqOnly,
      allowedFilters: q.allowedFilters,
      caseSensitive: q.filterCaseSensitive,
      externalIdSnakeCase: q.filterExternalIdSnakeCase,
      emailsValueUnsupported: q.emailsValueFilterUnsupported,
      maxNodes: q.maxFilterNodes,
    };
  }

  private prepareFilter(
    coll: Collection,
    filter: string | undefined,
    q: Quirks,
  ): { pred?: Predicate; ast?: FilterNode; unsupported: boolean } {
    if (filter === undefined || filter.trim() === '') return { unsupported: false };
    let ast: FilterNode;
    try {
      ast = parseFilter(filter);
    } catch (e) {
      if (q.invalidFilterReturns500 && e instanceof ScimHttpError)
        throw new ScimHttpError(500, undefined, stackTraceText(e.message, 'filter'));
      if (q.unsupportedFilterReturnsEmpty) return { unsupported: true };
      throw e;
    }
    try {
      const policy = this.policy(q);
      applyAliases(ast, policy);
      checkPolicy(ast, policy, coll.set);
      if (q.unsupportedFilterReturnsEmpty && usesExtension(ast, coll.set)) return { unsupported: true };
      return { ast, pred: compileFilter(ast, { set: coll.set, userNameCaseExact: q.userNameCaseExact }), unsupported: false };
    } catch (e) {
      if (q.unsupportedFilterReturnsEmpty && e instanceof ScimHttpError && e.scimType === 'invalidFilter') return { unsupported: true };
      throw e;
    }
  }

  private resolve(
    coll: Collection,
    p: ListParams,
    ast: FilterNode | undefined,
    pred: Predicate | undefined,
    q: Quirks,
    version: number,
  ): Slot[] {
    const phantoms = coll.kind === 'User' && !ast ? q.phantomListEntries : 0;
    const base = (): Slot[] => {
      const slots = coll.slots();
      if (phantoms === 0) return slots;
      const out = slots.slice();
      for (let k = 1; k <= phantoms; k++) out.push(-k);
      return out;
    };
    if (!pred && !p.sortBy) return base();
    const order = (p.sortOrder ?? 'ascending').toLowerCase();
    if (order !== 'ascending' && order !== 'descending') throw invalidValue("'sortOrder' must be 'ascending' or 'descending'");
    const key = [coll.kind, p.filter ?? '', p.sortBy ?? '', order, q.userNameCaseExact, phantoms, q.filterExternalIdSnakeCase].join(
      '\u0000',
    );
    const hit = this.cache.get(key);
    if (hit && hit.version === version) return hit.slots;

    let candidates: Slot[] | undefined;
    const eq = ast ? simpleEquality(ast, coll.set) : undefined;
    if (eq) candidates = coll.lookup(eq.attr, eq.value);
    let out = candidates ? candidates.slice() : base();
    const needs = ast ? referencedTopLevel(ast) : new Set<string>();
    if (p.sortBy)
      needs.add(p.sortBy.toLowerCase().startsWith('meta') ? 'meta' : p.sortBy.toLowerCase().startsWith('groups') ? 'groups' : '');
    const parts: ViewParts = { meta: needs.has('meta'), groups: needs.has('groups') };
    if (pred)
      out = out.filter((s) => {
        const v = typeof s === 'number' && s < 0 ? phantom(-s - 1) : coll.view(s, parts);
        return !!v && pred(v);
      });
    else out = out.slice();
    if (p.sortBy) {
      const getKey = sortKeyGetter(p.sortBy, { set: coll.set, userNameCaseExact: q.userNameCaseExact });
      const keys = new Map<Slot, string | number | undefined>();
      for (const s of out) keys.set(s, getKey(typeof s === 'number' && s < 0 ? phantom(-s - 1) : coll.view(s, parts)));
      const dir = order === 'descending' ? -1 : 1;
      // Missing values sort last either way; ties keep insertion order (Array#sort is stable).
      out.sort((a, b) => {
        const ka = keys.get(a);
        const kb = keys.get(b);
        if (ka === undefined || kb === undefined) return ka === kb ? 0 : ka === undefined ? 1 : -1;
        if (typeof ka !== typeof kb) return (typeof ka === 'number' ? -1 : 1) * dir;
        return (ka < kb ? -1 : ka > kb ? 1 : 0) * dir;
      });
    }
    this.cache.set(key, { version, slots: out });
    if (this.cache.size > 16) this.cache.delete(this.cache.keys().next().value!);
    return out;
  }

  /** Loop-guard target: every page is new, and the total always promises more. */
  private endless(p: ListParams, q: Quirks, count: number | undefined, startIndex: number | undefined, cursorMode: boolean): Obj {
    const size = Math.max(1, Math.min(count ?? q.defaultPageSize, q.maxPageSize));
    const first = this.endlessServed;
    this.endlessServed += size;
    const Resources: Obj[] = [];
    for (let n = first; n < first + size; n++) {
      Resources.push({
        schemas: [CORE_USER],
        id: `endless-${n.toString(16).padStart(8, '0')}`,
        userName: `endless.user${n}@example.com`,
        displayName: `Endless User ${n}`,
        active: true,
        meta: { resourceType: 'User' },
      });
    }
    const body: Obj = { schemas: [LIST_RESPONSE] };
    if (!q.cursorOnly) body.totalResults = this.endlessServed + size * 10;
    if (!cursorMode) body.startIndex = startIndex ?? 1;
    body.itemsPerPage = size;
    if (cursorMode || p.cursor !== undefined) body.nextCursor = encodeCursor({ q: 'endless', m: 'o', p: this.endlessServed, t: 0 });
    body.Resources = Resources;
    return body;
  }

  private envelopeQuirks(body: Obj, q: Quirks, count: number | undefined): Obj {
    const resources = body.Resources as Obj[] | undefined;
    if (q.totalResultsIsPageCount && 'totalResults' in body) body.totalResults = resources?.length ?? 0;
    if ((q.totalResultsOffset !== 0 || q.totalResultsCap !== null) && typeof body.totalResults === 'number') {
      const claimed = Math.max(0, body.totalResults + q.totalResultsOffset);
      body.totalResults = q.totalResultsCap === null ? claimed : Math.min(claimed, q.totalResultsCap);
    }
    if (q.itemsPerPageEchoesCount && 'itemsPerPage' in body) body.itemsPerPage = count ?? q.defaultPageSize;
    if (resources && resources.length === 0 && q.emptyListShape !== 'rfc') {
      delete body.Resources;
      if (q.emptyListShape === 'bare') {
        delete body.startIndex;
        delete body.itemsPerPage;
      }
    }
    if (q.lowerCaseEnvelopeKeys) {
      const lower: Obj = {};
      for (const [k, v] of Object.entries(body)) lower[k === 'schemas' ? k : k.toLowerCase()] = v;
      return lower;
    }
    return body;
  }
}
