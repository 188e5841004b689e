// The paging engine, independent of HTTP: it asks a PageFetcher for pages and yields only
// resources it has not seen. It must finish correctly against every pagination quirk (P1-P13):
// it advances by what it received (P1), treats totalResults as a hint (P3), dedupes by id and
// stops on a page without new ids (P4), probes startIndex=0 when a server seems 0-based (P5),
// follows RFC 9865 cursors (P6/P7), falls back to keyset paging when deep offsets are refused
// (P8), and never loops forever: page, resource and time caps end in PAGINATION_LIMIT.
import { IdSet } from './id-set.ts';
import { ScimClientError, ScimError } from './errors.ts';
import { silentLogger, type ScimLogger } from './http.ts';
import { abortError } from './limits.ts';
import type { ScimListResponse } from './types.ts';

export type PagingMode = 'index' | 'cursor' | 'keyset';

export interface PageRequest {
  mode: PagingMode;
  count: number;
  /** index mode (1-based; 0 only for the 0-based probe). */
  startIndex?: number;
  /** cursor mode: '' for the first page (RFC 9865), then the server's nextCursor. */
  cursor?: string;
  /** keyset mode: resources with id greater than this, sorted by id. */
  afterId?: string;
}

export type PageFetcher<T> = (request: PageRequest, signal?: AbortSignal) => Promise<ScimListResponse<T>>;

export interface PagingOptions {
  /** Resources asked for per page (never 0, P12). Default 100. */
  pageSize?: number;
  /** 'auto' (default): index paging, switching to cursors when offered. */
  mode?: 'auto' | PagingMode;
  /** Start with cursors (the ServiceProviderConfig prefers them, P7). */
  preferCursor?: boolean;
  maxPages?: number;
  maxResources?: number;
  /** Overall time budget for the listing. */
  deadlineMs?: number;
  signal?: AbortSignal;
  logger?: ScimLogger;
  /** Runs before the first page: what the server advertises (ServiceProviderConfig, P7). */
  prepare?: (signal?: AbortSignal) => Promise<{ preferCursor?: boolean; maxPageSize?: number }>;
}

export type StopReason = 'empty-page' | 'no-new-ids' | 'end-of-cursor' | 'cursor-repeated';

export interface ListingStats {
  mode: PagingMode;
  modesUsed: PagingMode[];
  /** Page requests sent (failed ones included). */
  requests: number;
  /** Pages received. */
  pages: number;
  /** Resources yielded (each id once). */
  resources: number;
  duplicatesSkipped: number;
  /** Resources without an id: they cannot be deduped or addressed, so they are skipped. */
  withoutId: number;
  cursorRestarts: number;
  /** The startIndex=0 probe ran (the server looked 0-based). */
  zeroBasedProbe: boolean;
  /** Last totalResults the server claimed; a hint only (P3). */
  totalResults?: number;
  stopReason?: StopReason;
  done: boolean;
}

export const PAGING_DEFAULTS = { pageSize: 100, maxPages: 10_000, maxResources: 1_000_000, deadlineMs: 60 * 60_000 };

function limitError(what: string): ScimClientError {
  return new ScimClientError('PAGINATION_LIMIT', `Listing stopped: ${what}. The server may be paging incorrectly.`);
}

function isDeepIndexRefusal(err: ScimError): boolean {
  return [400, 403, 422].includes(err.status) && /start\s*index|startindex|\bid gt\b|offset|too (big|large|deep)/i.test(err.detail);
}

function isCursorRefusal(err: ScimError): boolean {
  const type = err.scimType?.toLowerCase();
  return type === 'invalidcursor' || [400, 404, 405, 501].includes(err.status);
}

export function newListingStats(mode: PagingMode = 'index'): ListingStats {
  return {
    mode,
    modesUsed: [mode],
    requests: 0,
    pages: 0,
    resources: 0,
    duplicatesSkipped: 0,
    withoutId: 0,
    cursorRestarts: 0,
    zeroBasedProbe: false,
    done: false,
  };
}

/** Yields pages of resources not seen before. `stats` is updated as it goes. */
export async function* paginate<T extends { id?: string }>(
  fetchPage: PageFetcher<T>,
  options: PagingOptions,
  stats: ListingStats,
): AsyncGenerator<T[], void, undefined> {
  const logger = options.logger ?? silentLogger;
  const maxPages = options.maxPages ?? PAGING_DEFAULTS.maxPages;
  const maxResources = options.maxResources ?? PAGING_DEFAULTS.maxResources;
  const deadline = Date.now() + (options.deadlineMs ?? PAGING_DEFAULTS.deadlineMs);
  const forced = options.mode && options.mode !== 'auto' ? options.mode : undefined;
  const seen = new IdSet();
  let count = Math.max(1, Math.floor(options.pageSize ?? PAGING_DEFAULTS.pageSize));
  let mode: PagingMode = forced ?? (options.preferCursor ? 'cursor' : 'index');
  let startIndex = 1;
  let cursor = '';
  let afterId: string | undefined;
  let cursorsRefused = false;
  let triedCursor = false;
  let countReductions = 0;
  let staleCursorPages = 0;
  const setMode = (next: PagingMode, why: string) => {
    logger.info('SCIM listing changes paging mode', { from: mode, to: next, why });
    mode = next;
    stats.mode = next;
    if (!stats.modesUsed.includes(next)) stats.modesUsed.push(next);
  };
  const hints = options.prepare ? await options.prepare(options.signal) : {};
  if (!forced && hints.preferCursor) mode = 'cursor';
  if (hints.maxPageSize) count = Math.min(count, hints.maxPageSize);
  stats.mode = mode;
  stats.modesUsed = [mode];

  const take = (items: T[]): T[] => {
    const fresh: T[] = [];
    for (const item of items) {
      const id = item.id;
      if (id === undefined || id === '') stats.withoutId++;
      else if (seen.has(id)) stats.duplicatesSkipped++;
      else {
        seen.add(id);
        fresh.push(item);
      }
    }
    if (seen.size > maxResources) throw limitError(`more than ${maxResources} resources`);
    stats.resources += fresh.length;
    return fresh;
  };

  const request = async (req: PageRequest): Promise<ScimListResponse<T>> => {
    if (options.signal?.aborted) throw abortError(options.signal);
    if (stats.requests >= maxPages) throw limitError(`more than ${maxPages} pages`);
    if (Date.now() > deadline) throw limitError('the time allowed for listing ran out');
    stats.requests++;
    const page = await fetchPage(req, options.signal);
    stats.pages++;
    if (page.totalResults !== undefined) stats.totalResults = page.totalResults;
    return page;
  };

  for (;;) {
    const req: PageRequest =
      mode === 'cursor'
        ? { mode, count, cursor }
        : mode === 'keyset'
          ? { mode, count, startIndex: 1, afterId }
          : { mode, count, startIndex };
    let page: ScimListResponse<T>;
    try {
      page = await request(req);
    } catch (err) {
      if (!(err instanceof ScimError)) throw err;
      const type = err.scimType?.toLowerCase();
      if (type === 'invalidcount' && count > 1 && countReductions < 3) {
        countReductions++;
        count = Math.max(1, Math.floor(count / 2));
        continue;
      }
      if (mode === 'cursor' && type === 'expiredcursor') {
        if (stats.cursorRestarts >= 1) throw err;
        // Restarting is safe: everything yielded so far is deduped.
        stats.cursorRestarts++;
        cursor = '';
        logger.warn('SCIM cursor expired; listing restarts from the first page');
        continue;
      }
      if (mode === 'cursor' && forced !== 'cursor' && !cursorsRefused && isCursorRefusal(err)) {
        cursorsRefused = true;
        startIndex = 1;
        setMode('index', 'the server refused cursor paging');
        continue;
      }
      // A cursor-only server (P6) whose ServiceProviderConfig doesn't say so may refuse startIndex
      // on the very first page; its error names cursors. One cursor attempt, like a stall below.
      if (
        mode === 'index' &&
        stats.pages === 0 &&
        !forced &&
        !triedCursor &&
        !cursorsRefused &&
        err.status === 400 &&
        /cursor/i.test(err.detail)
      ) {
        triedCursor = true;
        cursor = '';
        setMode('cursor', 'the server refused index paging');
        continue;
      }
      if (mode === 'index' && startIndex > 1 && forced !== 'index' && isDeepIndexRefusal(err)) {
        afterId = undefined;
        setMode('keyset', 'the server refused a deep startIndex');
        continue;
      }
      throw err;
    }

    const items = page.resources;
    const fresh = take(items);
    if (fresh.length) yield fresh;

    if (mode === 'cursor') {
      if (!page.nextCursor) {
        stats.stopReason = 'end-of-cursor';
        break;
      }
      if (page.nextCursor === cursor) {
        stats.stopReason = 'cursor-repeated';
        logger.warn('SCIM server returned the same cursor again; listing stops');
        break;
      }
      // A few empty or all-duplicate pages can happen; an endless run of them is a loop (P4).
      staleCursorPages = fresh.length ? 0 : staleCursorPages + 1;
      if (staleCursorPages >= 3) {
        stats.stopReason = 'no-new-ids';
        break;
      }
      cursor = page.nextCursor;
      continue;
    }
    if (page.nextCursor && mode === 'index' && !forced && !cursorsRefused) {
      // RFC 9865: a server may answer with cursors even when asked by index.
      cursor = page.nextCursor;
      setMode('cursor', 'the server returned nextCursor');
      continue;
    }
    if (items.length === 0) {
      stats.stopReason = 'empty-page';
      break;
    }
    if (mode === 'keyset') {
      // Keyset restarts from the lowest id, so early pages repeat what index paging yielded;
      // progress is the moving `id gt` bound, and a bound that stops moving ends the listing.
      const last = [...items].reverse().find((i) => i.id)?.id;
      if (last === undefined || last === afterId) {
        stats.stopReason = 'no-new-ids';
        break;
      }
      afterId = last;
      continue;
    }
    if (fresh.length === 0) {
      // Stalled short of the server's own count (or without one): a cursor-only server ignoring
      // startIndex (P6) looks like this. One cursor attempt from the start costs a request.
      const premature = stats.totalResults === undefined || seen.size < stats.totalResults;
      if (mode === 'index' && !forced && !cursorsRefused && !triedCursor && premature) {
        triedCursor = true;
        cursor = '';
        setMode('cursor', 'index paging stalled before the end');
        continue;
      }
      stats.stopReason = 'no-new-ids';
      break;
    }
    startIndex += items.length;
  }

  // Fewer resources than the server claims, or a claim that cannot be the total (P3 reports the
  // page length): a 0-based server may have skipped its first one (P5). Paging from 1 by what was
  // received misses only offset 0, so one resource is enough. startIndex=0 is read as 1 by
  // conforming servers (RFC 7644 §3.4.2.4), so the probe is harmless.
  if (mode === 'index' && stats.totalResults !== undefined && stats.totalResults !== seen.size) {
    stats.zeroBasedProbe = true;
    try {
      const fresh = take((await request({ mode: 'index', count: 1, startIndex: 0 })).resources);
      if (fresh.length) {
        logger.warn('SCIM server appears to treat startIndex as 0-based', { recovered: fresh.length });
        yield fresh;
      }
    } catch (err) {
      if (!(err instanceof ScimError)) throw err;
    }
    if (seen.size < stats.totalResults) {
      logger.warn('SCIM listing ended with fewer resources than totalResults', { yielded: seen.size, totalResults: stats.totalResults });
    }
  }
  stats.done = true;
  logger.info('SCIM listing finished', { ...stats, modesUsed: stats.modesUsed.join(',') });
}

/**
 * A listing: iterate resources (`for await (const u of listing)`) or pages (`listing.pages()`),
 * once. `stats` shows progress and how the server paged.
 */
export class ScimListing<T extends { id?: string }> implements AsyncIterable<T> {
  readonly stats: ListingStats;
  readonly #fetch: PageFetcher<T>;
  readonly #options: PagingOptions;
  #started = false;

  constructor(fetchPage: PageFetcher<T>, options: PagingOptions = {}) {
    this.#fetch = fetchPage;
    this.#options = options;
    this.stats = newListingStats(
      options.preferCursor || options.mode === 'cursor' ? 'cursor' : options.mode === 'keyset' ? 'keyset' : 'index',
    );
  }

  pages(): AsyncGenerator<T[], void, undefined> {
    if (this.#started) throw new ScimClientError('INVALID_ARGUMENT', 'A listing can be iterated only once.');
    this.#started = true;
    return paginate(this.#fetch, this.#options, this.stats);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page;
  }

  /** Everything in memory: for small lists (ResourceTypes, lookups), not for imports. */
  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for await (const page of this.pages()) out.push(...page);
    return out;
  }
}
