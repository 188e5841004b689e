// Provisioning against servers with the quirks of SCIM-QUIRKS.md that matter for writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../test/db.ts';
import { SCIM_TOKEN } from '../../test/idm.ts';
import { type Quirks, type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { type Harness, startHarness, writes } from '../../test/provisioning.ts';

describe.each(dialects)('provisioning quirks on %s', (dialect) => {
  let h: Harness;
  const servers: RunningScimServer[] = [];
  let n = 0;

  /** A fresh application on its own test server, with a bound group holding the given users. */
  const setup = async (quirks: Partial<Quirks>, settings: Record<string, unknown> = {}, users: string[] = []) => {
    const scim = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN }, quirks });
    servers.push(scim);
    const appId = await h.connect(scim, `Quirks App ${++n}`, settings);
    const groupId = await h.group(`Quirks Group ${n}`);
    for (const id of users) await h.member(groupId, id);
    await h.bind(appId, groupId);
    return { scim, appId, groupId };
  };

  beforeAll(async () => {
    h = await startHarness(dialect);
  });
  afterAll(async () => {
    await h?.close();
    for (const s of servers) await s.stop();
  });

  it('adopts an account that already exists (409), found although the server compares userName case-sensitively', async () => {
    const dan = await h.user('dan.remote', { email: 'dan@corp.example', firstname: 'Dan', lastname: 'Remote' });
    const { scim, appId } = await setup({ userNameCaseExact: true }, {}, [dan]);
    const existing = scim.store.addUser({
      userName: 'Dan.Remote',
      emails: [{ value: 'DAN@corp.example', type: 'work', primary: true }],
      name: { givenName: 'Daniel' },
      active: false,
    });
    await h.activate(appId);
    await h.settle(appId);
    const all = scim.store.listUsers();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: existing.id, externalId: dan, active: true, name: { givenName: 'Dan', familyName: 'Remote' } });
    expect(scim.requests.some((r) => r.method === 'POST' && r.status === 409)).toBe(true);
    const ev = (await h.events(appId, 'user_create_provision'))[0];
    expect(ev).toMatchObject({ success: true, resource: { id: dan }, changes: { adopted: true, remoteId: existing.id } });
    const link = await h.t.database.db
      .selectFrom('app_user_links')
      .selectAll()
      .where('application_id', '=', appId)
      .executeTakeFirstOrThrow();
    expect(link).toMatchObject({ user_id: dan, remote_id: existing.id, origin: 'provision' });
  });

  it('records an orphaned account instead of looping when a re-create conflicts and no lookup finds him (D3)', async () => {
    const olga = await h.user('olga');
    const { scim, appId, groupId } = await setup({ recreateAfterDeleteConflicts: true }, { deprovision: 'delete' }, [olga]);
    await h.activate(appId);
    await h.settle(appId);
    expect(scim.store.userCount()).toBe(1);
    await h.unmember(groupId, olga);
    await h.settle(appId);
    expect(scim.store.userCount()).toBe(0);
    expect((await h.events(appId, 'user_delete_provision'))[0]).toMatchObject({ success: true, resource: { id: olga } });
    await h.member(groupId, olga);
    const s = await h.settle(appId);
    expect(s.failed.items).toEqual([
      expect.objectContaining({ type: 'user', id: olga, status: 'orphaned', error: expect.stringMatching(/Orphaned account/) }),
    ]);
    const failure = (await h.events(appId, 'user_create_provision'))[0];
    expect(failure).toMatchObject({ success: false, resource: { id: olga } });
    expect(failure.message).toMatch(/Orphaned account/);
    // Later syncs do not try again on their own.
    scim.clearRequests();
    await h.t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/sync` });
    await h.settle(appId);
    expect(scim.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('does not update endlessly when the server rewrites values (C18)', async () => {
    const nina = await h.user('Nina.Norm', { email: 'Nina.Norm@Example.COM', displayname: '', middlename: 'Q' });
    const { scim, appId } = await setup({ normalizeValues: true }, {}, [nina]);
    await h.activate(appId);
    await h.settle(appId);
    const [u] = scim.store.listUsers();
    expect(u.emails?.[0]?.value).toBe('nina.norm@example.com');
    expect(u.displayName).toBeTruthy();
    scim.clearRequests();
    for (let i = 0; i < 2; i++) {
      await h.t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/sync` });
      await h.settle(appId);
    }
    expect(writes(scim)).toHaveLength(0);
  });

  it('updates with PUT of the whole resource when the server refuses PATCH, and remembers it', async () => {
    const pia = await h.user('pia', { jobTitle: 'Analyst' });
    const { scim, appId } = await setup({ faults: [{ kind: 'status', status: 405, method: 'PATCH', path: '/Users' }] }, {}, [pia]);
    await h.activate(appId);
    await h.settle(appId);
    const id = scim.store.listUsers()[0].id as string;
    scim.store.updateUser(id, { nickName: 'kept' });
    await h.t.admin({ method: 'PATCH', url: `/api/v1/users/${pia}`, payload: { jobTitle: 'Lead' } });
    await h.settle(appId);
    expect(scim.store.getUser(id)).toMatchObject({ title: 'Lead', nickName: 'kept', userName: 'pia', active: true });
    scim.clearRequests();
    await h.t.admin({ method: 'PATCH', url: `/api/v1/users/${pia}`, payload: { jobTitle: 'Head' } });
    await h.settle(appId);
    expect(writes(scim).map((r) => r.method)).toEqual(['PUT']);
    expect(scim.store.getUser(id)).toMatchObject({ title: 'Head', nickName: 'kept' });
  });

  it('works with a server that answers PATCH with 204 and no body (C5)', async () => {
    const quinn = await h.user('quinn');
    const { scim, appId } = await setup({ patchResponse: 'noContent' }, {}, [quinn]);
    await h.activate(appId);
    await h.settle(appId);
    await h.t.admin({ method: 'PATCH', url: `/api/v1/users/${quinn}`, payload: { lastname: 'Quincy' } });
    const s = await h.settle(appId);
    expect(s.failed.total).toBe(0);
    expect(scim.store.listUsers()[0]).toMatchObject({ name: { familyName: 'Quincy' } });
    expect(scim.requests.filter((r) => r.method === 'PATCH').every((r) => r.status === 204)).toBe(true);
  });

  it('keeps going past a failing user, shows the failure and retries it on a later sync', async () => {
    const ok1 = await h.user('rita');
    const bad = await h.user('sam');
    const ok2 = await h.user('tom');
    const { scim, appId } = await setup(
      { faults: [{ kind: 'status', status: 400, method: 'POST', path: '/Users', first: 1 }] },
      { concurrency: 1 },
      [ok1, bad, ok2],
    );
    await h.activate(appId);
    const s = await h.settle(appId);
    expect(scim.store.userCount()).toBe(2);
    expect(s.failed.items).toHaveLength(1);
    expect(s.failed.items[0]).toMatchObject({
      type: 'user',
      status: 'failed',
      operation: 'create',
      attempts: 1,
      error: expect.stringMatching(/400/),
    });
    expect(s.lastSync?.counts).toMatchObject({ created: 2, failed: 1 });
    await h.t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/sync` });
    const after = await h.settle(appId);
    expect(scim.store.userCount()).toBe(3);
    expect(after.failed.total).toBe(0);
  });
});
