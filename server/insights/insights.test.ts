import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { ctxOf } from '../../test/factories.ts';
import { createUser } from '../directory/index.ts';
import { systemActor } from '../shared/actor.ts';
import { systemClock } from '../shared/clock.ts';
import { record } from './index.ts';
import { countRows } from '../../test/factories.ts';
import { perSuite } from '../../test/suite.ts';

describe.each(dialects)('Directory Insights on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));

  const events = () => countRows(t.database.db, 'insight_events');
  const users = () => countRows(t.database.db, 'users');

  it('commits an event with its change and rolls it back with a failed change', async () => {
    const [e0, u0] = [await events(), await users()];
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await createUser(ctxOf(t, trx), t.adminActor, { username: 'rollback', email: 'rollback@example.com', state: 'ACTIVE' });
        throw new Error('boom after the change');
      }),
    ).rejects.toThrow('boom');
    expect([await events(), await users()]).toEqual([e0, u0]);
    await t.database.db.transaction().execute(async (trx) => {
      await createUser(ctxOf(t, trx), t.adminActor, { username: 'committed', email: 'committed@example.com', state: 'ACTIVE' });
    });
    expect([await events(), await users()]).toEqual([e0 + 1, u0 + 1]);
  });

  it('is append-only at the database level', async () => {
    await expect(t.database.db.updateTable('insight_events').set({ message: 'tampered' }).execute()).rejects.toThrow(/append-only/);
    await expect(t.database.db.deleteFrom('insight_events').execute()).rejects.toThrow(/append-only/);
  });

  it('filters, pages newest first with cursors, and exports CSV', async () => {
    const actor = systemActor();
    for (let i = 0; i < 25; i++) {
      await record(
        { db: t.database.db, clock: systemClock },
        {
          eventType: i % 2 ? 'test_odd' : 'test_even',
          service: 'system',
          actor,
          resource: { type: 'thing', id: `thing-${i}` },
          application: i % 5 === 0 ? { id: 'app-1', name: 'App One' } : undefined,
          message: i === 3 ? '=HYPERLINK("evil")' : `event, number "${i}"`,
        },
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.admin({
        method: 'GET',
        url: `/api/v1/insights/events?eventType=test_odd,test_even&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { id: string; resource: { id: string } }[]; nextCursor: string | null };
      seen.push(...body.items.map((e) => e.resource.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `thing-${24 - i}`));
    const app1 = (await t.admin({ method: 'GET', url: '/api/v1/insights/events?applicationId=app-1' })).json();
    expect(app1.items).toHaveLength(5);
    expect(app1.items[0].application).toEqual({ id: 'app-1', name: 'App One' });
    const byResource = (await t.admin({ method: 'GET', url: '/api/v1/insights/events?resourceId=thing-7' })).json();
    expect(byResource.items).toHaveLength(1);
    const future = (
      await t.admin({
        method: 'GET',
        url: `/api/v1/insights/events?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      })
    ).json();
    expect(future.items).toHaveLength(0);
    const csv = await t.admin({ method: 'GET', url: '/api/v1/insights/events?eventType=test_odd,test_even&format=csv' });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines).toHaveLength(26);
    expect(lines[0]).toMatch(/^id,timestamp,eventType/);
    expect(csv.body).toContain('"event, number ""5"""');
    expect(csv.body).toContain(`"'=HYPERLINK(""evil"")"`);
  });

  it('refuses bad filters with 400 naming the parameter', async () => {
    for (const q of ['from=yesterday', 'eventType=DROP TABLE', 'format=xml', 'limit=abc', 'bogus=1']) {
      const r = await t.admin({ method: 'GET', url: `/api/v1/insights/events?${q}` });
      expect(r.statusCode, q).toBe(400);
      const [param] = q.split('=');
      expect(r.json().error.details.map((d: { path: string }) => d.path)).toContain(`querystring.${param}`);
    }
    expect((await t.admin({ method: 'GET', url: '/api/v1/insights/events?cursor=abc' })).json().error.code).toBe('INVALID_CURSOR');
  });
});
