// The parallel reader of index pages (paging-parallel.ts) through the real ScimClient against the
// test SCIM server: it overlaps requests within the client's limits, yields pages in order, and
// against every paging quirk it either stays sequential or falls back, yielding exactly what the
// sequential listing yields: no user skipped, none repeated.
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { scimClientFixture } from '../../test/scim-client.ts';
import type { Quirks, RunningScimServer, ScimServerOptions } from '../../test/scim-server/index.ts';
import { ScimClientError, ScimError, type ListingStats, type ScimClientOptions } from './index.ts';

const TOKEN = 'parallel-paging-token';
// No page size used here divides it, so an off-by-one shows as a missing or extra id.
const USERS = 537;
const FAST: Partial<ScimClientOptions> = { retries: { max: 3, baseDelayMs: 1, maxDelayMs: 20 }, rateLimit: null, timeoutMs: 5_000 };

const { setup } = scimClientFixture({ token: TOKEN, server: { users: USERS, seed: 11 }, client: FAST });

/** Ids in listing order. */
async function listAll(
  quirks: Partial<Quirks>,
  client: Partial<ScimClientOptions>,
  server: ScimServerOptions = {},
): Promise<{ ids: string[]; stats: ListingStats; scim: RunningScimServer }> {
  const { scim, c } = await setup(quirks, client, server);
  const listing = c.listUsers();
  const ids: string[] = [];
  for await (const page of listing.pages()) ids.push(...page.map((u) => u.id as string));
  return { ids, stats: listing.stats, scim };
}

/** Returns once the server has no request in flight. */
async function settled(scim: RunningScimServer): Promise<void> {
  while (scim.stats().inFlight > 0) await delay(5);
}

/** Releases each held latency wait once `n` wait together, or after a moment when fewer come. */
function overlapGate(n: number): (ms: number) => Promise<void> {
  const held: Array<() => void> = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    held.splice(0).forEach((release) => release());
  };
  return () =>
    new Promise<void>((resolve) => {
      held.push(resolve);
      if (held.length >= n) flush();
      else timer ??= setTimeout(flush, 30);
    });
}

describe('reading index pages in parallel', () => {
  it('lists a few thousand users once each, in order, with 4 requests overlapping and never more', async () => {
    const server = { users: 3_000, sleep: overlapGate(4) };
    const quirks = { latencyMs: 1 };
    const sequential = await listAll(quirks, { concurrency: 1, paging: { pageSize: 100 } }, server);
    const parallel = await listAll(quirks, { concurrency: 4, paging: { pageSize: 100 } }, { ...server, sleep: overlapGate(4) });
    expect(parallel.ids).toHaveLength(3_000);
    expect(new Set(parallel.ids).size).toBe(3_000);
    expect(parallel.ids).toEqual(sequential.ids);
    expect(parallel.stats.parallel).toEqual({ used: true, discarded: 0 });
    expect(parallel.stats).toMatchObject({ pages: 31, requests: 31, stopReason: 'empty-page', done: true });
    expect(parallel.scim.stats().peakInFlight).toBe(4);
    expect(sequential.stats.parallel).toMatchObject({ used: false, notUsed: 'one request at a time (concurrency 1)' });
    expect(sequential.scim.stats().peakInFlight).toBe(1);
  });

  it('keeps to the client rate limit: the server, limiting at the same rate, never answers 429', async () => {
    const rate = { requestsPerSecond: 40, burst: 4 };
    const { scim, ids, stats } = await listAll(
      // The server's bucket is a little deeper: requests sent at the client's pace may arrive bunched.
      { rateLimit: { requestsPerSecond: 40, burst: 8 } },
      { concurrency: 4, rateLimit: rate, paging: { pageSize: 30 } },
    );
    expect(new Set(ids).size).toBe(USERS);
    expect(stats.parallel.used).toBe(true);
    expect(scim.stats().tooManyRequests).toBe(0);
  });

  it('parallelPages: 1 in the listing options reads one page after another', async () => {
    const { scim, c } = await setup({}, { concurrency: 4 });
    const listing = c.listUsers({ pageSize: 50, parallelPages: 1 });
    expect((await listing.toArray()).length).toBe(USERS);
    expect(listing.stats.parallel.used).toBe(false);
    expect(scim.stats().peakInFlight).toBe(1);
    expect(() => c.listUsers({ parallelPages: 0 })).toThrow(/parallelPages/);
  });
});

type Expect = 'parallel' | 'fallback' | 'sequential';
const later = (afterListPages: number, quirks: Partial<Quirks>): Partial<Quirks> => ({ laterQuirks: { afterListPages, quirks } });

// [name, server quirks, what the parallel reader must do, client options]
const CASES: Array<[string, Partial<Quirks>, Expect, Partial<ScimClientOptions>?]> = [
  ['RFC behaviour', {}, 'parallel'],
  ['P1 count capped at 30, ServiceProviderConfig honest', { maxPageSize: 30 }, 'parallel'],
  ['P1 count capped at 30, ServiceProviderConfig claims 1000', { maxPageSize: 30, advertisedMaxPageSize: 1000 }, 'parallel'],
  ['P1 count capped, no discovery', { maxPageSize: 30 }, 'parallel', { paging: { pageSize: 50, discover: false } }],
  ['P1 the cap drops mid-listing: short pages', later(3, { maxPageSize: 20 }), 'fallback'],
  [
    'P1 a count above the cap refused (invalidCount) mid-listing',
    later(3, { maxPageSize: 20, oversizedCount: 'invalidCount' }),
    'fallback',
  ],
  ['P2 default page of 10', { defaultPageSize: 10 }, 'parallel'],
  ['P3 totalResults is the page length', { totalResultsIsPageCount: true }, 'sequential'],
  ['P3 totalResults claims 7 more than there are', { totalResultsOffset: 7 }, 'fallback'],
  ['P3 totalResults claims 100 fewer than there are', { totalResultsOffset: -100 }, 'fallback'],
  ['P3 totalResults stops counting at 200 (a page boundary)', { totalResultsCap: 200 }, 'parallel'],
  ['P3 totalResults changes after page 3', later(3, { totalResultsOffset: 1 }), 'fallback'],
  ['P3 totalResults becomes the page length after page 3', later(3, { totalResultsIsPageCount: true }), 'fallback'],
  ['P4 past the end answers page 1 again', { pastEndBehavior: 'firstPage' }, 'parallel'],
  ['P4 past the end answers the last item', { pastEndBehavior: 'lastItem' }, 'parallel'],
  ['P4/P6 startIndex ignored: every page is page 1', { ignoreStartIndex: true }, 'fallback'],
  ['P4 pages repeat page 1 from page 4 on', later(3, { ignoreStartIndex: true }), 'fallback'],
  ['P5 startIndex is 0-based', { startIndexMode: 'zeroBased' }, 'fallback'],
  ['P5 startIndex 0, 1 and 2 are the same', { startIndexMode: 'lowIndicesSame' }, 'parallel'],
  ['P5+P4 0-based, past the end repeats page 1', { startIndexMode: 'zeroBased', pastEndBehavior: 'firstPage' }, 'fallback'],
  ['P6 cursor only (ServiceProviderConfig)', { cursorOnly: true, maxPageSize: 100 }, 'sequential'],
  ['P6 cursor only, startIndex refused', { cursorOnly: true, cursorOnlyStartIndex: 'reject' }, 'sequential'],
  ['P6 cursor only, no discovery', { cursorOnly: true }, 'sequential', { paging: { pageSize: 50, discover: false } }],
  ['P7 unsolicited nextCursor on index pages', { unsolicitedNextCursor: true }, 'sequential'],
  ['P7 nextCursor appears on page 4', later(3, { unsolicitedNextCursor: true }), 'fallback'],
  ['P7 cursor mode asked for', {}, 'sequential', { paging: { pageSize: 50, mode: 'cursor' } }],
  ['P8 deep startIndex refused above 100', { maxStartIndex: 100 }, 'fallback'],
  ['P8 deep startIndex refused above 300', { maxStartIndex: 300 }, 'fallback'],
  ['P9 bare empty last page', { emptyListShape: 'bare' }, 'parallel'],
  ['P10 lower-case envelope keys', { lowerCaseEnvelopeKeys: true }, 'parallel'],
  ['P11 itemsPerPage echoes count', { itemsPerPageEchoesCount: true }, 'parallel'],
  ['P12+P13 count=0 refused, both parameters required', { countZero: 'error', requireStartIndexAndCount: true }, 'parallel'],
  ['P14 a placeholder instead of the users', { placeholderOnUnfilteredList: true }, 'sequential'],
  ['P16 phantom entries at the end', { phantomListEntries: 3 }, 'parallel'],
  [
    'a 500 on page 5, retried by the client',
    { faults: [{ kind: 'status500', path: '/Users', query: { startIndex: '201' }, times: 1 }] },
    'parallel',
  ],
  ['like Salesforce', { maxStartIndex: 100, cursorSupported: false }, 'fallback'],
  [
    'like WSO2 IS',
    { totalResultsIsPageCount: true, pastEndBehavior: 'firstPage', emptyListShape: 'bare', cursorSupported: false },
    'sequential',
  ],
];

describe('against every paging quirk, the same users as the sequential listing', () => {
  for (const [name, quirks, expected, client] of CASES) {
    it(name, async () => {
      const options = client ?? { paging: { pageSize: 50 } };
      const sequential = await listAll(quirks, { ...options, concurrency: 1 });
      const parallel = await listAll(quirks, { ...options, concurrency: 4 });
      expect(new Set(sequential.ids).size, 'the sequential listing repeated a user').toBe(sequential.ids.length);
      expect(new Set(parallel.ids).size, 'the parallel listing repeated a user').toBe(parallel.ids.length);
      expect(parallel.ids).toEqual(sequential.ids);
      if (!quirks.placeholderOnUnfilteredList) expect(parallel.ids.length).toBeGreaterThanOrEqual(USERS);
      const p = parallel.stats.parallel;
      if (expected === 'parallel') expect(p).toEqual({ used: true, discarded: 0 });
      if (expected === 'fallback') expect(p).toMatchObject({ used: true, fellBack: expect.any(String) });
      if (expected === 'sequential') expect(p).toMatchObject({ used: false, notUsed: expect.any(String) });
      expect(parallel.stats.done).toBe(true);
    });
  }

  it('says why it fell back', async () => {
    const why = async (quirks: Partial<Quirks>) => (await listAll(quirks, { concurrency: 4, paging: { pageSize: 50 } })).stats.parallel;
    expect((await why(later(3, { totalResultsOffset: 1 }))).fellBack).toBe(`totalResults changed from ${USERS} to ${USERS + 1}`);
    expect((await why({ startIndexMode: 'zeroBased' })).fellBack).toMatch(/^a short page \(36 resources where 37 were due\)/);
    expect((await why({ ignoreStartIndex: true })).fellBack).toBe('a page repeated resources already listed');
    expect((await why({ maxStartIndex: 100 })).fellBack).toMatch(/^the page at startIndex 101 was refused: .*Start index too big/);
    expect((await why(later(3, { unsolicitedNextCursor: true }))).fellBack).toBe('the server returned nextCursor');
    expect((await why({ totalResultsIsPageCount: true })).notUsed).toBe('totalResults was no larger than the first page');
    expect((await why({ cursorOnly: true })).notUsed).toBe('cursor paging');
  });
});

describe('errors and aborts in the parallel phase', () => {
  it('a page that keeps failing ends the listing with the error of the sequential listing, after the same users', async () => {
    const failing = { faults: [{ kind: 'status500' as const, path: '/Users', method: 'GET', query: { startIndex: '151' } }] };
    const run = async (concurrency: number) => {
      const { scim, c } = await setup(failing, { concurrency, paging: { pageSize: 50 } });
      const listing = c.listUsers();
      const ids: string[] = [];
      try {
        for await (const page of listing.pages()) ids.push(...page.map((u) => u.id as string));
      } catch (err) {
        return { err, ids, stats: listing.stats, scim };
      }
      throw new Error('the listing should have failed');
    };
    const sequential = await run(1);
    const parallel = await run(4);
    expect(sequential.err).toBeInstanceOf(ScimError);
    expect(parallel.err).toBeInstanceOf(ScimError);
    expect((parallel.err as ScimError).status).toBe(500);
    expect((parallel.err as ScimError).message).toBe((sequential.err as ScimError).message);
    expect(parallel.ids).toEqual(sequential.ids);
    expect(parallel.ids).toHaveLength(150);
    // Nothing of the listing still runs once it has failed (the test times out otherwise).
    await settled(parallel.scim);
  });

  it('aborting mid-listing stops every request in flight and sends no more', async () => {
    let hold = false;
    const held: Array<() => void> = [];
    const sleep = () => new Promise<void>((resolve) => (hold ? held.push(resolve) : resolve()));
    const { scim, c } = await setup({ latencyMs: 1 }, { concurrency: 4, paging: { pageSize: 50 } }, { sleep });
    const controller = new AbortController();
    const listing = c.listUsers({ signal: controller.signal });
    let pages = 0;
    const done = (async () => {
      for await (const _ of listing.pages()) {
        pages++;
        // From the second page on, the server holds every answer.
        hold = true;
      }
    })();
    const outcome = done.then(
      () => undefined,
      (err: unknown) => err,
    );
    while (held.length < 4) await delay(5);
    expect(scim.stats().inFlight).toBe(4);
    const sent = scim.stats().requests;
    controller.abort();
    const err = await outcome;
    expect(err).toBeInstanceOf(ScimClientError);
    expect((err as ScimClientError).code).toBe('ABORTED');
    expect(pages).toBe(1);
    // The client dropped its connections: the server sees every held request closed.
    await settled(scim);
    held.splice(0).forEach((release) => release());
    await delay(50);
    expect(scim.stats().requests).toBe(sent);
    expect(listing.stats.parallel.used).toBe(true);
  });

  it('a caller that stops reading early leaves no request running', async () => {
    const { scim, c } = await setup({ latencyMs: 5 }, { concurrency: 4, paging: { pageSize: 20 } });
    let seen = 0;
    for await (const page of c.listUsers().pages()) {
      seen += page.length;
      if (seen >= 60) break;
    }
    expect(seen).toBe(60);
    await settled(scim);
    const sent = scim.stats().requests;
    await delay(50);
    expect(scim.stats().requests).toBe(sent);
  });
});
