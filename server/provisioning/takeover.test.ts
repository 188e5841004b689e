// A sync that died (its worker killed, or its database gone before it could finish) leaves its sync
// marked running and its users claimed for ten minutes. The next sync, once it has the lock, ends the
// dead one and works on those users at once; a one-user sync's claim is respected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { connectApplication, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { runSync } from './reconcile.ts';

const DEAD_SYNC_ID = '01a00000-0000-7000-8000-00000000dead';

// A time `ms` from the test's start, as stored.
type At = (ms: number) => string;

describe.each(dialects)('a sync taking over from one that died, on %s', (dialect) => {
  let t: TestApp;
  let scim: RunningScimServer;
  beforeAll(async () => {
    // No workers: the test runs the sync itself, after setting the scene of the dead one.
    t = await createTestApp(dialect);
    scim = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN } });
  });
  afterAll(async () => {
    await t?.close();
    await scim?.stop();
  });

  // Five users in one group, the group assigned to the application; their ids in creation order.
  const assignNewUsers = async (appId: string): Promise<string[]> => {
    const group = (await t.admin({ method: 'POST', url: '/api/v1/groups', payload: { name: 'Takeover' } })).json().id;
    const ids: string[] = [];
    for (const name of ['tara', 'uma', 'vic', 'wes', 'xan']) {
      const id = (await t.admin({ method: 'POST', url: '/api/v1/users', payload: { username: name, email: `${name}@example.com` } })).json()
        .id;
      await t.admin({ method: 'PUT', url: `/api/v1/groups/${group}/members/${id}` });
      ids.push(id);
    }
    await t.admin({ method: 'PUT', url: `/api/v1/applications/${appId}/groups/${group}` });
    return ids;
  };

  // The dead sync's lock has run out, and its sync row is still "running".
  const insertDeadSync = async (appId: string, at: At) => {
    const { db } = t.database;
    await db
      .updateTable('provisioning_state')
      .set({ lock_owner: 'dead-sync', lock_until: at(-1000) })
      .where('application_id', '=', appId)
      .execute();
    await db
      .insertInto('provisioning_syncs')
      .values({
        id: DEAD_SYNC_ID,
        organization_id: t.adminActor.organizationId,
        application_id: appId,
        kind: 'full',
        trigger: 'activation',
        status: 'running',
        processed: 0,
        counts: '{}',
        error: null,
        initiated_by_type: 'system',
        initiated_by_id: null,
        initiated_by_email: null,
        created_at: at(-60_000),
        started_at: at(-60_000),
        finished_at: null,
      })
      .execute();
  };

  // Three users claimed by the dead sync for ten more minutes, one by a one-user sync for one more.
  const insertClaimedAccounts = async (appId: string, at: At, ids: string[]) => {
    const account = (userId: string, username: string, claimedBy: string, until: number) => ({
      application_id: appId,
      organization_id: t.adminActor.organizationId,
      user_id: userId,
      user_name: username,
      remote_id: null,
      pushed_attributes: null,
      pushed_active: null,
      status: 'pending' as const,
      last_operation: null,
      last_error: null,
      attempts: 0,
      next_attempt_at: null,
      claimed_by: claimedBy,
      claimed_until: at(until),
      last_synced_at: null,
      updated_at: at(-60_000),
    });
    await t.database.db
      .insertInto('provisioning_users')
      .values([
        account(ids[0], 'tara', 'dead-sync', 10 * 60_000),
        account(ids[1], 'uma', 'dead-sync', 10 * 60_000),
        account(ids[2], 'vic', 'dead-sync', 10 * 60_000),
        account(ids[3], 'wes', 'user-sync:someone', 60_000),
      ])
      .execute();
  };

  it('ends the dead sync, frees its users and provisions them now; a one-user sync keeps its claim', async () => {
    const { db } = t.database;
    const appId = await connectApplication(t, scim, 'Takeover App');
    const ids = await assignNewUsers(appId);
    expect((await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/activate` })).statusCode).toBe(200);

    // The dead sync: lock run out, still "running", three users claimed for ten more minutes.
    const now = Date.now();
    const at = (ms: number) => new Date(now + ms).toISOString();
    const organizationId = t.adminActor.organizationId;
    await insertDeadSync(appId, at);
    await insertClaimedAccounts(appId, at, ids);

    const outcome = await runSync(t.deps, { organizationId, applicationId: appId, trigger: 'activation' });
    expect(outcome).toMatchObject({ status: 'completed', counts: { created: 4 } });
    expect(
      scim.store
        .listUsers()
        .map((u) => u.userName)
        .sort(),
    ).toEqual(['tara', 'uma', 'vic', 'xan']);
    const dead = await db.selectFrom('provisioning_syncs').selectAll().where('id', '=', DEAD_SYNC_ID).executeTakeFirstOrThrow();
    expect(dead).toMatchObject({ status: 'failed', error: expect.stringContaining('a later sync took over') });
    expect(dead.finished_at).not.toBeNull();
    const wes = await db.selectFrom('provisioning_users').selectAll().where('user_id', '=', ids[3]).executeTakeFirstOrThrow();
    expect(wes).toMatchObject({ claimed_by: 'user-sync:someone', status: 'pending' });
  });
});
