// The paging engine's state and rules, independent of HTTP: it asks a PageFetcher for pages and keeps
// only resources it has not seen. It must finish correctly against every pagination quirk (P1-P13):
// it advances by what it received (P1), treats totalResults as a hint (P3), dedupes by id and
// stops on a page without new ids (P4), probes startIndex=0 when a server seems 0-based (P5),
// follows RFC 9865 cursors (P6/P7), falls back to keyset paging when deep offsets are refused
// (P8), and never loops forever: page, resource and time caps end in PAGINATION_LIMIT. The loop
// that drives it is in paging.ts, the parallel reader of index pages in paging-parallel.ts.
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
  /**
   * Index pages requested at once after the first page (paging-parallel.ts); 1 (the default) reads
   * one page after another. The requests still go through the client's concurrency and rate limits.
   */
  parallelPages?: number;
}

export type StopReason = 'empty-page' | 'no-new-ids' | 'end-of-cursor' | 'cursor-repeated';

export interface ParallelStats {
  /** Pages after the first were requested several at a time. */
  used: boolean;
  /** Why the listing went back to one page at a time: the first thing that looked wrong, in page order. */
  fellBack?: string;
  /** Why pages were never requested in parallel (concurrency 1, cursor paging, no total to trust...). */
  notUsed?: string;
  /** Pages requested ahead and dropped at the fall back: never yielded, their ids not marked seen. */
  discarded: number;
}

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
  /** How the reading in parallel went (paging-parallel.ts). */
  parallel: ParallelStats;
  done: boolean;
}

const PAGING_DEFAULTS = { pageSize: 100, maxPages: 10_000, maxResources: 1_000_000, deadlineMs: 60 * 60_000 };

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
    parallel: { used: false, discarded: 0 },
    done: false,
  };
}

/** The state of one listing: where the next page starts, which mode, what was seen; the quirk rules. */
export class Pager<T extends { id?: string }> {
  readonly #fetch: PageFetcher<T>;
  readonly #options: PagingOptions;
  readonly stats: ListingStats;
  readonly logger: ScimLogger;
  readonly #maxPages: number;
  readonly #maxResources: number;
  readonly #deadline: number;
  readonly #forced: PagingMode | undefined;
  readonly seen = new IdSet();
  #count: number;
  mode: PagingMode;
  #startIndex = 1;
  #cursor = '';
  #afterId: string | undefined;
  #cursorsRefused = false;
  #triedCursor = false;
  #countReductions = 0;
  #staleCursorPages = 0;
  /** Resources a cursor listing restarted from the start will list again before anything new. */
  #replay = 0;

  constructor(fetchPage: PageFetcher<T>, options: PagingOptions, stats: ListingStats) {
    this.#fetch = fetchPage;
    this.#options = options;
    this.stats = stats;
    this.logger = options.logger ?? silentLogger;
    this.#maxPages = options.maxPages ?? PAGING_DEFAULTS.maxPages;
    this.#maxResources = options.maxResources ?? PAGING_DEFAULTS.maxResources;
    this.#deadline = Date.now() + (options.deadlineMs ?? PAGING_DEFAULTS.deadlineMs);
    this.#forced = options.mode && options.mode !== 'auto' ? options.mode : undefined;
    this.#count = Math.max(1, Math.floor(options.pageSize ?? PAGING_DEFAULTS.pageSize));
    this.mode = this.#forced ?? (options.preferCursor ? 'cursor' : 'index');
  }

  /** What the server advertises (cursor preference, page size cap) before the first page. */
  async prepare(): Promise<void> {
    const hints = this.#options.prepare ? await this.#options.prepare(this.#options.signal) : {};
    if (!this.#forced && hints.preferCursor) this.mode = 'cursor';
    if (hints.maxPageSize) this.#count = Math.min(this.#count, hints.maxPageSize);
    this.stats.mode = this.mode;
    this.stats.modesUsed = [this.mode];
  }

  #setMode(next: PagingMode, why: string): void {
    this.logger.info('SCIM listing changes paging mode', { from: this.mode, to: next, why });
    this.mode = next;
    this.stats.mode = next;
    if (!this.stats.modesUsed.includes(next)) this.stats.modesUsed.push(next);
  }

  get signal(): AbortSignal | undefined {
    return this.#options.signal;
  }

  /** Where the next index page starts. */
  get startIndex(): number {
    return this.#startIndex;
  }

  /** Index paging goes on from `startIndex`: where the parallel reader stopped accepting pages. */
  resumeAt(startIndex: number): void {
    this.#startIndex = startIndex;
  }

  /**
   * Pages requested ahead and dropped unread at a fall back. They are counted as requests, but not
   * against maxPages: the cap then ends a runaway listing after as many pages as the sequential one.
   */
  discarded(n: number): void {
    this.stats.parallel.discarded += n;
  }

  nextRequest(): PageRequest {
    const { mode } = this;
    const count = this.#count;
    if (mode === 'cursor') return { mode, count, cursor: this.#cursor };
    if (mode === 'keyset') return { mode, count, startIndex: 1, afterId: this.#afterId };
    return { mode, count, startIndex: this.#startIndex };
  }

  /** The resources not seen before; counts the duplicates and those without an id. */
  take(items: T[]): T[] {
    const fresh: T[] = [];
    for (const item of items) {
      const id = item.id;
      if (id === undefined || id === '') this.stats.withoutId++;
      else if (this.seen.has(id)) this.stats.duplicatesSkipped++;
      else {
        this.seen.add(id);
        fresh.push(item);
      }
    }
    if (this.seen.size > this.#maxResources) throw limitError(`more than ${this.#maxResources} resources`);
    this.stats.resources += fresh.length;
    return fresh;
  }

  /** One page, within the page and time caps; `signal` also aborts a page requested ahead. */
  async request(req: PageRequest, signal = this.#options.signal): Promise<ScimListResponse<T>> {
    if (signal?.aborted) throw abortError(signal);
    if (this.stats.requests - this.stats.parallel.discarded >= this.#maxPages) throw limitError(`more than ${this.#maxPages} pages`);
    if (Date.now() > this.#deadline) throw limitError('the time allowed for listing ran out');
    this.stats.requests++;
    const page = await this.#fetch(req, signal);
    this.stats.pages++;
    if (page.totalResults !== undefined) this.stats.totalResults = page.totalResults;
    return page;
  }

  /** After a refused page: true when another way of paging is worth a request, false to give up. */
  recover(err: unknown): boolean {
    if (!(err instanceof ScimError)) return false;
    const type = err.scimType?.toLowerCase();
    if (type === 'invalidcount' && this.#count > 1 && this.#countReductions < 3) {
      this.#countReductions++;
      this.#count = Math.max(1, Math.floor(this.#count / 2));
      return true;
    }
    if (this.mode === 'cursor' && type === 'expiredcursor') {
      if (this.stats.cursorRestarts >= 1) return false;
      // Restarting is safe: everything yielded so far is deduped.
      this.stats.cursorRestarts++;
      this.#cursor = '';
      this.#replay = this.seen.size;
      this.logger.warn('SCIM cursor expired; listing restarts from the first page');
      return true;
    }
    if (this.mode === 'cursor' && this.#forced !== 'cursor' && !this.#cursorsRefused && isCursorRefusal(err)) {
      this.#cursorsRefused = true;
      this.#startIndex = 1;
      this.#setMode('index', 'the server refused cursor paging');
      return true;
    }
    // A cursor-only server (P6) whose ServiceProviderConfig doesn't say so may refuse startIndex
    // on the very first page; its error names cursors. One cursor attempt, like a stall below.
    if (this.mode === 'index' && this.stats.pages === 0 && this.#mayTryCursor() && err.status === 400 && /cursor/i.test(err.detail)) {
      this.#tryCursor('the server refused index paging');
      return true;
    }
    if (this.mode === 'index' && this.#startIndex > 1 && this.#forced !== 'index' && isDeepIndexRefusal(err)) {
      this.#afterId = undefined;
      this.#setMode('keyset', 'the server refused a deep startIndex');
      return true;
    }
    return false;
  }

  #mayTryCursor(): boolean {
    return !this.#forced && !this.#triedCursor && !this.#cursorsRefused;
  }

  #tryCursor(why: string): void {
    this.#triedCursor = true;
    this.#cursor = '';
    this.#replay = this.seen.size;
    this.#setMode('cursor', why);
  }

  #stop(reason: StopReason): false {
    this.stats.stopReason = reason;
    return false;
  }

  /** After a page: true to ask for the next one, false when the listing is over (stopReason set). */
  advance(page: ScimListResponse<T>, fresh: T[]): boolean {
    const items = page.resources;
    if (this.mode === 'cursor') return this.#advanceCursor(page, fresh);
    if (page.nextCursor && this.mode === 'index' && !this.#forced && !this.#cursorsRefused) {
      // RFC 9865: a server may answer with cursors even when asked by index.
      this.#cursor = page.nextCursor;
      this.#setMode('cursor', 'the server returned nextCursor');
      return true;
    }
    if (items.length === 0) return this.#stop('empty-page');
    if (this.mode === 'keyset') {
      // Keyset restarts from the lowest id, so early pages repeat what index paging yielded;
      // progress is the moving `id gt` bound, and a bound that stops moving ends the listing.
      const last = [...items].reverse().find((i) => i.id)?.id;
      if (last === undefined || last === this.#afterId) return this.#stop('no-new-ids');
      this.#afterId = last;
      return true;
    }
    if (fresh.length === 0) {
      // Stalled short of the server's own count (or without one): a cursor-only server ignoring
      // startIndex (P6) looks like this. One cursor attempt from the start costs a request.
      const premature = this.stats.totalResults === undefined || this.seen.size < this.stats.totalResults;
      if (this.mode === 'index' && this.#mayTryCursor() && premature) {
        this.#tryCursor('index paging stalled before the end');
        return true;
      }
      return this.#stop('no-new-ids');
    }
    this.#startIndex += items.length;
    return true;
  }

  #advanceCursor(page: ScimListResponse<T>, fresh: T[]): boolean {
    if (!page.nextCursor) return this.#stop('end-of-cursor');
    if (page.nextCursor === this.#cursor) {
      this.logger.warn('SCIM server returned the same cursor again; listing stops');
      return this.#stop('cursor-repeated');
    }
    // A few empty or all-duplicate pages can happen; an endless run of them is a loop (P4). After a
    // restart from the start, the resources already seen come again first: those pages are not stale.
    const replayed = this.#replay > 0 && fresh.length === 0 && page.resources.length > 0;
    this.#replay = Math.max(0, this.#replay - (page.resources.length - fresh.length));
    if (!replayed) this.#staleCursorPages = fresh.length ? 0 : this.#staleCursorPages + 1;
    if (this.#staleCursorPages >= 3) return this.#stop('no-new-ids');
    this.#cursor = page.nextCursor;
    return true;
  }

  /**
   * Fewer resources than the server claims, or a claim that cannot be the total (P3 reports the
   * page length): a 0-based server may have skipped its first one (P5). Paging from 1 by what was
   * received misses only offset 0, so one resource is enough. startIndex=0 is read as 1 by
   * conforming servers (RFC 7644 §3.4.2.4), so the probe is harmless.
   */
  async probeZeroBased(): Promise<T[]> {
    const { stats } = this;
    if (this.mode !== 'index' || stats.totalResults === undefined || stats.totalResults === this.seen.size) return [];
    stats.zeroBasedProbe = true;
    let fresh: T[] = [];
    try {
      fresh = this.take((await this.request({ mode: 'index', count: 1, startIndex: 0 })).resources);
      if (fresh.length) this.logger.warn('SCIM server appears to treat startIndex as 0-based', { recovered: fresh.length });
    } catch (err) {
      if (!(err instanceof ScimError)) throw err;
    }
    if (this.seen.size < stats.totalResults) {
      this.logger.warn('SCIM listing ended with fewer resources than totalResults', {
        yielded: this.seen.size,
        totalResults: stats.totalResults,
      });
    }
    return fresh;
  }
}
