// The request log on both databases: buffered, flushed by size, by time and on close; listed newest
// first through the API; trimmed to the newest 1,000 of 7 days; counted in the figures.
import { describe, expect, it, vi } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { perSuite } from '../../test/suite.ts';
import { createLogger } from '../shared/logger.ts';
import { purgeScimSourceLogs, REQUESTS_KEPT_PER_SOURCE, type ScimRequestEntry, ScimRequestLog } from './index.ts';

describe.each(dialects)('SCIM source request log on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));
  let n = 0;
  const newSource = async () =>
    (await t.admin({ method: 'POST', url: '/api/v1/scim-sources', payload: { name: `Logged ${++n}` } })).json() as { id: string };
  const logOf = (opts = {}) => new ScimRequestLog({ db: t.database.db, clock: t.deps.clock, logger: createLogger('silent') }, opts);
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
  const entry = (sourceId: string, over: Partial<ScimRequestEntry> = {}): ScimRequestEntry => ({
    sourceId,
    organizationId: t.adminActor.organizationId,
    at: new Date().toISOString(),
    method: 'GET',
    path: '/scim/v2/Users?filter=userName%20eq%20%22a%22',
    status: 200,
    durationMs: 3,
    ...over,
  });
  const requests = async (id: string, query = '') =>
    (await t.admin({ method: 'GET', url: `/api/v1/scim-sources/${id}/requests${query}` })).json();
  const stored = async (id: string) =>
    Number(
      (
        await t.database.db
          .selectFrom('scim_source_requests')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('source_id', '=', id)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('writes nothing until a flush, then lists the entries newest first with last_request_at', async () => {
    const s = await newSource();
    const log = t.deps.scimRequestLog;
    log.add(entry(s.id, { at: ago(3000), method: 'POST', path: '/scim/v2/Users', status: 201, resourceType: 'User', resourceId: 'u-1' }));
    log.add(
      entry(s.id, {
        at: ago(2000),
        method: 'PATCH',
        path: `/scim/v2/Users/u-1?${'x'.repeat(600)}`,
        status: 400,
        scimType: 'invalidValue',
        detail: 'd'.repeat(700),
        durationMs: 12.6,
      }),
    );
    log.add(entry(s.id, { at: ago(1000) }));
    expect((await requests(s.id)).items).toEqual([]);
    await log.flush();

    const page = await requests(s.id);
    expect(page.items.map((r: { method: string }) => r.method)).toEqual(['GET', 'PATCH', 'POST']);
    const patch = page.items[1];
    expect(patch).toMatchObject({ status: 400, scimType: 'invalidValue', durationMs: 13 });
    expect(patch.path).toHaveLength(500);
    expect(patch.detail).toHaveLength(500);
    expect(page.items[2]).toMatchObject({ status: 201, resourceType: 'User', resourceId: 'u-1' });
    expect(page.items[0]).not.toHaveProperty('scimType');
    const source = (await t.admin({ method: 'GET', url: `/api/v1/scim-sources/${s.id}` })).json();
    expect(source.lastRequestAt).toBe(page.items[0].at);

    const first = await requests(s.id, '?limit=2');
    expect(first.items).toHaveLength(2);
    const rest = await requests(s.id, `?limit=2&cursor=${first.nextCursor}`);
    expect(rest).toEqual({ items: [page.items[2]], nextCursor: null });
  });

  it('never moves last_request_at back when an older entry is written later', async () => {
    const s = await newSource();
    const log = logOf();
    const newest = ago(1000);
    log.add(entry(s.id, { at: newest }));
    await log.flush();
    log.add(entry(s.id, { at: ago(5000) }));
    await log.flush();
    expect((await t.admin({ method: 'GET', url: `/api/v1/scim-sources/${s.id}` })).json().lastRequestAt).toBe(newest);
  });

  it('flushes on its own: at the batch size, and after the interval', async () => {
    const s = await newSource();
    const bySize = logOf({ batchSize: 3, flushEveryMs: 60_000 });
    for (let i = 0; i < 3; i++) bySize.add(entry(s.id));
    await vi.waitFor(async () => expect(await stored(s.id)).toBe(3));
    const byTime = logOf({ flushEveryMs: 20 });
    byTime.add(entry(s.id));
    expect(byTime.pending).toBe(1);
    await vi.waitFor(async () => expect(await stored(s.id)).toBe(4));
    expect(byTime.pending).toBe(0);
  });

  it('writes what is left on close and drops what comes after', async () => {
    const s = await newSource();
    const log = logOf({ flushEveryMs: 60_000 });
    log.add(entry(s.id));
    log.add(entry(s.id));
    await log.close();
    expect(await stored(s.id)).toBe(2);
    log.add(entry(s.id));
    expect(log.pending).toBe(0);
  });

  it('keeps an entry the database refused for the next flush', async () => {
    const s = await newSource();
    const log = logOf({ flushEveryMs: 60_000 });
    log.add(entry('0190a000-0000-7000-8000-0000000000ee'));
    log.add(entry(s.id));
    await expect(log.flush()).rejects.toThrow();
    expect(log.pending).toBe(2);
  });

  it('keeps the newest 1,000 requests of each source and none older than 7 days', async () => {
    const s = await newSource();
    const other = await newSource();
    const log = logOf();
    const base = Date.now() - 60 * 60_000;
    const total = REQUESTS_KEPT_PER_SOURCE + 25;
    for (let i = 0; i < total; i++) log.add(entry(s.id, { at: new Date(base + i * 1000).toISOString(), path: `/scim/v2/Users/${i}` }));
    log.add(entry(other.id, { at: ago(8 * 24 * 60 * 60_000) }));
    log.add(entry(other.id));
    await log.flush();
    expect(await stored(s.id)).toBe(REQUESTS_KEPT_PER_SOURCE);
    const oldest = await t.database.db
      .selectFrom('scim_source_requests')
      .select('path')
      .where('source_id', '=', s.id)
      .orderBy('at')
      .executeTakeFirstOrThrow();
    expect(oldest.path).toBe('/scim/v2/Users/25');
    expect(await stored(other.id)).toBe(1);

    // A source that went quiet: the hourly purge takes its old entries.
    await t.database.db
      .insertInto('scim_source_requests')
      .values({
        id: '0190a000-0000-7000-8000-0000000000aa',
        organization_id: t.adminActor.organizationId,
        source_id: other.id,
        at: ago(8 * 24 * 60 * 60_000),
        method: 'GET',
        path: '/scim/v2/Users',
        status: 200,
        duration_ms: 1,
        scim_type: null,
        detail: null,
        resource_type: null,
        resource_id: null,
      })
      .execute();
    expect(await stored(other.id)).toBe(2);
    expect((await purgeScimSourceLogs({ db: t.database.db, clock: t.deps.clock })).scimRequests).toBe(1);
    expect(await stored(other.id)).toBe(1);
  });

  it('counts requests and errors of the last hour and day by status class', async () => {
    const s = await newSource();
    const log = logOf();
    for (const [status, at] of [
      [200, ago(60_000)],
      [201, ago(60_000)],
      [404, ago(60_000)],
      [409, ago(2 * 60 * 60_000)],
      [503, ago(2 * 60 * 60_000)],
      [200, ago(25 * 60 * 60_000)],
    ] as const)
      log.add(entry(s.id, { status, at }));
    await log.flush();
    const st = (await t.admin({ method: 'GET', url: `/api/v1/scim-sources/${s.id}/stats` })).json();
    expect(st.requests).toEqual({
      lastHour: { total: 3, errors: 1, byStatusClass: { '2xx': 2, '3xx': 0, '4xx': 1, '5xx': 0 } },
      last24Hours: { total: 5, errors: 3, byStatusClass: { '2xx': 2, '3xx': 0, '4xx': 2, '5xx': 1 } },
    });
  });
});
