// Interop: the same lifecycle against a third-party SCIM server (scimmy, see test/scimmy/harness.ts):
// case-sensitive userName filters (F3), 204 on no-op PATCH (C5), strict types (C8, C9).
import { beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../test/db.ts';
import { startScimmyServer } from '../../test/scimmy/harness.ts';
import { startHarness } from '../../test/provisioning.ts';
import { perSuite } from '../../test/suite.ts';
import { codeUnitOrder } from '../../test/order.ts';

describe.each(dialects)('provisioning to scimmy on %s', (dialect) => {
  // Opened in this order and closed in the reverse: the harness stops its workers before the server goes.
  const peer = perSuite(
    () => startScimmyServer({ users: 5 }),
    (server) => server.stop(),
  );
  const h = perSuite(() => startHarness(dialect));
  let appId: string;
  let groupId: string;
  const ids: Record<string, string> = {};
  const remoteOf = (userId: string): (Record<string, unknown> & { id: string; version: number }) | undefined => {
    const rec = [...peer.store.users.values()].find((r) => r.data.externalId === userId);
    return rec && { ...peer.store.user(rec.id), id: rec.id, version: rec.version };
  };

  beforeAll(async () => {
    // Already in the application, with another letter case everywhere (found only by reading the list).
    peer.store.saveUser(undefined, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'Dan.Remote@Example.test',
      emails: [{ value: 'Dan.Remote@Example.test', type: 'work', primary: true }],
      active: false,
    });
    const r = await h.t.admin({ method: 'POST', url: '/api/v1/applications', payload: { name: 'Scimmy App' } });
    appId = r.json().id;
    const put = await h.t.admin({
      method: 'PUT',
      url: `/api/v1/applications/${appId}/idm`,
      payload: {
        baseUrl: peer.baseUrl,
        auth: { type: 'bearer', token: peer.token },
        settings: { rateLimitPerSecond: 10_000, rateLimitBurst: 10_000, groupManagement: true },
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    for (const name of ['ada', 'bob'])
      ids[name] = await h.user(name, {
        email: `${name}@example.test`,
        jobTitle: 'Engineer',
        phoneNumbers: [{ type: 'work', number: '+1 555 0100' }],
      });
    ids.dan = await h.user('dan.remote@example.test', { email: 'dan.remote@example.test', firstname: 'Dan', lastname: 'Remote' });
    groupId = await h.group('Interop');
    for (const id of Object.values(ids)) await h.member(groupId, id);
  });

  it("creates the group's users and the group, and adopts the account that already existed", async () => {
    const s = await h.activateWith(appId, groupId);
    expect(s.failed.total).toBe(0);
    expect(remoteOf(ids.ada)).toMatchObject({ userName: 'ada', active: true, title: 'Engineer' });
    expect(remoteOf(ids.bob)).toMatchObject({ userName: 'bob', active: true });
    const dan = remoteOf(ids.dan);
    // userName only differs in letter case: equal for Roster (compared normalised), so left as it is.
    expect(dan).toMatchObject({
      userName: 'Dan.Remote@Example.test',
      externalId: ids.dan,
      active: true,
      name: { givenName: 'Dan', familyName: 'Remote' },
    });
    expect([...peer.store.users.values()].filter((u) => String(u.data.userName).toLowerCase() === 'dan.remote@example.test')).toHaveLength(
      1,
    );
    const group = peer.store
      .groupIds()
      .map((id) => peer.store.group(id))
      .find((g) => g?.displayName === 'Interop');
    const expected = [remoteOf(ids.ada)?.id, remoteOf(ids.bob)?.id, dan?.id].sort(codeUnitOrder);
    expect(peer.store.memberIds(group?.id as string).sort(codeUnitOrder)).toEqual(expected);
  });

  it('changes one attribute with one PATCH, and leaves unchanged users alone', async () => {
    const ada = remoteOf(ids.ada);
    const bob = remoteOf(ids.bob);
    await h.t.admin({ method: 'PATCH', url: `/api/v1/users/${ids.ada}`, payload: { jobTitle: 'Architect' } });
    await h.settle(appId);
    expect(remoteOf(ids.ada)).toMatchObject({ title: 'Architect', version: (ada?.version as number) + 1 });
    expect(remoteOf(ids.bob)?.version).toBe(bob?.version);
    await h.t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/sync` });
    await h.settle(appId);
    expect(remoteOf(ids.ada)?.version).toBe((ada?.version as number) + 1);
  });

  it('deactivates on unbind and suspension, reactivates on rebind, deactivates a deleted user', async () => {
    await h.unbind(appId, groupId);
    await h.settle(appId);
    for (const k of ['ada', 'bob', 'dan']) expect(remoteOf(ids[k])?.active, k).toBe(false);
    await h.bind(appId, groupId);
    await h.settle(appId);
    for (const k of ['ada', 'bob', 'dan']) expect(remoteOf(ids[k])?.active, k).toBe(true);
    await h.t.admin({ method: 'PATCH', url: `/api/v1/users/${ids.bob}`, payload: { state: 'SUSPENDED' } });
    await h.settle(appId);
    expect(remoteOf(ids.bob)?.active).toBe(false);
    const bobRemote = remoteOf(ids.bob)?.id as string;
    const group = peer.store
      .groupIds()
      .map((id) => peer.store.group(id))
      .find((g) => g?.displayName === 'Interop');
    expect(peer.store.memberIds(group?.id as string)).not.toContain(bobRemote);
    const adaRemote = remoteOf(ids.ada)?.id as string;
    await h.t.admin({ method: 'DELETE', url: `/api/v1/users/${ids.ada}` });
    const s = await h.settle(appId);
    expect(peer.store.user(adaRemote)).toMatchObject({ active: false });
    expect(s.failed.total).toBe(0);
  });

  it('recreates an account deleted in the application', async () => {
    const before = remoteOf(ids.dan)?.id as string;
    peer.store.deleteUser(before);
    await h.t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/sync` });
    await h.settle(appId);
    const after = remoteOf(ids.dan);
    expect(after?.id).toBeTruthy();
    expect(after?.id).not.toBe(before);
    const group = peer.store
      .groupIds()
      .map((id) => peer.store.group(id))
      .find((g) => g?.displayName === 'Interop');
    expect(peer.store.memberIds(group?.id as string)).toContain(after?.id);
  });
});
