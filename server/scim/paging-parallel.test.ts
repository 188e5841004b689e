// The parallel reader with a scripted PageFetcher: what it holds in memory, what it marks seen when
// it falls back, and that a failing page ahead of the caller leaves no rejection unhandled.
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ScimError } from './errors.ts';
import { newListingStats, paginate, type PageFetcher, type PageRequest } from './paging.ts';
import type { ScimUser } from './types.ts';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `u${String(i).padStart(4, '0')}`);

/** An index-paged server over `all`, with a hook to change one answer; records every request. */
function fakeServer(all: string[], change: (req: PageRequest, page: string[]) => string[] | Error = (_r, p) => p) {
  const requests: PageRequest[] = [];
  let inFlight = 0;
  let peak = 0;
  const fetch: PageFetcher<ScimUser> = async (req) => {
    requests.push(req);
    inFlight++;
    peak = Math.max(peak, inFlight);
    await delay(1);
    inFlight--;
    const start = (req.startIndex ?? 1) - 1;
    const page = change(req, all.slice(start, start + req.count));
    if (page instanceof Error) throw page;
    return { resources: page.map((id) => ({ schemas: [], id })), totalResults: all.length, dropped: 0 };
  };
  return { fetch, requests, peak: () => peak };
}

async function drain(fetch: PageFetcher<ScimUser>, parallelPages: number) {
  const stats = newListingStats();
  const out: string[] = [];
  for await (const page of paginate(fetch, { pageSize: 10, parallelPages }, stats)) out.push(...page.map((u) => u.id as string));
  return { out, stats };
}

describe('paging-parallel with a scripted server', () => {
  it('holds at most twice its width of pages while the caller is busy', async () => {
    const server = fakeServer(ids(500));
    const pages = paginate(server.fetch, { pageSize: 10, parallelPages: 3 }, newListingStats());
    await pages.next();
    await pages.next();
    // The caller sits on its second page; requests go on only until 2 x 3 pages wait for it.
    await delay(100);
    expect(server.requests.length).toBe(2 + 2 * 3);
    expect(server.peak()).toBeLessThanOrEqual(3);
    await pages.return();
  });

  it('never marks seen the ids of pages past the fall back, so none is lost', async () => {
    let shortOnce = true;
    const server = fakeServer(ids(100), (req, page) => {
      if (req.startIndex !== 21 || !shortOnce) return page;
      shortOnce = false;
      return page.slice(0, 5);
    });
    const { out, stats } = await drain(server.fetch, 4);
    expect(out).toEqual(ids(100));
    expect(stats.parallel.fellBack).toMatch(/^a short page \(5 resources where 10 were due\)/);
    expect(stats.parallel.discarded).toBeGreaterThan(1);
    expect(stats.requests).toBe(stats.pages);
  });

  it('with width 1, one request at a time, as before', async () => {
    const server = fakeServer(ids(95));
    const { out, stats } = await drain(server.fetch, 1);
    expect(out).toEqual(ids(95));
    expect(server.peak()).toBe(1);
    expect(server.requests.map((r) => r.startIndex)).toEqual([1, 11, 21, 31, 41, 51, 61, 71, 81, 91, 96]);
    expect(stats.parallel).toEqual({ used: false, notUsed: 'one request at a time (concurrency 1)', discarded: 0 });
  });

  it('a page failing ahead of the caller: earlier pages first, then its error; nothing left unhandled', async () => {
    const server = fakeServer(ids(200), (req, page) => (req.startIndex === 41 ? new ScimError(502, undefined, 'Bad gateway') : page));
    const pages: string[] = [];
    let error: unknown;
    try {
      for await (const page of paginate(server.fetch, { pageSize: 10, parallelPages: 4 }, newListingStats())) {
        pages.push(...page.map((u) => u.id as string));
        // A slow caller: the failing page settles long before it is looked at.
        await delay(20);
      }
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ScimError);
    expect(pages).toEqual(ids(40));
  });
});
