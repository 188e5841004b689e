// Roster as the hub: what a SCIM source changes reaches the applications the user is in through bound
// groups, exactly as an admin's change would (real provisioning workers, the test SCIM server as the
// application, both databases).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../test/db.ts';
import { eventually, SCIM_TOKEN } from '../../test/idm.ts';
import { type Harness, startHarness } from '../../test/provisioning.ts';
import { createSource, GROUP_SCHEMA, PATCH_OP, scimUser, type TestSource } from '../../test/scim-inbound.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';

describe.each(dialects)('a SCIM source provisions through Roster to an application on %s', (dialect) => {
  let h: Harness;
  let app: RunningScimServer;
  let appId: string;
  let source: TestSource;

  beforeAll(async () => {
    h = await startHarness(dialect);
    app = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN } });
    appId = await h.connect(app, 'Downstream App');
    source = await createSource(h.t, 'HR system');
  });
  afterAll(async () => {
    await h?.close();
    await app?.stop();
  });

  const remote = (userName: string) => {
    const slot = app.store.findUserSlotByUserName(userName);
    return slot === undefined ? undefined : app.store.userAt(slot);
  };

  it('creates, updates and deprovisions downstream what the source creates, changes and deletes', async () => {
    const created = await source.scim('POST', '/Users', scimUser('hub.user', { title: 'Analyst' }));
    expect(created.statusCode, created.body).toBe(201);
    const userId = created.json().id as string;
    const group = await source.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Finance' });
    expect(group.statusCode, group.body).toBe(201);
    const groupId = group.json().id as string;
    await h.activateWith(appId, groupId);
    expect(remote('hub.user')).toBeUndefined();

    // The source puts him in the bound group: he is created in the application.
    const add = await source.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }],
    });
    expect(add.statusCode, add.body).toBe(200);
    await h.settle(appId);
    const pushed = await eventually(async () => remote('hub.user'), 10_000, 'the user in the application');
    expect(pushed.data).toMatchObject({ userName: 'hub.user', title: 'Analyst' });

    // The source changes his title: the application gets it.
    const patch = await source.scim('PATCH', `/Users/${userId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'title', value: 'Controller' }],
    });
    expect(patch.statusCode, patch.body).toBe(200);
    await h.settle(appId);
    expect(remote('hub.user')?.data).toMatchObject({ title: 'Controller' });

    // The source deletes him (onDelete suspend): he is SUSPENDED in Roster and deprovisioned downstream.
    expect((await source.scim('DELETE', `/Users/${userId}`)).statusCode).toBe(204);
    await h.settle(appId);
    const after = remote('hub.user');
    expect(after === undefined || (after.data as { active?: boolean }).active === false).toBe(true);
    const events = await h.events(appId);
    expect(events.length).toBeGreaterThan(0);
  });
});
