// The real ScimClient against a third-party SCIM service provider: npm scimmy 1.3.5 behind
// scimmy-routers 1.3.2 (test/scimmy/harness.ts). Its documented deviations (P4 past-the-end
// page 1, P11 itemsPerPage echo, F3 case-sensitive userName, F5 extension filters matching
// nothing, C1 no Location, C5 204 on no-op PATCH, C9 strict types, T13 projections without
// schemas/meta) are what the client has to cope with here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScimmyServer, type RunningScimmyServer } from '../../test/scimmy/harness.ts';
import { TEST_NETWORK } from '../../test/network.ts';
import { ada, failure } from '../../test/scim-quirks.ts';
import {
  ENTERPRISE_USER,
  SCHEMAS,
  ScimClient,
  buildUserPatch,
  diffDirectoryAttributes,
  eq,
  fromScimUser,
  replaceOp,
  toScimUser,
  type DirectoryUserForScim,
  type ScimClientOptions,
} from './index.ts';

// scimmy wraps every stored user in a schema instance on every list request, so lists cost
// O(all users) per page: 150 users keep this file quick while still spanning several pages.
const USERS = 150;
let peer: RunningScimmyServer;
let client: ScimClient;
const extraClients: ScimClient[] = [];

const OPTIONS: Partial<ScimClientOptions> = { retries: { max: 2, baseDelayMs: 1, maxDelayMs: 20 }, rateLimit: null, timeoutMs: 5_000 };

function newClient(options: Partial<ScimClientOptions> = {}): ScimClient {
  const c = new ScimClient({
    baseUrl: peer.baseUrl,
    auth: { type: 'bearer', token: peer.token },
    network: TEST_NETWORK,
    ...OPTIONS,
    ...options,
  });
  extraClients.push(c);
  return c;
}

beforeAll(async () => {
  peer = await startScimmyServer({ users: USERS, groups: 4 });
  client = new ScimClient({ baseUrl: peer.baseUrl, auth: { type: 'bearer', token: peer.token }, network: TEST_NETWORK, ...OPTIONS });
});

afterAll(async () => {
  await Promise.all([client, ...extraClients].map((c) => c.close()));
  await peer.stop();
});

const sorted = (ids: Array<string | undefined>) => [...ids].map(String).sort();

describe('discovery', () => {
  it('reads ServiceProviderConfig, ResourceTypes and Schemas', async () => {
    const spc = await client.getServiceProviderConfig();
    expect(spc.patch.supported).toBe(true);
    expect(spc.filter).toMatchObject({ supported: true, maxResults: 200 });
    expect(spc.authenticationSchemes.map((s) => s.type)).toEqual(['oauthbearertoken']);
    // No RFC 9865 pagination block: the client pages by index.
    expect(spc.pagination).toBeUndefined();

    const types = await client.getResourceTypes();
    expect(types.map((t) => t.name).sort()).toEqual(['Group', 'User']);
    const user = types.find((t) => t.name === 'User');
    expect(user).toMatchObject({ endpoint: '/Users', schema: SCHEMAS.user });
    expect(user?.schemaExtensions).toEqual([{ schema: ENTERPRISE_USER, required: false }]);

    const schemas = await client.getSchemas();
    expect(schemas.map((s) => s.id)).toEqual(expect.arrayContaining([SCHEMAS.user, SCHEMAS.group, ENTERPRISE_USER]));
    const userName = schemas.find((s) => s.id === SCHEMAS.user)?.attributes.find((a) => a.name === 'userName');
    expect(userName).toMatchObject({ required: true, uniqueness: 'server' });
    const emailType = schemas
      .find((s) => s.id === SCHEMAS.user)
      ?.attributes.find((a) => a.name === 'emails')
      ?.subAttributes?.find((a) => a.name === 'type');
    expect(emailType?.canonicalValues).toEqual(['work', 'home', 'other']);
  });
});

describe('listing', () => {
  for (const pageSize of [40, 100, 149]) {
    it(`lists every user exactly once with ${pageSize} per page (P4 past the end, P11)`, async () => {
      const listing = newClient().listUsers({ pageSize });
      const ids = (await listing.toArray()).map((u) => u.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(sorted(ids)).toEqual(sorted(peer.store.userIds()));
      expect(listing.stats.pages).toBeGreaterThan(1);
      // scimmy answers page 1 again past the end (P4): the engine stops on a page without new ids.
      expect(listing.stats.stopReason).toBe('no-new-ids');
      expect(listing.stats.requests).toBeLessThanOrEqual(Math.ceil(USERS / pageSize) + 2);
    });
  }

  it('lists with a filter and a projection without schemas/meta (T13)', async () => {
    const active = await client.listUsers({ filter: eq('active', true), pageSize: 30 }).toArray();
    const expected = peer.store.userIds().filter((id) => peer.store.user(id)?.active === true);
    expect(sorted(active.map((u) => u.id))).toEqual(sorted(expected));

    const projected = await client.listUsers({ attributes: ['userName'], pageSize: 70 }).toArray();
    expect(sorted(projected.map((u) => u.id))).toEqual(sorted(peer.store.userIds()));
    expect(projected.every((u) => u.schemas.length === 0 && u.meta === undefined && typeof u.userName === 'string')).toBe(true);
  });

  it('F5 extension-attribute filters silently match nothing: an empty answer is no proof of absence', async () => {
    const department = `${ENTERPRISE_USER}:department`;
    const inSales = peer.store
      .userIds()
      .filter((id) => (peer.store.user(id)?.[ENTERPRISE_USER] as { department?: string } | undefined)?.department === 'Sales');
    expect(inSales.length).toBeGreaterThan(0);
    expect(await client.listUsers({ filter: eq(department, 'Sales') }).toArray()).toEqual([]);
    // The client's own lookups use core attributes only, which scimmy filters correctly.
    const someone = peer.store.user(inSales[0]);
    expect((await client.lookupUser('externalId', String(someone?.externalId))).user?.id).toBe(inSales[0]);
  });

  it('lists groups without members (P18) and reads a group with its members', async () => {
    const groups = await client.listGroups({ pageSize: 3 }).toArray();
    expect(sorted(groups.map((g) => g.id))).toEqual(sorted(peer.store.groupIds()));
    expect(groups.every((g) => g.members === undefined)).toBe(true);
    const one = await client.getGroup(groups[0].id as string);
    expect(sorted((one.members ?? []).map((m) => m.value))).toEqual(sorted(peer.store.memberIds(groups[0].id as string)));
  });
});

describe('users', () => {
  const desired: DirectoryUserForScim = {
    ...ada,
    id: 'roster-interop-1',
    username: 'ada.lovelace@example.test',
    email: 'ada.lovelace@example.test',
    employeeIdentifier: 'E-1815',
    addresses: [{ type: 'work', streetAddress: '12 St James Sq', locality: 'London', region: '', postalCode: 'SW1Y 4JH', country: 'GB' }],
  };

  it('creates (no Location, C1), gets, patches, replaces, looks up and deletes a user', async () => {
    const created = await client.createUser(toScimUser(desired));
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(peer.store.user(created.id as string)?.userName).toBe(desired.username);
    // meta.location is relative on scimmy; the client never uses it.
    expect(created.meta?.location).toBe(`/scim/v2/Users/${created.id}`);
    const id = created.id as string;

    const fetched = await client.getUser(id);
    expect(diffDirectoryAttributes(desired, fromScimUser(fetched))).toEqual([]);

    // PATCH: name, email and active, computed from a diff against what scimmy has.
    const next = { ...desired, firstname: 'Augusta Ada', lastname: 'King', email: 'ada.king@example.test' };
    const changed = diffDirectoryAttributes(next, fromScimUser(fetched));
    expect(changed.sort()).toEqual(['email', 'firstname', 'lastname']);
    const patched = await client.patchUser(id, buildUserPatch(changed, next, { current: fetched, active: false }));
    expect(patched).toMatchObject({ id, active: false, name: { givenName: 'Augusta Ada', familyName: 'King' } });
    expect(patched?.emails).toEqual([{ value: 'ada.king@example.test', type: 'work', primary: true }]);
    expect(diffDirectoryAttributes(next, fromScimUser(await client.getUser(id)))).toEqual([]);

    // The same PATCH again changes nothing: scimmy answers 204 (C5).
    expect(await client.patchUser(id, [replaceOp('active', false)])).toBeUndefined();
    expect(await client.patchUser(id, [replaceOp('active', false)], { returnResource: true })).toMatchObject({ id, active: false });

    // PUT replaces (C7): read-modify-write keeps everything else.
    const current = await client.getUser(id);
    const replaced = await client.replaceUser(id, { ...current, title: 'Countess', active: true });
    expect(replaced).toMatchObject({ id, title: 'Countess', active: true });
    expect(fromScimUser(replaced)).toEqual({ ...fromScimUser(current), jobTitle: 'Countess' });

    expect((await client.lookupUser('userName', 'ada.lovelace@example.test')).user?.id).toBe(id);
    expect((await client.lookupUser('externalId', desired.id)).user?.id).toBe(id);
    expect(await client.lookupUser('email', 'ada.king@example.test')).toMatchObject({ via: 'filter', user: { id } });

    await client.deleteUser(id);
    expect((await failure(client.getUser(id))).isNotFound).toBe(true);
    expect((await failure(client.deleteUser(id))).isNotFound).toBe(true);
    expect(peer.store.user(id)).toBeUndefined();
  });

  it('F3 case-sensitive userName filter: a 409 on create, then the scan links the user', async () => {
    const mixed = peer.store
      .userIds()
      .map((id) => peer.store.user(id))
      .find((u) => String(u?.userName) !== String(u?.userName).toLowerCase());
    const userName = String(mixed?.userName);
    expect((await client.lookupUser('userName', userName)).user?.id).toBe(mixed?.id);
    const lower = userName.toLowerCase();
    expect(await client.lookupUser('userName', lower)).toMatchObject({ user: null, filterUsable: true, scannedAll: false });
    const conflict = await failure(client.createUser({ schemas: [SCHEMAS.user], userName: lower }));
    expect(conflict).toMatchObject({ status: 409, scimType: 'uniqueness' });
    expect(await client.lookupUser('userName', lower, { fullScan: 'if-not-found' })).toMatchObject({
      via: 'scan',
      user: { id: mixed?.id },
    });
  });

  it('C8/C9 strict types: canonical values and JSON booleans pass, others are clear 400s', async () => {
    const bad = await failure(
      client.createUser({
        schemas: [SCHEMAS.user],
        userName: 'office.type@example.test',
        emails: [{ value: 'office.type@example.test', type: 'office' }],
      }),
    );
    expect(bad).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(bad.detail).toMatch(/office|canonical/i);
    const stringBool = await failure(
      client.createUser({ schemas: [SCHEMAS.user], userName: 'string.bool@example.test', active: 'true' as unknown as boolean }),
    );
    expect(stringBool).toMatchObject({ status: 400, scimType: 'invalidValue' });
    const ok = await client.createUser(
      toScimUser({
        id: 'roster-types',
        state: 'SUSPENDED',
        username: 'types@example.test',
        email: 'types@example.test',
        phoneNumbers: [{ type: 'home', number: '+1 555 0100' }],
      }),
    );
    expect(ok).toMatchObject({ active: false, phoneNumbers: [{ value: '+1 555 0100', type: 'home' }] });
    await client.deleteUser(ok.id as string);
  });

  it('errors: unknown id 404, invalid filter 400 invalidFilter, wrong token 401', async () => {
    expect((await failure(client.getUser('no-such-id'))).status).toBe(404);
    const invalid = await failure(client.listUsers({ filter: 'userName eqq "x"' }).toArray());
    expect(invalid).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    const intruder = newClient({ auth: { type: 'bearer', token: 'wrong-token' } });
    const denied = await failure(intruder.getUser(peer.store.userIds()[0]));
    expect(denied.status).toBe(401);
    expect(denied.message).not.toContain('wrong-token');
  });
});

describe('groups', () => {
  it('creates a group, adds and removes members in chunks, replaces, finds and deletes it', async () => {
    const chunked = newClient({ compat: { memberChunkSize: 50 } });
    const group = await chunked.createGroup({ schemas: [SCHEMAS.group], displayName: 'Interop Everyone', externalId: 'roster-g-1' });
    const id = group.id as string;
    expect(group.members ?? []).toEqual([]);

    const userIds = peer.store.userIds();
    expect(await chunked.addGroupMembers(id, userIds.slice(0, 130))).toBe(3);
    expect(sorted(peer.store.memberIds(id))).toEqual(sorted(userIds.slice(0, 130)));
    expect(await chunked.removeGroupMembers(id, userIds.slice(0, 70))).toBe(2);
    const fetched = await chunked.getGroup(id);
    expect(sorted((fetched.members ?? []).map((m) => m.value))).toEqual(sorted(userIds.slice(70, 130)));
    // Adding members already there is harmless (a set).
    await chunked.addGroupMembers(id, userIds.slice(70, 75));
    expect(peer.store.memberIds(id)).toHaveLength(60);

    // G4: scimmy's host refuses unknown member ids.
    expect(await failure(chunked.addGroupMembers(id, ['does-not-exist']))).toMatchObject({ status: 400, scimType: 'invalidValue' });

    const renamed = await chunked.replaceGroup(id, { ...fetched, displayName: 'Interop All' });
    expect(renamed.displayName).toBe('Interop All');
    expect(peer.store.memberIds(id)).toHaveLength(60);

    const found = await chunked.listGroups({ filter: eq('displayName', 'Interop All') }).toArray();
    expect(found.map((g) => g.id)).toEqual([id]);
    const byMember = await chunked.listGroups({ filter: eq('members.value', userIds[100]) }).toArray();
    expect(byMember.map((g) => g.id)).toContain(id);

    await chunked.patchGroup(id, [replaceOp('displayName', 'Interop Renamed')]);
    expect(peer.store.group(id)?.displayName).toBe('Interop Renamed');

    await chunked.deleteGroup(id);
    expect((await failure(chunked.getGroup(id))).isNotFound).toBe(true);
  });

  it('deleting a user removes it from its groups', async () => {
    const user = await client.createUser(
      toScimUser({ id: 'roster-member', state: 'ACTIVE', username: 'member@example.test', email: 'member@example.test' }),
    );
    const group = await client.createGroup({ schemas: [SCHEMAS.group], displayName: 'Short-lived', members: [{ value: user.id }] });
    expect((await client.getUser(user.id as string)).groups?.map((g) => g.value)).toEqual([group.id]);
    await client.deleteUser(user.id as string);
    expect((await client.getGroup(group.id as string)).members).toEqual([]);
    await client.deleteGroup(group.id as string);
  });
});
