// The real ScimClient against the project's test SCIM server, one quirk switch (or a realistic
// combination) at a time: lookups (F), writes (C), deprovisioning (D), groups (G) and types,
// headers and errors (T) from SCIM-QUIRKS.md. Listing quirks live in client-paging.quirks.test.ts,
// transport faults and rate limits in client-transport.quirks.test.ts.
import { describe, expect, it } from 'vitest';
import { scimClientFixture } from '../../test/scim-client.ts';
import type { IdStyle, Quirks, RunningScimServer, ScimUserJson } from '../../test/scim-server/index.ts';
import {
  ScimError,
  SCHEMAS,
  buildUserPatch,
  diffDirectoryAttributes,
  eq,
  fromScimUser,
  normalizeForCompare,
  replaceOp,
  toScimUser,
  type DirectoryUserForScim,
  type ScimClientOptions,
  type ScimUser,
} from './index.ts';

const TOKEN = 'client-quirks-token';
const FAST: Partial<ScimClientOptions> = {
  retries: { max: 3, baseDelayMs: 1, maxDelayMs: 20 },
  rateLimit: null,
  timeoutMs: 3_000,
  paging: { pageSize: 50 },
};

const { setup, newClient, servers } = scimClientFixture({ token: TOKEN, server: { users: 60, seed: 3 }, client: FAST });

async function failure(p: Promise<unknown>): Promise<ScimError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ScimError) return err;
    throw err;
  }
  throw new Error('expected a ScimError');
}

const requestsFor = (scim: RunningScimServer, method: string, path?: RegExp) =>
  scim.requests.filter((r) => r.method === method && (!path || path.test(r.path)));

const ada: DirectoryUserForScim = {
  id: 'roster-ada',
  state: 'ACTIVE',
  username: 'ada.lovelace@example.com',
  email: 'ada.lovelace@example.com',
  firstname: 'Ada',
  lastname: 'Lovelace',
  displayname: 'Ada Lovelace',
  jobTitle: 'Analyst',
  department: 'Research',
  phoneNumbers: [{ type: 'work', number: '+44 20 7946 0000' }],
  addresses: [{ type: 'home', streetAddress: '12 St James Sq', locality: 'London', region: '', postalCode: 'SW1Y 4JH', country: 'gb' }],
};

function mixedCaseUser(scim: RunningScimServer): ScimUserJson {
  const u = scim.store.listUsers().find((x) => x.userName !== x.userName.toLowerCase());
  if (!u) throw new Error('the seed has no mixed-case userName');
  return u;
}

// ==================================================================== lookups (F)

describe('lookups', () => {
  it('F1 eq-only and F2 fixed combinations: filters where allowed, a scan where not', async () => {
    const { scim, c } = await setup({ filterEqOnly: true, allowedFilters: ['userName', 'externalId'] });
    const target = scim.store.listUsers()[17];
    scim.store.updateUser(target.id, { externalId: 'hr-target' });
    expect(await c.lookupUser('userName', target.userName)).toMatchObject({ via: 'filter', user: { id: target.id } });
    expect(await c.lookupUser('externalId', 'hr-target')).toMatchObject({ via: 'filter', user: { id: target.id } });
    // emails.value is not an allowed combination (400): found by a bounded scan instead.
    const byEmail = await c.lookupUser('email', (target.emails ?? [])[0].value);
    expect(byEmail).toMatchObject({ via: 'scan', user: { id: target.id } });
    expect(scim.requests.every((r) => !r.query.filter || /^(userName|externalId|emails(\.value)?) eq "/.test(r.query.filter))).toBe(true);
  });

  it('F3 case-sensitive userName: other casings by filter, then scan after the 409 on create', async () => {
    const { scim, c } = await setup({ userNameCaseExact: true });
    const mixed = mixedCaseUser(scim);
    // Exact casing: the filter finds it.
    expect((await c.lookupUser('userName', mixed.userName)).user?.id).toBe(mixed.id);
    // Our value upper-cased, theirs lower-case: the lower-case retry finds it.
    const lower = scim.store.listUsers().find((u) => u.userName === u.userName.toLowerCase()) as ScimUserJson;
    const upper = await c.lookupUser('userName', lower.userName.toUpperCase());
    expect(upper.user?.id).toBe(lower.id);
    expect(upper.filtersTried).toHaveLength(2);
    // Ours lower-case, theirs mixed: no filter can find it and the result says it is not certain...
    const miss = await c.lookupUser('userName', mixed.userName.toLowerCase());
    expect(miss).toMatchObject({ user: null, scannedAll: false });
    // ...the create that follows is a 409 (uniqueness is case-insensitive there)...
    const conflict = await failure(c.createUser({ schemas: [SCHEMAS.user], userName: mixed.userName.toLowerCase() }));
    expect(conflict.isConflict).toBe(true);
    // ...and the lookup after a 409 scans and links the existing user.
    const linked = await c.lookupUser('userName', mixed.userName.toLowerCase(), { fullScan: 'if-not-found' });
    expect(linked).toMatchObject({ via: 'scan', user: { id: mixed.id } });
  });

  it('F4 case-sensitive attribute names and operators: canonical casing always works', async () => {
    const { scim, c } = await setup({ filterCaseSensitive: true });
    const u = scim.store.listUsers()[3];
    scim.store.updateUser(u.id, { externalId: 'hr-f4' });
    expect((await c.findUserByUserName(u.userName))?.id).toBe(u.id);
    expect((await c.findUserByExternalId('hr-f4'))?.id).toBe(u.id);
    expect((await c.findUserByEmail((u.emails ?? [])[0].value))?.id).toBe(u.id);
    expect(scim.stats().byStatus[400] ?? 0).toBe(0);
  });

  it('F5 unsupported filters answer an empty 200: not proof of absence, a scan confirms', async () => {
    const { scim, c } = await setup({ unsupportedFilterReturnsEmpty: true, allowedFilters: ['userName'] });
    const u = scim.store.listUsers()[9];
    scim.store.updateUser(u.id, { externalId: 'hr-f5' });
    const first = await c.lookupUser('externalId', 'hr-f5');
    expect(first).toMatchObject({ user: null, scannedAll: false });
    const confirmed = await c.lookupUser('externalId', 'hr-f5', { fullScan: 'if-not-found' });
    expect(confirmed).toMatchObject({ via: 'scan', user: { id: u.id } });
    // A real absence is certain only after a complete scan.
    expect(await c.lookupUser('externalId', 'nobody', { fullScan: 'if-not-found' })).toMatchObject({ user: null, scannedAll: true });
  });

  it('F6 a 500 on a filter query means "filter unsupported": no retries, a scan instead', async () => {
    const { scim, c } = await setup({ stackTraces: true });
    const u = scim.store.listUsers()[11];
    scim.setQuirks({ faults: [{ kind: 'status500', method: 'GET', path: '/Users', first: 1 }] });
    const found = await c.lookupUser('userName', u.userName);
    expect(found).toMatchObject({ via: 'scan', user: { id: u.id } });
    expect(requestsFor(scim, 'GET', /\/Users$/).filter((r) => r.query.filter)).toHaveLength(1);
  });

  it('F6 an unparsable caller filter surfaces as a short ScimError without the stack trace', async () => {
    const { c } = await setup({ invalidFilterReturns500: true, stackTraces: true });
    const err = await failure(c.listUsers({ filter: 'userName eqq "x"' }).toArray());
    expect(err.status).toBe(500);
    expect(err.message).not.toMatch(/Traceback|File "|\bat \w+ \(|\.py:\d+/);
    expect(err.message.length).toBeLessThan(400);
  });

  it('F7 emails.value unsupported, bare `emails eq` works; external_id alias not needed', async () => {
    const { scim, c } = await setup({ emailsValueFilterUnsupported: true, filterExternalIdSnakeCase: true });
    const u = scim.store.listUsers()[21];
    const result = await c.lookupUser('email', (u.emails ?? [])[0].value.toUpperCase());
    expect(result).toMatchObject({ via: 'filter', user: { id: u.id } });
    expect(result.filtersTried.some((f) => f.startsWith('emails eq'))).toBe(true);
  });

  it('F8 a one-node filter limit: lookups and keyset paging never chain expressions', async () => {
    const { scim, c } = await setup({ maxFilterNodes: 1, maxStartIndex: 20 });
    const u = scim.store.listUsers()[30];
    expect((await c.findUserByUserName(u.userName))?.id).toBe(u.id);
    const ids = (await c.listUsers({ pageSize: 15 }).toArray()).map((x) => x.id);
    expect(ids.sort()).toEqual(
      scim.store
        .listUsers()
        .map((x) => x.id)
        .sort(),
    );
    expect(scim.stats().byStatus[400] ?? 0).toBe(1); // the refused deep startIndex only
  });
});

// ==================================================================== writes (C)

describe('writes', () => {
  it('C1 no Location header: the id comes from the body', async () => {
    const { scim, c } = await setup({ noLocationHeader: true });
    const created = await c.createUser(toScimUser(ada));
    expect(created.id).toBeTruthy();
    expect(scim.store.getUser(created.id as string)?.userName).toBe(ada.username);
    expect(requestsFor(scim, 'POST')).toHaveLength(1);
    expect(requestsFor(scim, 'GET', /\/Users\//)).toHaveLength(0);
  });

  it('C2 meta.location on another base: URLs are built from the configured base', async () => {
    const { scim, c } = await setup({ locationBasePath: '/v2' });
    const created = await c.createUser(toScimUser(ada));
    expect(created.meta?.location).toMatch(/\/v2\/Users\//);
    expect(created.meta?.location).not.toContain('/scim/v2/');
    await c.getUser(created.id as string);
    await c.patchUser(created.id as string, [replaceOp('title', 'Countess')]);
    const paths = scim.requests.filter((r) => r.method !== 'POST').map((r) => r.path);
    expect(paths.every((p) => p === `/scim/v2/Users/${created.id}`)).toBe(true);
  });

  it('C3 missing meta timestamps and C4 lower-case resourceType parse fine', async () => {
    const { scim, c } = await setup({ omitMetaTimestamps: true, lowerCaseResourceType: true });
    const u = await c.getUser(scim.store.listUsers()[0].id);
    expect(u.meta?.created).toBeUndefined();
    expect(u.meta?.resourceType?.toLowerCase()).toBe('user');
    expect(fromScimUser(u).username).toBe(scim.store.listUsers()[0].userName);
  });

  it('C5 PATCH 204: undefined by default, the resource with returnResource', async () => {
    const { scim, c } = await setup({ patchResponse: 'noContent' });
    const id = scim.store.listUsers()[1].id;
    expect(await c.patchUser(id, [replaceOp('title', 'Director')])).toBeUndefined();
    const after = await c.patchUser(id, [replaceOp('nickName', 'Dee')], { returnResource: true });
    expect(after).toMatchObject({ id, title: 'Director', nickName: 'Dee' });
    scim.setQuirks({ patchResponse: 'noContentOnNoop' });
    expect(await c.patchUser(id, [replaceOp('title', 'Director')], { returnResource: true })).toMatchObject({ id, title: 'Director' });
  });

  it('C6 PUT is 405: a clear error, and the same change goes through PATCH', async () => {
    const { scim, c } = await setup({ putUnsupported: true });
    const current = await c.getUser(scim.store.listUsers()[2].id);
    const err = await failure(c.replaceUser(current.id as string, { ...current, title: 'Chief' }));
    expect(err.status).toBe(405);
    expect(requestsFor(scim, 'PUT')).toHaveLength(1);
    const desired = { ...fromScimUser(current), jobTitle: 'Chief' };
    const ops = buildUserPatch(diffDirectoryAttributes(desired, fromScimUser(current)), desired, { current });
    const patched = await c.patchUser(current.id as string, ops);
    expect(patched?.title).toBe('Chief');
  });

  it('C7 PUT clearing or keeping omitted attributes: read-modify-write gives the same result', async () => {
    for (const putMode of ['replace', 'merge'] as const) {
      const { scim, c } = await setup({ putMode });
      const current = await c.getUser(scim.store.listUsers()[4].id);
      const replaced = await c.replaceUser(current.id as string, { ...current, title: 'Lead' });
      expect(fromScimUser(replaced)).toEqual({ ...fromScimUser(current), jobTitle: 'Lead' });
    }
  });

  it('C8 string booleans refused: the client sends JSON booleans', async () => {
    const { scim, c } = await setup({ stringBooleans: 'reject' });
    const created = await c.createUser(toScimUser(ada));
    expect(created.active).toBe(true);
    const body = requestsFor(scim, 'POST')[0].body as Record<string, unknown>;
    expect(body.active).toBe(true);
    expect((body.emails as Array<{ primary: unknown }>)[0].primary).toBe(true);
    await c.patchUser(created.id as string, buildUserPatch([], ada, { active: false }));
    expect(scim.store.getUser(created.id as string)?.active).toBe(false);
  });

  it('C9 canonical types only, C10 strict schema: what the client sends passes', async () => {
    const { scim, c } = await setup({ canonicalTypesOnly: true, unknownAttributes: 'reject' });
    const created = await c.createUser(toScimUser(ada));
    const body = requestsFor(scim, 'POST')[0].body as Record<string, Array<{ type: string }>>;
    for (const key of ['emails', 'phoneNumbers', 'addresses']) {
      expect(body[key].every((v) => ['work', 'home', 'other', 'mobile'].includes(v.type))).toBe(true);
    }
    expect(diffDirectoryAttributes(ada, fromScimUser(await c.getUser(created.id as string)))).toEqual([]);
  });

  it('C11 extra required attributes: a 400 that names the attribute', async () => {
    const { c } = await setup({ requiredUserAttributes: ['nickName'] });
    const err = await failure(c.createUser(toScimUser(ada)));
    expect(err.status).toBe(400);
    expect(err.detail).toMatch(/nickName/);
  });

  it('C12 userName must be an email on a verified domain: clear 400s, not retried', async () => {
    const { scim, c } = await setup({ userNameMustBeEmail: true, verifiedDomains: ['example.com'] });
    const notEmail = await failure(c.createUser(toScimUser({ ...ada, username: 'ada' })));
    expect(notEmail).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(notEmail.message).toMatch(/userName/i);
    const wrongDomain = await failure(c.createUser(toScimUser({ ...ada, username: 'ada@elsewhere.test' })));
    expect(wrongDomain.status).toBe(400);
    expect(wrongDomain.message).toMatch(/domain/i);
    expect(requestsFor(scim, 'POST')).toHaveLength(2);
    expect((await c.createUser(toScimUser(ada))).userName).toBe(ada.username);
  });

  it('C13 immutable userName: a 400 mutability, and patches never remove userName', async () => {
    const { scim, c } = await setup({ userNameImmutable: true });
    const id = scim.store.listUsers()[5].id;
    const err = await failure(c.patchUser(id, [replaceOp('userName', 'renamed@example.com')]));
    expect(err).toMatchObject({ status: 400, scimType: 'mutability' });
    expect(buildUserPatch(['username'], { username: '' })).toEqual([]);
  });

  it('C14 email changes refused: surfaced once as a configuration error, no retries', async () => {
    const { scim, c } = await setup({ emailChangesRefused: true });
    const current = await c.getUser(scim.store.listUsers()[6].id);
    const desired = { ...fromScimUser(current), email: 'new.address@example.org' };
    const err = await failure(c.patchUser(current.id as string, buildUserPatch(['email'], desired, { current })));
    expect(err.status).toBe(400);
    expect(err.detail).toMatch(/Domain name doesn't match/);
    expect(requestsFor(scim, 'PATCH')).toHaveLength(1);
  });

  it('C15 updates answered but not applied: a read-back shows the difference', async () => {
    const { scim, c } = await setup({ updatesNotApplied: true });
    const current = await c.getUser(scim.store.listUsers()[7].id);
    const desired = { ...fromScimUser(current), jobTitle: 'Not Applied' };
    const answered = await c.patchUser(current.id as string, buildUserPatch(['jobTitle'], desired, { current }));
    expect(answered?.title).toBe('Not Applied');
    const readBack = await c.getUser(current.id as string);
    expect(diffDirectoryAttributes(desired, fromScimUser(readBack))).toEqual(['jobTitle']);
  });

  it('C16 deactivated users only accept `active`: reactivate first, then update', async () => {
    const { scim, c } = await setup({ deactivatedUsersReadOnly: true });
    const id = scim.store.listUsers()[8].id;
    scim.store.updateUser(id, { active: false });
    expect((await failure(c.patchUser(id, [replaceOp('title', 'Back')]))).status).toBe(400);
    await c.patchUser(id, [replaceOp('active', true)]);
    expect((await c.patchUser(id, [replaceOp('title', 'Back')]))?.title).toBe('Back');
  });

  it('no PATCH relies on an upsert through a value filter (replace matching nothing is 400 noTarget)', async () => {
    const { scim, c } = await setup({ patchUpsertOnNoTarget: false });
    const id = scim.store.listUsers()[10].id;
    scim.store.updateUser(id, { emails: [{ value: 'home.only@example.org', type: 'home' }], phoneNumbers: null, addresses: null });
    const current = await c.getUser(id);
    const desired = {
      ...fromScimUser(current),
      email: 'work.now@example.com',
      phoneNumbers: [{ type: 'work' as const, number: '+1 555 0101' }],
    };
    const patched = await c.patchUser(id, buildUserPatch(diffDirectoryAttributes(desired, fromScimUser(current)), desired, { current }));
    expect(diffDirectoryAttributes(desired, fromScimUser(patched as ScimUser))).toEqual([]);
  });

  it('C18 server-normalised values compare equal after a re-read: no endless diff', async () => {
    const { scim, c } = await setup({ normalizeValues: true });
    const desired: DirectoryUserForScim = {
      id: 'roster-grace',
      state: 'ACTIVE',
      username: 'Grace.Hopper@Example.COM',
      email: 'Grace.Hopper@Example.COM',
      firstname: 'Grace',
      lastname: 'Hopper',
    };
    const created = await c.createUser(toScimUser(desired));
    const reread = await c.getUser(created.id as string);
    expect(reread.emails?.[0].value).toBe('grace.hopper@example.com');
    expect(reread.displayName).toBeTruthy();
    const actual = fromScimUser(reread);
    expect(normalizeForCompare(actual).email).toBe(normalizeForCompare(desired).email);
    const changed = diffDirectoryAttributes(desired, actual);
    expect(changed).toEqual([]);
    expect(buildUserPatch(changed, desired, { current: reread })).toEqual([]);
    // A second sync round still finds nothing to change (no write loop).
    const again = diffDirectoryAttributes(desired, fromScimUser(await c.getUser(created.id as string)));
    expect(again).toEqual([]);
    expect(requestsFor(scim, 'PATCH')).toHaveLength(0);
  });

  it('C19 externalId unique too: the 409 is resolved by an externalId lookup', async () => {
    const { c } = await setup({ externalIdUnique: true });
    const first = await c.createUser(toScimUser(ada));
    const err = await failure(c.createUser(toScimUser({ ...ada, username: 'ada.byron@example.com', email: 'ada.byron@example.com' })));
    expect(err.isConflict).toBe(true);
    expect((await c.lookupUser('userName', 'ada.byron@example.com')).user).toBeNull();
    expect((await c.lookupUser('externalId', ada.id)).user?.id).toBe(first.id);
  });
});

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
    expect(users.map((u) => u.id).sort()).toEqual(
      scim.store
        .listUsers()
        .map((u) => u.id)
        .sort(),
    );
    expect(users.every((u) => u.schemas.length === 0 && u.meta === undefined && typeof u.userName === 'string')).toBe(true);
    expect(fromScimUser(users[0] as ScimUser).username).toBe(users[0].userName);
  });
});
