import { beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../test/db.ts';
import { SCIM_TOKEN } from '../../test/idm.ts';
import { startScimServer } from '../../test/scim-server/index.ts';
import { startHarness, writes } from '../../test/provisioning.ts';
import { perSuite } from '../../test/suite.ts';
import { codeUnitOrder } from '../../test/order.ts';

describe.each(dialects)('provisioning lifecycle on %s', (dialect) => {
  // Opened in this order and closed in the reverse: the harness stops its workers before the server goes.
  const scim = perSuite(
    () => startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN } }),
    (server) => server.stop(),
  );
  const h = perSuite(() => startHarness(dialect));
  let appId: string;
  let groupId: string;
  const ids: Record<string, string> = {};
  const remote = (userId: string) => scim.store.listUsers().find((u) => u.externalId === userId);

  beforeAll(async () => {
    appId = await h.connect(scim, 'Lifecycle App');
    for (const name of ['ada', 'bob', 'cy'])
      ids[name] = await h.user(name, { jobTitle: 'Engineer', phoneNumbers: [{ type: 'work', number: '+44 20 7946 0000' }] });
    ids.stan = await h.user('stan', { state: 'STAGED' });
    groupId = await h.group('Engineering');
    for (const name of ['ada', 'bob', 'stan']) await h.member(groupId, ids[name]);
  });

  it('creates the ACTIVE members of a bound group when the integration is activated, STAGED ones not', async () => {
    const s = await h.activateWith(appId, groupId);
    expect(s.lastSync).toMatchObject({ kind: 'full', status: 'completed', counts: { created: 2 } });
    expect(remote(ids.ada)).toMatchObject({
      userName: 'ada',
      active: true,
      title: 'Engineer',
      emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
    });
    expect(remote(ids.bob)).toMatchObject({ userName: 'bob', active: true });
    expect(remote(ids.cy)).toBeUndefined();
    expect(remote(ids.stan)).toBeUndefined();
    const created = await h.events(appId, 'user_create_provision');
    expect(created.map((e) => e.resource.username).sort(codeUnitOrder)).toEqual(['ada', 'bob']);
    expect(created.every((e) => e.success)).toBe(true);
    const links = await h.t.database.db.selectFrom('app_user_links').selectAll().where('application_id', '=', appId).execute();
    expect(links.map((l) => l.remote_id).sort(codeUnitOrder)).toEqual([remote(ids.ada)?.id, remote(ids.bob)?.id].sort(codeUnitOrder));
  });

  it('sends exactly one PATCH with the changed attribute when a user changes, and nothing for a no-op', async () => {
    scim.clearRequests();
    const r = await h.t.admin({ method: 'PATCH', url: `/api/v1/users/${ids.ada}`, payload: { jobTitle: 'CTO' } });
    expect(r.statusCode).toBe(200);
    await h.settle(appId);
    const w = writes(scim);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ method: 'PATCH', path: `/scim/v2/Users/${remote(ids.ada)?.id}` });
    expect(w[0].body).toMatchObject({ Operations: [{ op: 'replace', path: 'title', value: 'CTO' }] });
    expect(remote(ids.ada)?.title).toBe('CTO');
    const updates = await h.events(appId, 'user_update_provision');
    expect(updates[0]).toMatchObject({ success: true, resource: { id: ids.ada }, changes: { attributes: ['jobTitle'], method: 'PATCH' } });

    scim.clearRequests();
    await h.t.admin({ method: 'PATCH', url: `/api/v1/users/${ids.cy}`, payload: { jobTitle: 'Not in scope' } });
    await h.settle(appId);
    expect(writes(scim)).toHaveLength(0);
  });

  it('provisions a STAGED user once he is activated', async () => {
    await h.t.admin({ method: 'PATCH', url: `/api/v1/users/${ids.stan}`, payload: { state: 'ACTIVE' } });
    await h.settle(appId);
    expect(remote(ids.stan)).toMatchObject({ userName: 'stan', active: true });
  });

  it('deactivates the accounts when the group is unbound, and reactivates them when it is bound again', async () => {
    await h.unbind(appId, groupId);
    await h.settle(appId);
    for (const name of ['ada', 'bob', 'stan']) expect(remote(ids[name])?.active, name).toBe(false);
    const deprov = await h.events(appId, 'user_deprovision');
    expect(deprov.filter((e) => e.success)).toHaveLength(3);

    scim.clearRequests();
    await h.bind(appId, groupId);
    await h.settle(appId);
    for (const name of ['ada', 'bob', 'stan']) expect(remote(ids[name])?.active, name).toBe(true);
    // Same accounts, reactivated: no new ones.
    expect(scim.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    expect(scim.store.userCount()).toBe(3);
  });

  it('deactivates a suspended user and a user who leaves the group', async () => {
    await h.t.admin({ method: 'PATCH', url: `/api/v1/users/${ids.bob}`, payload: { state: 'SUSPENDED' } });
    await h.unmember(groupId, ids.stan);
    await h.settle(appId);
    expect(remote(ids.bob)?.active).toBe(false);
    expect(remote(ids.stan)?.active).toBe(false);
    expect(remote(ids.ada)?.active).toBe(true);
  });

  it("deactivates a deleted user's account and forgets him", async () => {
    const adaRemote = remote(ids.ada)?.id;
    const r = await h.t.admin({ method: 'DELETE', url: `/api/v1/users/${ids.ada}` });
    expect(r.statusCode).toBe(204);
    await h.settle(appId);
    expect(scim.store.getUser(adaRemote as string)).toMatchObject({ userName: 'ada', active: false });
    const rows = await h.t.database.db
      .selectFrom('provisioning_users')
      .select('user_id')
      .where('application_id', '=', appId)
      .where('user_id', '=', ids.ada)
      .execute();
    expect(rows).toHaveLength(0);
    const last = (await h.events(appId, 'user_deprovision'))[0];
    expect(last).toMatchObject({ success: true, resource: { id: ids.ada, username: 'ada' } });
  });

  it('recreates an account deleted in the application on the next reconcile', async () => {
    await h.t.admin({ method: 'PATCH', url: `/api/v1/users/${ids.bob}`, payload: { state: 'ACTIVE' } });
    await h.settle(appId);
    const before = remote(ids.bob)?.id as string;
    scim.store.deleteUser(before);
    const r = await h.t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/sync` });
    expect(r.statusCode, r.body).toBe(202);
    const syncId = r.json().id;
    await h.settle(appId);
    const sync = (await h.t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/idm/syncs/${syncId}` })).json();
    expect(sync).toMatchObject({ status: 'completed', kind: 'full', trigger: 'manual', counts: { created: 1 } });
    const now = remote(ids.bob);
    expect(now?.id).toBeTruthy();
    expect(now?.id).not.toBe(before);
    const ev = (await h.events(appId, 'user_create_provision'))[0];
    expect(ev).toMatchObject({ resource: { id: ids.bob }, changes: { recreated: true } });
  });

  it('provisions one user now and answers with the outcome', async () => {
    const r = await h.t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/users/${ids.cy}/sync` });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ outcome: 'skipped' });
    await h.member(groupId, ids.cy);
    // Straight away, whether or not the change's own sync ran first.
    const now = await h.t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/users/${ids.cy}/sync` });
    expect(now.statusCode, now.body).toBe(200);
    expect(['created', 'unchanged']).toContain(now.json().outcome);
    await h.settle(appId);
    expect(remote(ids.cy)).toMatchObject({ userName: 'cy', active: true, title: 'Not in scope' });
    expect(scim.store.listUsers().filter((u) => u.userName === 'cy')).toHaveLength(1);
  });

  it('shows the last sync and nothing failed in the status', async () => {
    const s = await h.status(appId);
    expect(s).toMatchObject({ integrationStatus: 'active', running: false, paused: null, failed: { total: 0, items: [] } });
    expect(s.nextReconcileAt).toBeTruthy();
    expect(s.lastSync?.finishedAt).toBeTruthy();
    const ro = await h.t.readOnly({ method: 'GET', url: `/api/v1/applications/${appId}/idm/status` });
    expect(ro.statusCode).toBe(200);
    const denied = await h.t.readOnly({ method: 'POST', url: `/api/v1/applications/${appId}/idm/sync` });
    expect(denied.statusCode).toBe(403);
  });
});
