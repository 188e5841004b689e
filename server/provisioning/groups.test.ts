import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../test/db.ts';
import { insertUser } from '../../test/factories.ts';
import { SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { DEFAULT_ORGANIZATION_ID } from '../shared/actor.ts';
import { type Harness, startHarness } from '../../test/provisioning.ts';

describe.each(dialects)('group provisioning on %s', (dialect) => {
  let h: Harness;
  let scim: RunningScimServer;
  let appId: string;
  let big: string;
  let small: string;
  let members: string[] = [];
  const remoteGroup = (name: string) => scim.store.listGroups().filter((g) => g.displayName?.toLowerCase() === name.toLowerCase());
  const groupPatches = () => scim.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/Groups/'));

  beforeAll(async () => {
    h = await startHarness(dialect);
    // AWS-like: at most 100 member changes per request, no replace-all (G1, G2).
    scim = await startScimServer({
      auth: { type: 'bearer', token: SCIM_TOKEN },
      quirks: { maxMembersPerRequest: 100, rejectMembersReplaceAll: true },
    });
    appId = await h.connect(scim, 'Groups App', { groupManagement: true, memberChunkSize: 100, unboundGroups: 'delete' });
    big = await h.group('All Staff');
    small = await h.group('Data & Analytics');
    const { db } = h.t.database;
    const now = new Date().toISOString();
    members = [];
    for (let i = 0; i < 250; i++) members.push(await insertUser(db, `member${String(i).padStart(3, '0')}`));
    await db
      .insertInto('group_members')
      .values(members.map((user_id) => ({ organization_id: DEFAULT_ORGANIZATION_ID, group_id: big, user_id, created_at: now })))
      .execute();
    await db
      .insertInto('group_members')
      .values(
        members.slice(0, 3).map((user_id) => ({ organization_id: DEFAULT_ORGANIZATION_ID, group_id: small, user_id, created_at: now })),
      )
      .execute();
    // The application already has a group of that name, in another letter case (G8).
    scim.store.addGroup({ displayName: 'data & analytics', members: [] });
  });
  afterAll(async () => {
    await h?.close();
    await scim?.stop();
  });

  it('pushes 250 members in three PATCH adds of at most 100, never a replace', async () => {
    await h.activateWith(appId, big);
    const [g] = remoteGroup('All Staff');
    expect(g.members).toHaveLength(250);
    const patches = groupPatches();
    expect(patches).toHaveLength(3);
    for (const p of patches) {
      const ops = (p.body as { Operations: Array<{ op: string; path?: string; value?: unknown[] }> }).Operations;
      expect(ops.every((o) => o.op === 'add' && o.path === 'members')).toBe(true);
      expect(ops.reduce((n, o) => n + (o.value?.length ?? 0), 0)).toBeLessThanOrEqual(100);
      expect(p.status).toBe(200);
    }
    const created = await h.events(appId, 'group_create_provision');
    expect(created).toHaveLength(1);
    expect((await h.events(appId, 'group_membership_provision'))[0]).toMatchObject({
      success: true,
      changes: { added: 250, removed: 0, requests: 3 },
    });
  });

  it('removes members by PATCH remove when they leave', async () => {
    scim.clearRequests();
    for (const id of members.slice(0, 30)) await h.unmember(big, id);
    await h.settle(appId);
    expect(remoteGroup('All Staff')[0].members).toHaveLength(220);
    const patches = groupPatches();
    expect(patches.length).toBeGreaterThan(0);
    for (const p of patches) {
      const ops = (p.body as { Operations: Array<{ op: string; path?: string }> }).Operations;
      expect(ops.every((o) => o.op === 'remove' && /^members\[value eq /.test(o.path ?? ''))).toBe(true);
    }
    // The users left scope, so their accounts were deactivated too.
    expect(scim.store.listUsers().filter((u) => u.active === false)).toHaveLength(30);
  });

  it('links to an existing remote group with the same name instead of making a second one', async () => {
    await h.bind(appId, small);
    await h.settle(appId);
    const groups = remoteGroup('Data & Analytics');
    expect(groups).toHaveLength(1);
    expect(groups[0].members?.map((m) => m.value).sort()).toHaveLength(3);
    const ev = (await h.events(appId, 'group_create_provision'))[0];
    expect(ev).toMatchObject({ resource: { id: small }, changes: { adopted: true } });
  });

  it('follows a rename', async () => {
    const r = await h.t.admin({ method: 'PATCH', url: `/api/v1/groups/${small}`, payload: { name: 'Data and Analytics' } });
    expect(r.statusCode).toBe(200);
    await h.settle(appId);
    expect(remoteGroup('Data and Analytics')).toHaveLength(1);
    expect(remoteGroup('data & analytics')).toHaveLength(0);
    expect((await h.events(appId, 'group_update_provision'))[0]).toMatchObject({
      success: true,
      changes: { displayName: { to: 'Data and Analytics' } },
    });
  });

  it('repairs members removed in the application on the next reconcile', async () => {
    const [g] = remoteGroup('All Staff');
    const victim = g.members?.[0]?.value as string;
    scim.store.removeMember(g.id as string, victim);
    await h.t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/sync` });
    await h.settle(appId);
    expect(remoteGroup('All Staff')[0].members?.map((m) => m.value)).toContain(victim);
  });

  it('leaves the remote group in place when its group is unbound (unboundGroups: leave), and records that', async () => {
    const other = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN } });
    try {
      const leaveApp = await h.connect(other, 'Leave App', { groupManagement: true, unboundGroups: 'leave' });
      const group = await h.group('Stays Remote');
      await h.activateWith(leaveApp, group);
      const [remote] = other.store.listGroups().filter((g) => g.displayName === 'Stays Remote');
      expect(remote).toBeTruthy();
      other.clearRequests();
      await h.unbind(leaveApp, group);
      await h.settle(leaveApp);
      expect(other.store.listGroups().filter((g) => g.displayName === 'Stays Remote')).toHaveLength(1);
      expect(other.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
      expect((await h.events(leaveApp, 'group_unlink_provision'))[0]).toMatchObject({
        success: true,
        resource: { id: group },
        changes: { remoteId: remote.id },
      });
      expect(await h.events(leaveApp, 'group_delete_provision')).toHaveLength(0);
    } finally {
      await other.stop();
    }
  });

  it('deletes the remote group when its group is unbound (unboundGroups: delete)', async () => {
    await h.unbind(appId, small);
    await h.settle(appId);
    expect(remoteGroup('Data and Analytics')).toHaveLength(0);
    expect((await h.events(appId, 'group_delete_provision'))[0]).toMatchObject({ success: true, resource: { id: small } });
    expect(remoteGroup('All Staff')).toHaveLength(1);
  });
});
