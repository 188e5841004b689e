// The listing loop over the Pager (pager.ts), and ScimListing, what the client hands out. After the
// first index page the loop may read the following pages several at a time (paging-parallel.ts);
// whatever happens there, it ends with the Pager where sequential paging goes on.
import { ScimClientError } from './errors.ts';
import { newListingStats, Pager, type ListingStats, type PageFetcher, type PageRequest, type PagingOptions } from './pager.ts';
import { parallelPlan, readInParallel } from './paging-parallel.ts';
import type { ScimListResponse } from './types.ts';

export { newListingStats } from './pager.ts';
export type { PageFetcher, PageRequest } from './pager.ts';

/** Yields pages of resources not seen before. `stats` is updated as it goes. */
export async function* paginate<T extends { id?: string }>(
  fetchPage: PageFetcher<T>,
  options: PagingOptions,
  stats: ListingStats,
): AsyncGenerator<T[], void, undefined> {
  const pager = new Pager(fetchPage, options, stats);
  await pager.prepare();
  let first = true;
  for (;;) {
    let page: ScimListResponse<T>;
    let req: PageRequest;
    try {
      req = pager.nextRequest();
      page = await pager.request(req);
    } catch (err) {
      if (pager.recover(err)) continue;
      throw err;
    }
    const fresh = pager.take(page.resources);
    if (fresh.length) yield fresh;
    if (!pager.advance(page, fresh)) break;
    if (!first) continue;
    // The first answered page tells whether the rest can be asked for at once.
    first = false;
    const plan = parallelPlan(pager, req, page, fresh.length, options.parallelPages ?? 1);
    if (typeof plan === 'string') stats.parallel.notUsed = plan;
    else yield* readInParallel(pager, plan);
  }
  const recovered = await pager.probeZeroBased();
  if (recovered.length) yield recovered;
  stats.done = true;
  pager.logger.info('SCIM listing finished', { ...stats, modesUsed: stats.modesUsed.join(','), parallel: JSON.stringify(stats.parallel) });
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
