import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../test/db.ts';
import { insertUser } from '../../test/factories.ts';
import { eventually, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { deactivateIntegration } from '../integrations/index.ts';
import { DEFAULT_ORGANIZATION_ID } from '../shared/actor.ts';
import { type Harness, startHarness } from '../../test/provisioning.ts';

const USERS = 2000;

describe.each(dialects)('deactivation during a sync on %s', (dialect) => {
  let h: Harness;
  let scim: RunningScimServer;
  let appId: string;
  let groupId: string;
  const userIds: string[] = [];
  const syncsOf = async (app: string): Promise<Array<{ status: string; error?: string }>> =>
    (await h.t.admin({ method: 'GET', url: `/api/v1/applications/${app}/idm/syncs` })).json().items;
  /** Waits for the application's sync to end cancelled. */
  const cancelledSync = (app: string, what: string) =>
    eventually(async () => (await syncsOf(app)).find((s) => s.status === 'cancelled'), 5000, what);
  /** Waits until the SCIM server holds at least `count` users. */
  const usersCreated = (server: RunningScimServer, count: number, what: string) =>
    eventually(async () => (server.store.userCount() >= count ? true : undefined), 20_000, what);

  beforeAll(async () => {
    h = await startHarness(dialect);
    scim = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN }, quirks: { latencyMs: 5 } });
    appId = await h.connect(scim, 'Big App', { concurrency: 4 });
    groupId = await h.group('Everyone');
    const { db } = h.t.database;
    for (let i = 0; i < USERS; i++) userIds.push(await insertUser(db, `person${String(i).padStart(4, '0')}`));
    const now = new Date().toISOString();
    for (let i = 0; i < USERS; i += 500) {
      await db
        .insertInto('group_members')
        .values(
          userIds
            .slice(i, i + 500)
            .map((user_id) => ({ organization_id: DEFAULT_ORGANIZATION_ID, group_id: groupId, user_id, created_at: now })),
        )
        .execute();
    }
    await h.bind(appId, groupId);
  });
  afterAll(async () => {
    await h?.close();
    await scim?.stop();
  });

  it('stops at once, records every unfinished operation as an error, and sends nothing more', async () => {
    await h.activate(appId);
    await usersCreated(scim, 300, '300 users created');
    const r = await h.t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/deactivate` });
    const seenAtDeactivation = scim.requests.length;
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().status).toBe('inactive');

    const sync = await cancelledSync(appId, 'the sync to end');
    expect(sync).toMatchObject({ error: 'integration deactivated' });
    // "At once" is shown below by the requests, not by a clock: nothing new reaches the application.

    // Nothing new reached the application after the deactivation answered. The server shares this
    // process's event loop, so requests already sent may be logged a moment later: at most one per
    // concurrent slot, and then nothing at all.
    await sleep(300);
    const count = scim.requests.length;
    expect(count - seenAtDeactivation).toBeLessThanOrEqual(4);
    await sleep(500);
    expect(scim.requests.length).toBe(count);

    // Every user has exactly one outcome: created, or "integration deactivated".
    const { db } = h.t.database;
    const events = await db
      .selectFrom('insight_events')
      .select(['resource_id', 'success', 'message'])
      .where('application_id', '=', appId)
      .where('event_type', '=', 'user_create_provision')
      .execute();
    const byUser = new Map<string, number>();
    for (const e of events) byUser.set(e.resource_id as string, (byUser.get(e.resource_id as string) ?? 0) + 1);
    expect(byUser.size).toBe(USERS);
    expect([...byUser.values()].every((n) => n === 1)).toBe(true);
    const created = new Set(events.filter((e) => e.success === 1).map((e) => e.resource_id));
    const cancelled = events.filter((e) => e.success === 0);
    expect(cancelled.length).toBe(USERS - created.size);
    expect(cancelled.every((e) => e.message === 'integration deactivated')).toBe(true);
    expect(created.size).toBeGreaterThanOrEqual(300);
    expect(created.size).toBeLessThan(USERS);

    // The application keeps what it has: created accounts stay active, none deleted; requests that
    // were in flight when they were aborted may have landed (at most one per concurrent slot).
    const remote = scim.store.listUsers();
    expect(remote.every((u) => u.active === true)).toBe(true);
    const remoteIds = new Set(remote.map((u) => u.externalId));
    for (const id of created) expect(remoteIds.has(id as string)).toBe(true);
    expect(remote.length - created.size).toBeLessThanOrEqual(4);
    expect(scim.requests.filter((q) => q.method === 'DELETE' || (q.method === 'PATCH' && q.path.includes('/Users/')))).toEqual([]);

    const s = await h.status(appId);
    expect(s).toMatchObject({ integrationStatus: 'inactive', running: false, lastSync: { status: 'cancelled' } });
    expect((await h.t.deps.queue.counts('provisioning.sync')).queued).toBe(0);
  });

  it('reconciles everything on re-activation, adopting what the aborted requests created', async () => {
    await h.activate(appId);
    const s = await h.settle(appId, 60_000);
    expect(s.lastSync).toMatchObject({ status: 'completed', kind: 'full' });
    const remote = scim.store.listUsers();
    expect(remote).toHaveLength(USERS);
    expect(new Set(remote.map((u) => u.externalId)).size).toBe(USERS);
  });

  it('notices a deactivation made by another process (no abort signal here) between operations', async () => {
    const other = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN }, quirks: { latencyMs: 5 } });
    try {
      const otherApp = await h.connect(other, 'Other App', { concurrency: 2 });
      await h.bind(otherApp, groupId);
      await h.activate(otherApp);
      await usersCreated(other, 100, '100 users created');
      // What another API process does: the database says inactive; this process gets no abort.
      await deactivateIntegration(h.t.deps, h.t.adminActor, otherApp);
      const sync = await cancelledSync(otherApp, 'the sync to notice');
      expect(sync.error).toBe('integration deactivated');
      await sleep(300);
      const count = other.requests.length;
      await sleep(500);
      expect(other.requests.length).toBe(count);
      const failures = await h.t.database.db
        .selectFrom('insight_events')
        .select('resource_id')
        .where('application_id', '=', otherApp)
        .where('success', '=', 0)
        .where('message', '=', 'integration deactivated')
        .execute();
      expect(failures.length).toBeGreaterThan(USERS - other.store.userCount() - 3);
    } finally {
      await other.stop();
    }
  });

  it('a new connection (address and token) stops the work on the old one at once; the next sync goes on with the new one', async () => {
    const before = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN }, quirks: { latencyMs: 5 } });
    const after = await startScimServer({ auth: { type: 'bearer', token: 'the-new-token' } });
    try {
      const movingApp = await h.connect(before, 'Moving App', { concurrency: 2 });
      await h.bind(movingApp, groupId);
      // Settings other than the connection leave the work alone.
      const settingsOnly = await h.t.admin({
        method: 'PUT',
        url: `/api/v1/applications/${movingApp}/idm`,
        payload: { baseUrl: before.baseUrl, auth: { type: 'bearer' }, settings: { concurrency: 2, rateLimitPerSecond: 900 } },
      });
      expect(settingsOnly.statusCode, settingsOnly.body).toBe(200);
      await h.activate(movingApp);
      await usersCreated(before, 100, '100 users created');
      const sameConnection = await h.t.admin({
        method: 'PUT',
        url: `/api/v1/applications/${movingApp}/idm`,
        payload: { baseUrl: before.baseUrl, auth: { type: 'bearer' }, settings: { concurrency: 2, rateLimitPerSecond: 1000 } },
      });
      expect(sameConnection.statusCode).toBe(200);
      const created = before.store.userCount();
      await usersCreated(before, created + 50, 'the sync to go on');

      const moved = await h.t.admin({
        method: 'PUT',
        url: `/api/v1/applications/${movingApp}/idm`,
        payload: { baseUrl: after.baseUrl, auth: { type: 'bearer', token: 'the-new-token' }, settings: { concurrency: 2 } },
      });
      expect(moved.statusCode, moved.body).toBe(200);
      const seenAtChange = before.requests.length;
      await sleep(300);
      // Only what was in flight (one per concurrent slot), then nothing more on the old connection.
      expect(before.requests.length - seenAtChange).toBeLessThanOrEqual(2);
      const count = before.requests.length;
      await sleep(500);
      expect(before.requests.length).toBe(count);

      // The interrupted sync says why; the next one provisions everyone to the new address.
      const s = await h.settle(movingApp, 60_000);
      expect(s.lastSync).toMatchObject({ status: 'completed' });
      expect(after.store.userCount()).toBe(USERS);
      const syncs = await syncsOf(movingApp);
      expect(syncs.some((x) => x.status === 'failed' && /connection settings changed/.test(x.error ?? ''))).toBe(true);
      expect(syncs.some((x) => x.status === 'cancelled')).toBe(false);
      expect((await h.events(movingApp)).filter((e) => e.message === 'integration deactivated')).toEqual([]);
    } finally {
      await before.stop();
      await after.stop();
    }
  });
});
