import { afterEach, describe, expect, it } from 'vitest';
import type { ListOptions, ScimClientOptions } from './client-options.ts';
import { ScimClient } from './client.ts';
import { ScimClientError } from './errors.ts';
import { paginate, newListingStats, type PageFetcher } from './paging.ts';
import { FAST, sendJson, startServer, user, type RecordedRequest, type TestServer } from '../../test/scim-fixtures.ts';
import type { ScimUser } from './types.ts';
import { TEST_NETWORK } from '../../test/network.ts';

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ALL = Array.from({ length: 23 }, (_, i) => `id-${String(i).padStart(2, '0')}`);

/** One switch per pagination quirk of SCIM-QUIRKS.md §3.1. */
interface Quirks {
  cap?: number; // P1
  defaultCount?: number; // P2
  total?: 'accurate' | 'page' | 'missing'; // P3
  pastEnd?: 'empty' | 'first-page' | 'last-item'; // P4
  zeroBased?: boolean; // P5: skip(startIndex) instead of skip(startIndex - 1)
  shiftBack?: boolean; // P5: startIndex 0/1/2 give the same first item
  cursorOnly?: boolean; // P6
  offerCursor?: boolean; // P7: nextCursor on index answers
  expireCursorOnce?: boolean; // P7
  refuseCursor?: boolean; // cursor parameter → 400 invalidCursor
  deepIndexLimit?: number; // P8
  omitEmptyResources?: boolean; // P9
  lowerCaseKeys?: boolean; // P10
  echoItemsPerPage?: boolean; // P11
  requireBoth?: boolean; // P13
  ignoreStartIndex?: boolean; // always the first page
  spc?: Record<string, unknown>;
}

function listEndpoint(ids: string[], q: Quirks) {
  let expired = false;
  return (req: RecordedRequest, res: Parameters<typeof sendJson>[0]) => {
    if (req.path.endsWith('/ServiceProviderConfig')) return q.spc ? sendJson(res, 200, q.spc) : sendJson(res, 404, { detail: 'no' });
    const count = req.query.has('count') ? Number(req.query.get('count')) : (q.defaultCount ?? 50);
    if (count === 0) return sendJson(res, 400, { scimType: 'invalidValue', detail: 'count=0 not supported' }); // P12
    const size = Math.min(count, q.cap ?? count);
    const cursor = req.query.get('cursor');
    if (cursor !== null && q.refuseCursor) return sendJson(res, 400, { scimType: 'invalidCursor', detail: 'cursors not supported' });
    if (cursor !== null && (q.cursorOnly || q.offerCursor || q.expireCursorOnce)) {
      const offset = cursor === '' ? 0 : Number(cursor.slice(1));
      if (q.expireCursorOnce && offset >= size * 2 && !expired) {
        expired = true;
        return sendJson(res, 400, { status: '400', scimType: 'expiredCursor', detail: 'cursor expired' });
      }
      const page = ids.slice(offset, offset + size);
      const next = offset + size < ids.length ? `c${offset + size}` : undefined;
      return sendJson(res, 200, {
        schemas: [LIST],
        itemsPerPage: page.length,
        Resources: page.map((id) => user(id)),
        ...(next ? { nextCursor: next } : {}),
      });
    }
    if (q.requireBoth && (!req.query.has('startIndex') || !req.query.has('count')))
      return sendJson(res, 200, { schemas: [LIST], totalResults: 0 });
    let startIndex = req.query.has('startIndex') ? Number(req.query.get('startIndex')) : 1;
    if (q.deepIndexLimit && startIndex > q.deepIndexLimit) {
      return sendJson(res, 400, { Errors: [{ description: 'Start index too big. Consider filtering by id gt the last id.', code: 400 }] });
    }
    let pool = ids;
    const filter = req.query.get('filter');
    const gt = filter ? /^id gt "(.*)"$/.exec(filter) : null;
    if (gt) pool = ids.filter((id) => id > (JSON.parse(`"${gt[1]}"`) as string));
    if (q.ignoreStartIndex || q.cursorOnly) startIndex = 1;
    let skip = q.zeroBased ? startIndex : q.shiftBack ? Math.max(0, startIndex - 2) : startIndex - 1;
    if (skip < 0) skip = 0;
    let page = pool.slice(skip, skip + size);
    if (page.length === 0 && skip >= pool.length && pool.length) {
      if (q.pastEnd === 'first-page') page = pool.slice(0, size);
      if (q.pastEnd === 'last-item') page = pool.slice(-1);
    }
    const body: Record<string, unknown> = { schemas: [LIST], startIndex, itemsPerPage: q.echoItemsPerPage ? count : page.length };
    if (q.total !== 'missing') body.totalResults = q.total === 'page' ? page.length : pool.length;
    if (page.length || !q.omitEmptyResources) body.Resources = page.map((id) => user(id));
    if (q.offerCursor && skip + size < pool.length) body.nextCursor = `c${skip + size}`;
    const out = q.lowerCaseKeys ? Object.fromEntries(Object.entries(body).map(([k, v]) => [k.toLowerCase(), v])) : body;
    sendJson(res, 200, out, { 'content-type': 'application/json' });
  };
}

const servers: TestServer[] = [];
const clients: ScimClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function list(q: Quirks, options: ListOptions = {}, clientOptions: Partial<ScimClientOptions> = {}) {
  const server = await startServer(listEndpoint(ALL, q));
  servers.push(server);
  const c = new ScimClient({
    baseUrl: `${server.url}/scim`,
    auth: { type: 'bearer', token: 't' },
    network: TEST_NETWORK,
    ...FAST,
    ...clientOptions,
  });
  clients.push(c);
  const listing = c.listUsers({ pageSize: 5, ...options });
  const ids: string[] = [];
  for await (const u of listing) ids.push(u.id as string);
  const listRequests = server.requests.filter((r) => r.path.endsWith('/Users'));
  return { ids, stats: listing.stats, requests: listRequests, server };
}

const startIndexes = (requests: RecordedRequest[]) => requests.map((r) => Number(r.query.get('startIndex'))).sort((a, b) => a - b);

function expectExactlyAll(ids: string[]) {
  expect(ids).toHaveLength(ALL.length);
  expect(new Set(ids)).toEqual(new Set(ALL));
}

describe('index paging under every quirk', () => {
  it('a well-behaved server: pages of 5, stops on the short page... and the empty one after it', async () => {
    const { ids, stats, requests } = await list({});
    expectExactlyAll(ids);
    // Pages after the first go out together (paging-parallel.ts), so they may arrive in any order.
    expect(startIndexes(requests)).toEqual([1, 6, 11, 16, 21, 24]);
    expect(stats).toMatchObject({ mode: 'index', pages: 6, resources: 23, duplicatesSkipped: 0, stopReason: 'empty-page', done: true });
  });

  it('always sends both startIndex and count, never count=0 (P2, P12, P13)', async () => {
    const { ids, requests } = await list({ requireBoth: true, defaultCount: 2 });
    expectExactlyAll(ids);
    for (const r of requests) {
      expect(r.query.has('startIndex')).toBe(true);
      expect(Number(r.query.get('count'))).toBeGreaterThan(0);
    }
  });

  it('advances by what was received when the server caps count (P1)', async () => {
    const { ids, requests } = await list({ cap: 3 }, { pageSize: 100 });
    expectExactlyAll(ids);
    expect(startIndexes(requests).slice(0, 3)).toEqual([1, 4, 7]);
  });

  it('keeps going when totalResults is the page size (P3)', async () => {
    expectExactlyAll((await list({ total: 'page' })).ids);
    expectExactlyAll((await list({ total: 'missing' })).ids);
  });

  it('stops when past-the-end returns page 1 or the last item again (P4)', async () => {
    for (const pastEnd of ['first-page', 'last-item'] as const) {
      const { ids, stats } = await list({ pastEnd });
      expectExactlyAll(ids);
      expect(stats.stopReason).toBe('no-new-ids');
      expect(stats.duplicatesSkipped).toBeGreaterThan(0);
    }
  });

  it('recovers the first resource of a 0-based server, and survives overlapping pages (P5)', async () => {
    const zero = await list({ zeroBased: true });
    expectExactlyAll(zero.ids);
    expect(zero.stats.zeroBasedProbe).toBe(true);
    expect(zero.requests.at(-1)?.query.get('startIndex')).toBe('0');
    const shifted = await list({ shiftBack: true });
    expectExactlyAll(shifted.ids);
    expect(shifted.stats.duplicatesSkipped).toBeGreaterThan(0);
  });

  it('falls back to keyset paging when a deep startIndex is refused (P8)', async () => {
    const { ids, stats, requests } = await list({ deepIndexLimit: 10 });
    expectExactlyAll(ids);
    expect(stats.modesUsed).toEqual(['index', 'keyset']);
    const keyset = requests.filter((r) => r.query.get('sortBy') === 'id');
    expect(keyset[1].query.get('filter')).toMatch(/^id gt "id-\d\d"$/);
  });

  it('reads envelopes without Resources or with lower-case keys, ignoring itemsPerPage (P9, P10, P11)', async () => {
    expectExactlyAll((await list({ omitEmptyResources: true })).ids);
    expectExactlyAll((await list({ lowerCaseKeys: true })).ids);
    expectExactlyAll((await list({ echoItemsPerPage: true }, { pageSize: 7 })).ids);
  });
});

describe('cursor paging (RFC 9865)', () => {
  it('starts with an empty cursor when the SPC prefers cursors, and keeps other parameters identical', async () => {
    const spc = { schemas: [], pagination: { cursor: true, index: true, defaultPaginationMethod: 'cursor', maxPageSize: 4 } };
    const { ids, stats, requests } = await list({ cursorOnly: true, spc }, { filter: 'active eq true' }, { paging: { discover: true } });
    expectExactlyAll(ids);
    expect(stats.mode).toBe('cursor');
    expect(stats.stopReason).toBe('end-of-cursor');
    expect(requests[0].url).toContain('cursor=&');
    expect(requests.every((r) => !r.query.has('startIndex'))).toBe(true);
    const shape = (r: RecordedRequest) => [...r.query.keys()].join('&') + JSON.stringify([r.query.get('filter'), r.query.get('count')]);
    expect(new Set(requests.map(shape)).size).toBe(1);
    expect(requests[0].query.get('count')).toBe('4');
  });

  it('finds cursors on a cursor-only server that ignores startIndex (P6)', async () => {
    const { ids, stats } = await list({ cursorOnly: true, total: 'accurate' });
    expectExactlyAll(ids);
    expect(stats.modesUsed).toEqual(['index', 'cursor']);
  });

  it('follows a nextCursor offered on an index answer (P7)', async () => {
    const { ids, stats } = await list({ offerCursor: true });
    expectExactlyAll(ids);
    expect(stats.modesUsed).toEqual(['index', 'cursor']);
    expect(stats.duplicatesSkipped).toBe(0);
  });

  it('restarts once from the beginning on expiredCursor, yielding each id once', async () => {
    const { ids, stats } = await list({ cursorOnly: true, expireCursorOnce: true }, { mode: 'cursor' });
    expectExactlyAll(ids);
    expect(stats.cursorRestarts).toBe(1);
    expect(stats.duplicatesSkipped).toBeGreaterThan(0);
  });

  it('falls back to index paging when the server refuses cursors', async () => {
    const spc = { pagination: { cursor: true, defaultPaginationMethod: 'cursor' } };
    const { ids, stats } = await list({ refuseCursor: true, spc }, {}, { paging: { discover: true } });
    expectExactlyAll(ids);
    expect(stats.modesUsed).toEqual(['cursor', 'index']);
  });
});

describe('servers that never end', () => {
  it('fails with PAGINATION_LIMIT quickly when fresh ids never stop', async () => {
    let n = 0;
    const server = await startServer((_req, res) =>
      sendJson(res, 200, { schemas: [LIST], totalResults: 5, Resources: Array.from({ length: 5 }, () => user(`endless-${n++}`)) }),
    );
    servers.push(server);
    const c = new ScimClient({ baseUrl: server.url, auth: { type: 'bearer', token: 't' }, network: TEST_NETWORK, ...FAST });
    clients.push(c);
    const listing = c.listUsers({ pageSize: 5, maxPages: 40 });
    let seen = 0;
    const err = await (async () => {
      try {
        for await (const _ of listing) seen++;
      } catch (e) {
        return e as ScimClientError;
      }
    })();
    expect(err?.code).toBe('PAGINATION_LIMIT');
    expect(seen).toBe(200);
    expect(listing.stats.requests).toBe(40);
  });

  it('stops on a resource cap and a time budget too', async () => {
    const endless: PageFetcher<ScimUser> = async (req) => ({
      resources: Array.from({ length: req.count }, (_, i) => ({ schemas: [], id: `${req.startIndex}-${i}` })),
      dropped: 0,
      nextCursor: undefined,
    });
    const drain = async (opts: Parameters<typeof paginate>[1]) => {
      try {
        for await (const _ of paginate(endless, opts, newListingStats())) {
          // drain
        }
      } catch (e) {
        return (e as ScimClientError).code;
      }
    };
    expect(await drain({ pageSize: 10, maxResources: 95 })).toBe('PAGINATION_LIMIT');
    expect(await drain({ pageSize: 10, deadlineMs: 0 })).toBe('PAGINATION_LIMIT');
  });

  it('stops a cursor server that hands out the same cursor or stale pages', async () => {
    const same: PageFetcher<ScimUser> = async () => ({ resources: [{ schemas: [], id: 'a' }], dropped: 0, nextCursor: 'again' });
    const stats = newListingStats();
    const ids: string[] = [];
    for await (const page of paginate(same, { mode: 'cursor' }, stats)) ids.push(...page.map((u) => u.id as string));
    expect(ids).toEqual(['a']);
    expect(stats.stopReason).toBe('cursor-repeated');

    let n = 0;
    const stale: PageFetcher<ScimUser> = async () => ({ resources: [{ schemas: [], id: 'a' }], dropped: 0, nextCursor: `c${n++}` });
    const staleStats = newListingStats();
    for await (const _ of paginate(stale, { mode: 'cursor' }, staleStats)) {
      // drain
    }
    expect(staleStats.stopReason).toBe('no-new-ids');
    expect(staleStats.requests).toBe(4);
  });
});

describe('listing API', () => {
  it('yields pages, counts duplicates and resources without id, and iterates once', async () => {
    const pages = [[{ id: 'a' }, { id: 'b' }, { id: 'a' }, {}], [{ id: 'b' }, { id: 'c' }], []];
    const fetch: PageFetcher<ScimUser> = async () => ({ resources: (pages.shift() ?? []).map((p) => ({ schemas: [], ...p })), dropped: 0 });
    const stats = newListingStats();
    const out: string[][] = [];
    for await (const page of paginate(fetch, {}, stats)) out.push(page.map((u) => u.id as string));
    expect(out).toEqual([['a', 'b'], ['c']]);
    expect(stats).toMatchObject({ duplicatesSkipped: 2, withoutId: 1, resources: 3, pages: 3 });

    const server = await startServer(listEndpoint(['x'], {}));
    servers.push(server);
    const c = new ScimClient({ baseUrl: server.url, auth: { type: 'bearer', token: 't' }, network: TEST_NETWORK, ...FAST });
    clients.push(c);
    const listing = c.listUsers();
    expect((await listing.toArray()).map((u) => u.id)).toEqual(['x']);
    expect(() => listing.pages()).toThrow(ScimClientError);
  });

  it('lists groups without members by default (P18), and retries without excludedAttributes if refused', async () => {
    const server = await startServer((req, res) => {
      if (req.query.has('excludedAttributes'))
        return sendJson(res, 400, { scimType: 'invalidValue', detail: 'excludedAttributes not supported' });
      sendJson(res, 200, {
        schemas: [LIST],
        totalResults: 1,
        Resources: req.query.get('startIndex') === '1' ? [{ id: 'g1', displayName: 'Staff' }] : [],
      });
    });
    servers.push(server);
    const c = new ScimClient({ baseUrl: server.url, auth: { type: 'bearer', token: 't' }, network: TEST_NETWORK, ...FAST });
    clients.push(c);
    const groups = await c.listGroups().toArray();
    expect(groups.map((g) => g.id)).toEqual(['g1']);
    expect(server.requests[0].query.get('excludedAttributes')).toBe('members');
    expect(server.requests.slice(1).every((r) => !r.query.has('excludedAttributes'))).toBe(true);
  });
});
