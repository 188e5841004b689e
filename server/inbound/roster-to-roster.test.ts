// End to end over real HTTP: one Roster's application points its outbound SCIM client (the one imports
// and provisioning use) at another Roster's inbound endpoint. It imports the users the second Roster
// holds, and provisions, updates and deprovisions its own users there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { eventually } from '../../test/idm.ts';
import { type Harness, startHarness } from '../../test/provisioning.ts';
import { createSource, scimUser, type TestSource } from '../../test/scim-inbound.ts';

describe.each(dialects)('Roster provisions into Roster over SCIM on %s', (dialect) => {
  let hub: TestApp;
  let source: TestSource;
  let spoke: Harness;
  let appId: string;

  beforeAll(async () => {
    hub = await createTestApp(dialect);
    await hub.app.listen({ host: '127.0.0.1', port: 0 });
    const address = hub.app.server.address();
    if (!address || typeof address === 'string') throw new Error('the hub is not listening');
    source = await createSource(hub, 'The other Roster', { onDelete: 'suspend' });
    for (const name of ['hub.ada', 'hub.bob']) expect((await source.scim('POST', '/Users', scimUser(name))).statusCode).toBe(201);

    spoke = await startHarness(dialect);
    const app = await spoke.t.admin({ method: 'POST', url: '/api/v1/applications', payload: { name: 'Hub Roster' } });
    appId = app.json().id;
    const put = await spoke.t.admin({
      method: 'PUT',
      url: `/api/v1/applications/${appId}/idm`,
      payload: {
        baseUrl: `http://127.0.0.1:${address.port}/scim/v2`,
        auth: { type: 'bearer', token: source.token },
        settings: { rateLimitPerSecond: 1000, rateLimitBurst: 1000 },
      },
    });
    expect(put.statusCode, put.body).toBe(200);
  });
  afterAll(async () => {
    await spoke?.close();
    await hub?.close();
  });

  it('passes the connection test against Roster’s own endpoint', async () => {
    const r = await spoke.t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/test` });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().ok, r.body).toBe(true);
  });

  it('imports the users of the other Roster', async () => {
    const preview = await spoke.t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/import/users?limit=100` });
    expect(preview.statusCode, preview.body).toBe(200);
    const items = preview.json().items as Array<{ remoteId: string; userName: string; status: string }>;
    expect(items.map((i) => i.userName).sort()).toEqual(['hub.ada', 'hub.bob']);
    const r = await spoke.t.admin({
      method: 'POST',
      url: `/api/v1/applications/${appId}/import/jobs`,
      payload: { remoteIds: items.map((i) => i.remoteId) },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().run).toMatchObject({ status: 'completed', created: 2 });
    const users = (await spoke.t.admin({ method: 'GET', url: '/api/v1/users?q=hub.' })).json();
    expect(users.items.map((u: { username: string }) => u.username).sort()).toEqual(['hub.ada', 'hub.bob']);
  });

  it('provisions, updates and deprovisions its own users into the other Roster', async () => {
    const userId = await spoke.user('spoke.cy', { jobTitle: 'Designer' });
    const groupId = await spoke.group('Hub users');
    await spoke.member(groupId, userId);
    await spoke.activateWith(appId, groupId);
    const inHub = async (filter: string) =>
      (await source.scim('GET', `/Users?filter=${encodeURIComponent(filter)}`)).json() as {
        totalResults: number;
        Resources: Array<Record<string, unknown>>;
      };
    const pushed = await eventually(async () =>
      (await inHub('userName eq "spoke.cy"')).totalResults === 1 ? inHub('userName eq "spoke.cy"') : undefined,
    );
    expect(pushed.Resources[0]).toMatchObject({ userName: 'spoke.cy', title: 'Designer', active: true });
    const hubUser = (await hub.admin({ method: 'GET', url: `/api/v1/users/${pushed.Resources[0].id}` })).json();
    expect(hubUser.source).toEqual({ type: 'scim', sourceId: source.id });

    await spoke.t.admin({ method: 'PATCH', url: `/api/v1/users/${userId}`, payload: { jobTitle: 'Lead Designer' } });
    await spoke.settle(appId);
    await eventually(async () => ((await inHub('userName eq "spoke.cy"')).Resources[0]?.title === 'Lead Designer' ? true : undefined));

    await spoke.unmember(groupId, userId);
    await spoke.settle(appId);
    await eventually(async () => {
      const u = (await hub.admin({ method: 'GET', url: `/api/v1/users/${hubUser.id}` })).json();
      return u.state === 'SUSPENDED' ? u : undefined;
    });
  });
});
