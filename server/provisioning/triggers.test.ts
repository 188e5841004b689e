// Directory changes enqueue a sync in their own transaction, only for active integrations, coalesced
// per application. No workers run here, so what was enqueued stays visible.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctxOf } from '../../test/factories.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { connectApplication, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { addGroupMembers, removeGroupMembers, updateUser } from '../directory/index.ts';
import { PROVISIONING_SYNC_JOB } from './triggers.ts';

const byText = (a: string, b: string) => a.localeCompare(b);

describe.each(dialects)('provisioning triggers on %s', (dialect) => {
  let t: TestApp;
  let scim: RunningScimServer;
  let appId: string;
  let idle: string;
  let groupId: string;
  let userId: string;
  const hints = (app: string) => t.database.db.selectFrom('provisioning_hints').selectAll().where('application_id', '=', app).execute();
  const queued = async () => (await t.deps.queue.counts(PROVISIONING_SYNC_JOB)).queued;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    scim = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN } });
    appId = await connectApplication(t, scim, 'Active App');
    idle = await connectApplication(t, scim, 'Inactive App');
    groupId = (await t.admin({ method: 'POST', url: '/api/v1/groups', payload: { name: 'Ops' } })).json().id;
    userId = (await t.admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'olive', email: 'olive@example.com' } })).json()
      .id;
    await t.admin({ method: 'PUT', url: `/api/v1/groups/${groupId}/members/${userId}` });
    await t.admin({ method: 'PUT', url: `/api/v1/applications/${appId}/groups/${groupId}` });
    await t.admin({ method: 'PUT', url: `/api/v1/applications/${idle}/groups/${groupId}` });
    expect(await queued()).toBe(0);
    expect((await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/activate` })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await t?.deps.queue.stop({ graceMs: 0 });
    await t?.close();
    await scim?.stop();
  });

  it('activation owes a full reconcile and enqueues it', async () => {
    const st = await t.database.db
      .selectFrom('provisioning_state')
      .selectAll()
      .where('application_id', '=', appId)
      .executeTakeFirstOrThrow();
    expect(st.full_token).toBeTruthy();
    expect(await queued()).toBe(1);
  });

  it('a change commits a hint and one coalesced job, for active integrations only', async () => {
    await t.admin({ method: 'PATCH', url: `/api/v1/users/${userId}`, payload: { jobTitle: 'One' } });
    const [first] = await hints(appId);
    expect(first).toMatchObject({ kind: 'user', item_id: userId });
    await t.admin({ method: 'PATCH', url: `/api/v1/users/${userId}`, payload: { jobTitle: 'Two' } });
    const [second] = await hints(appId);
    expect(second.token).not.toBe(first.token);
    expect(await queued()).toBe(1);
    expect(await hints(idle)).toHaveLength(0);
  });

  it('a change that rolls back leaves neither hint nor job', async () => {
    await t.database.db.deleteFrom('provisioning_hints').execute();
    await t.database.db
      .transaction()
      .execute(async (trx) => {
        await updateUser(ctxOf(t, trx), t.adminActor, userId, { jobTitle: 'Never' });
        throw new Error('roll back');
      })
      .catch(() => {});
    expect(await hints(appId)).toHaveLength(0);
    expect(await queued()).toBe(1);
  });

  it('many members added or removed at once: a hint per user and one for the group, the applications read once', async () => {
    await t.database.db.deleteFrom('provisioning_hints').execute();
    const made = [];
    for (const name of ['bulk.a', 'bulk.b', 'bulk.c'])
      made.push(
        (await t.admin({ method: 'POST', url: '/api/v1/users', payload: { username: name, email: `${name}@example.com` } })).json().id,
      );
    let calls = 0;
    // The real changes, counted: one call for the whole set, none per member.
    const changes = {
      ...t.deps.changes,
      membershipChanged: () => Promise.reject(new Error('told one member at a time')),
      membershipsChanged: (...a: Parameters<typeof t.deps.changes.membershipsChanged>) => {
        calls++;
        return t.deps.changes.membershipsChanged(...a);
      },
    };
    const ctx = { ...ctxOf(t), changes };
    // userId is a member already: only the others are added, and said to be.
    expect((await addGroupMembers(ctx, t.adminActor, groupId, [userId, ...made])).toSorted(byText)).toEqual(made.toSorted(byText));
    expect(calls).toBe(1);
    const expected = [`group:${groupId}`, ...made.map((id) => `user:${id}`)].sort();
    expect((await hints(appId)).map((h) => `${h.kind}:${h.item_id}`).sort()).toEqual(expected);
    expect(await hints(idle)).toHaveLength(0);
    await t.database.db.deleteFrom('provisioning_hints').execute();
    // Removing: the members among them only (no 404 for the one who is not).
    expect(await removeGroupMembers(ctx, t.adminActor, groupId, [made[0], made[1]])).toHaveLength(2);
    expect(await removeGroupMembers(ctx, t.adminActor, groupId, [made[0], made[2]])).toEqual([made[2]]);
    expect(calls).toBe(3);
    expect((await hints(appId)).map((h) => `${h.kind}:${h.item_id}`).sort()).toEqual(expected);
    const events = await t.database.db
      .selectFrom('insight_events')
      .select('resource_id')
      .where('event_type', '=', 'group_member_remove')
      .where('resource_id', 'in', made)
      .execute();
    expect(events.map((e) => e.resource_id!).toSorted(byText)).toEqual(made.toSorted(byText));
    await t.database.db.deleteFrom('provisioning_hints').execute();
  });

  it('membership, rename, unbind and group deletion are triggers too', async () => {
    await t.admin({ method: 'DELETE', url: `/api/v1/groups/${groupId}/members/${userId}` });
    expect((await hints(appId)).map((h) => `${h.kind}:${h.item_id}`).sort()).toEqual([`group:${groupId}`, `user:${userId}`].sort());
    await t.database.db.deleteFrom('provisioning_hints').execute();
    await t.admin({ method: 'PATCH', url: `/api/v1/groups/${groupId}`, payload: { name: 'Operations' } });
    expect((await hints(appId)).map((h) => h.kind)).toEqual(['group']);
    await t.database.db.updateTable('provisioning_state').set({ full_token: null }).execute();
    await t.admin({ method: 'DELETE', url: `/api/v1/applications/${appId}/groups/${groupId}` });
    const st = await t.database.db
      .selectFrom('provisioning_state')
      .select('full_token')
      .where('application_id', '=', appId)
      .executeTakeFirstOrThrow();
    expect(st.full_token).toBeTruthy();
    expect(await queued()).toBe(1);
  });
});
