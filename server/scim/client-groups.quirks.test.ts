// The real ScimClient against the project's test SCIM server, one quirk switch (or a realistic
// combination) at a time: deprovisioning (D), groups (G) and types, headers and errors (T) from
// SCIM-QUIRKS.md. Lookups and writes are in client.quirks.test.ts.
import { describe, expect, it } from 'vitest';
import { codeUnitOrder } from '../../test/order.ts';
import { ada, failure, quirksFixture, requestsFor } from '../../test/scim-quirks.ts';
import type { IdStyle, Quirks, RunningScimServer } from '../../test/scim-server/index.ts';
import { SCHEMAS, buildUserPatch, eq, fromScimUser, replaceOp, toScimUser, type ScimClientOptions, type ScimUser } from './index.ts';

const { setup, newClient, servers } = quirksFixture();

// ==================================================================== deprovisioning (D)

describe('deprovisioning', () => {
  it('D1 DELETE deactivates: the user is still there, inactive', async () => {
    const { scim, c } = await setup({ deleteDeactivates: true });
    const id = scim.store.listUsers()[0].id;
    await c.deleteUser(id);
    expect((await c.getUser(id)).active).toBe(false);
  });

  it('D2 deactivated users answer 404, yet still appear in lists', async () => {
    const { scim, c } = await setup({ deactivatedUsersNotFound: true });
    const id = scim.store.listUsers().find((u) => u.active !== false)?.id as string;
    await c.patchUser(id, [replaceOp('active', false)]);
    const err = await failure(c.getUser(id));
    expect(err.isNotFound).toBe(true);
    const listed = await c.listUsers().toArray();
    expect(listed.find((u) => u.id === id)?.active).toBe(false);
  });

  it('D3 recreate after delete is a 409 that no lookup can resolve: an orphaned account', async () => {
    const { c } = await setup({ recreateAfterDeleteConflicts: true });
    const created = await c.createUser(toScimUser(ada));
    await c.deleteUser(created.id as string);
    expect((await failure(c.getUser(created.id as string))).isNotFound).toBe(true);
    const err = await failure(c.createUser(toScimUser(ada)));
    expect(err).toMatchObject({ status: 409 });
    expect(err.isConflict).toBe(true);
    for (const [attribute, value] of [
      ['userName', ada.username],
      ['externalId', ada.id],
      ['email', ada.email],
    ] as const) {
      const lookup = await c.lookupUser(attribute, value as string, { fullScan: 'if-not-found' });
      expect(lookup).toMatchObject({ user: null, scannedAll: true });
    }
  });

  it('D4 DELETE unsupported: 405, deprovision by PATCH active=false', async () => {
    const { scim, c } = await setup({ deleteUnsupported: true });
    const id = scim.store.listUsers().find((u) => u.active !== false)?.id as string;
    expect((await failure(c.deleteUser(id))).status).toBe(405);
    await c.patchUser(id, buildUserPatch([], {}, { active: false }));
    expect(scim.store.getUser(id)?.active).toBe(false);
  });
});

// ==================================================================== groups (G)

describe('groups', () => {
  async function groupWithUsers(quirks: Partial<Quirks>, client: Partial<ScimClientOptions> = {}) {
    const ctx = await setup(quirks, client, { users: 250 });
    const group = await ctx.c.createGroup({ schemas: [SCHEMAS.group], displayName: 'Everyone' });
    return { ...ctx, group, userIds: ctx.scim.store.listUsers().map((u) => u.id) };
  }

  const memberOps = (scim: RunningScimServer) =>
    requestsFor(scim, 'PATCH', /\/Groups\//).map(
      (r) => (r.body as { Operations: Array<{ op: string; path?: string; value?: unknown[] }> }).Operations,
    );

  it('G1 at most 100 member changes per PATCH: adds and removes are chunked', async () => {
    const { scim, c, group, userIds } = await groupWithUsers({ maxMembersPerRequest: 100 });
    expect(await c.addGroupMembers(group.id as string, userIds.slice(0, 237))).toBe(3);
    expect(await c.removeGroupMembers(group.id as string, userIds.slice(0, 150))).toBe(2);
    for (const ops of memberOps(scim)) {
      const changes = ops.reduce((n, o) => n + (o.op === 'add' ? (o.value?.length ?? 0) : 1), 0);
      expect(changes).toBeLessThanOrEqual(100);
    }
    expect(
      scim.store
        .getGroup(group.id as string)
        ?.members?.map((m) => m.value)
        .sort(),
    ).toEqual(userIds.slice(150, 237).sort());
  });

  it('G1 a smaller per-target chunk size', async () => {
    const { scim, c, group, userIds } = await groupWithUsers({ maxMembersPerRequest: 10 }, { compat: { memberChunkSize: 10 } });
    expect(await c.addGroupMembers(group.id as string, userIds.slice(0, 35))).toBe(4);
    expect(scim.store.getGroup(group.id as string)?.members).toHaveLength(35);
  });

  it('G2 replace-all and remove-all refused: only add/remove deltas are sent', async () => {
    const { scim, c, group, userIds } = await groupWithUsers({ rejectMembersReplaceAll: true });
    await c.addGroupMembers(group.id as string, userIds.slice(0, 5));
    await c.removeGroupMembers(group.id as string, userIds.slice(0, 5));
    for (const op of memberOps(scim).flat()) {
      expect(op.op).not.toBe('replace');
      if (op.op === 'remove') expect(op.path).toMatch(/^members\[value eq ".+"\]$/);
    }
    expect(scim.store.getGroup(group.id as string)?.members ?? []).toEqual([]);
    expect(scim.stats().byStatus[400] ?? 0).toBe(0);
  });

  it('G3 payload size limit: a 413 is a clear error; smaller chunks pass', async () => {
    const { c, group, userIds } = await groupWithUsers({ maxPayloadBytes: 3000 });
    expect((await failure(c.addGroupMembers(group.id as string, userIds.slice(0, 100)))).status).toBe(413);
    const small = newClient(servers.at(-1)!, { compat: { memberChunkSize: 20 } });
    expect(await small.addGroupMembers(group.id as string, userIds.slice(0, 100))).toBe(5);
  });

  it('G4 unknown member ids: 400 invalidValue (or accepted where the server allows it)', async () => {
    const { scim, c, group } = await groupWithUsers({ unknownMembers: 'reject' });
    const err = await failure(c.addGroupMembers(group.id as string, ['does-not-exist']));
    expect(err).toMatchObject({ status: 400, scimType: 'invalidValue' });
    scim.setQuirks({ unknownMembers: 'accept' });
    await c.addGroupMembers(group.id as string, ['does-not-exist']);
    expect((await c.getGroup(group.id as string)).members?.map((m) => m.value)).toEqual(['does-not-exist']);
  });

  it('G5 nested groups refused: a 400 for a group member', async () => {
    const { c, group } = await groupWithUsers({ rejectNestedGroups: true });
    const other = await c.createGroup({ schemas: [SCHEMAS.group], displayName: 'Nested' });
    expect((await failure(c.addGroupMembers(group.id as string, [other.id as string]))).status).toBe(400);
  });

  it('G6 members absent for an empty group, G7 value-only member entries', async () => {
    const { c, group, userIds } = await groupWithUsers({ omitEmptyMembers: true, memberValueOnly: true });
    expect((await c.getGroup(group.id as string)).members).toBeUndefined();
    await c.addGroupMembers(group.id as string, userIds.slice(0, 2));
    const members = (await c.getGroup(group.id as string)).members ?? [];
    expect(members.map((m) => Object.keys(m))).toEqual([['value'], ['value']]);
  });

  it('G8 group displayName unique (case-insensitive): 409, then link by a displayName filter', async () => {
    const { c, group } = await groupWithUsers({ groupDisplayNameUnique: true });
    const err = await failure(c.createGroup({ schemas: [SCHEMAS.group], displayName: 'EVERYONE' }));
    expect(err.isConflict).toBe(true);
    const found = await c.listGroups({ filter: eq('displayName', 'Everyone') }).toArray();
    expect(found.map((g) => g.id)).toEqual([group.id]);
  });

  it('G9 no /Groups: listing fails with a 404, ResourceTypes tells it up front', async () => {
    const { c } = await setup({ groupsUnsupported: true });
    expect((await c.getResourceTypes()).map((r) => r.name)).toEqual(['User']);
    expect((await failure(c.listGroups().toArray())).status).toBe(404);
  });
});

// ==================================================================== types, headers, errors (T)

describe('types, headers and errors', () => {
  for (const errorStyle of ['rfc', 'integerStatus', 'scim11', 'noStatus'] as const) {
    it(`T1-T3 error bodies in ${errorStyle} style`, async () => {
      const { scim, c } = await setup({ errorStyle });
      const missing = await failure(c.getUser('no-such-user'));
      expect(missing).toMatchObject({ status: 404 });
      expect(missing.isNotFound).toBe(true);
      expect(missing.detail).toMatch(/not found/i);
      const taken = scim.store.listUsers()[0].userName;
      const conflict = await failure(c.createUser({ schemas: [SCHEMAS.user], userName: taken }));
      expect(conflict.status).toBe(409);
      expect(conflict.detail).toMatch(/already exists/);
    });
  }

  for (const type of ['text/html', 'application/json', 'text/plain; charset=utf-8']) {
    it(`T4 Content-Type ${type}`, async () => {
      const { scim, c } = await setup({ responseContentType: type });
      expect((await c.listUsers().toArray()).length).toBe(60);
      expect((await c.getUser(scim.store.listUsers()[0].id)).userName).toBe(scim.store.listUsers()[0].userName);
      expect((await failure(c.getUser('missing'))).status).toBe(404);
      const accept = scim.requests[0].headers.accept;
      expect(accept).toContain('application/scim+json');
      expect(accept).toContain('application/json');
    });
  }

  it('T5 DELETE with Accept refused: retried without it, then remembered', async () => {
    const { scim, c } = await setup({ deleteRejectsAcceptHeader: true });
    const [a, b] = scim.store.listUsers();
    await c.deleteUser(a.id);
    await c.deleteUser(b.id);
    const deletes = requestsFor(scim, 'DELETE');
    expect(deletes.map((d) => [d.status, d.headers.accept !== undefined])).toEqual([
      [400, true],
      [204, false],
      [204, false],
    ]);
    expect(scim.store.getUser(a.id)).toBeUndefined();
    expect(scim.store.getUser(b.id)).toBeUndefined();
  });

  it('T6 unknown ids answer 400: mapped to 404 when the target is known to do it', async () => {
    const { scim } = await setup({ notFoundAs400: true });
    const plain = newClient(scim);
    const entra = newClient(scim, { compat: { notFoundOn400: true } });
    expect((await failure(plain.getUser('missing'))).status).toBe(400);
    expect((await failure(entra.getUser('missing'))).isNotFound).toBe(true);
  });

  it('T7 stack traces in 500 bodies never reach the message', async () => {
    const { scim, c } = await setup({ stackTraces: true, faults: [{ kind: 'status500', path: '/Users/' }] });
    const err = await failure(c.getUser(scim.store.listUsers()[0].id));
    expect(err.status).toBe(500);
    expect(err.message).not.toMatch(/Traceback|File "|line \d+|\bat [\w.<>]+ \(/);
    expect(err.detail.length).toBeLessThanOrEqual(300);
    // An idempotent GET was retried (max 3), then given up.
    expect(requestsFor(scim, 'GET', /\/Users\//)).toHaveLength(4);
  });

  it('T8 empty 404s for unknown endpoints: a plain 404 error', async () => {
    const { scim } = await setup({ unsupportedEndpointsEmpty404: true });
    const wrong = newClient(scim, { baseUrl: `${scim.url}/not-scim` });
    const err = await failure(wrong.getServiceProviderConfig());
    expect(err.status).toBe(404);
    expect(err.detail).toBe('the resource was not found');
  });

  for (const idStyle of ['uuid', 'hex32', 'aws', 'unusual'] as const satisfies readonly IdStyle[]) {
    it(`T9 ${idStyle} ids are opaque and URL-encoded`, async () => {
      const { scim, c } = await setup({ idStyle }, {}, { users: 40 });
      const ids = (await c.listUsers({ pageSize: 15 }).toArray()).map((u) => u.id as string);
      expect(ids.sort()).toEqual(
        scim.store
          .listUsers()
          .map((u) => u.id)
          .sort(),
      );
      const id = ids[0];
      expect((await c.getUser(id)).id).toBe(id);
      await c.patchUser(id, [replaceOp('title', 'Encoded')]);
      const created = await c.createUser(toScimUser(ada));
      await c.deleteUser(created.id as string);
      await c.deleteUser(id);
      expect(scim.store.getUser(id)).toBeUndefined();
      for (const r of scim.requests.filter((x) => /\/Users\/./.test(x.path))) expect(r.status).toBeLessThan(300);
      if (idStyle === 'unusual') {
        expect(id).toMatch(/&.* .*\+/);
        expect(
          scim.requests.some((r) => r.path === `/scim/v2/Users/${id.replace('&', '%26').replace(' ', '%20').replace('+', '%2B')}`),
        ).toBe(true);
      }
    });
  }

  for (const timestampStyle of ['offset', 'noMillis', 'micros'] as const) {
    it(`T10 ${timestampStyle} timestamps become UTC instants`, async () => {
      const { scim, c } = await setup({ timestampStyle });
      const stored = scim.store.listUsers()[0];
      const u = await c.getUser(stored.id);
      expect(u.meta?.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Math.abs(Date.parse(u.meta?.created as string) - Date.parse(stored.meta.created))).toBeLessThan(1000);
    });
  }

  it('T11 vendor extension blocks survive read-modify-write untouched', async () => {
    const zoom = 'urn:ietf:params:scim:schemas:extension:zoom:1.0:User';
    const { scim, c } = await setup({ vendorExtension: true });
    const current = await c.getUser(scim.store.listUsers()[0].id);
    expect(current[zoom]).toMatchObject({ loginType: 'true' });
    await c.replaceUser(current.id as string, { ...current, title: 'With Zoom' });
    const sent = requestsFor(scim, 'PUT')[0].body as Record<string, unknown>;
    expect(sent[zoom]).toEqual(current[zoom]);
    expect(sent.schemas).toContain(zoom);
    expect(sent.meta).toBeUndefined();
  });

  it('T13 projections without schemas or meta', async () => {
    const { scim, c } = await setup({ projectionDropsSchemasMeta: true });
    const users = await c.listUsers({ attributes: ['userName'] }).toArray();
    expect(users.map((u) => u.id).sort(codeUnitOrder)).toEqual(
      scim.store
        .listUsers()
        .map((u) => u.id)
        .sort(),
    );
    expect(users.every((u) => u.schemas.length === 0 && u.meta === undefined && typeof u.userName === 'string')).toBe(true);
    expect(fromScimUser(users[0] as ScimUser).username).toBe(users[0].userName);
  });
});
