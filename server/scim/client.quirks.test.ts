// The real ScimClient against the project's test SCIM server, one quirk switch (or a realistic
// combination) at a time: lookups (F) and writes (C) from SCIM-QUIRKS.md. Deprovisioning, groups,
// types, headers and errors are in client-groups.quirks.test.ts, listing quirks in
// client-paging.quirks.test.ts, transport faults and rate limits in client-transport.quirks.test.ts.
import { describe, expect, it } from 'vitest';
import { codeUnitOrder } from '../../test/order.ts';
import { ada, failure, quirksFixture, mixedCaseUser, requestsFor } from '../../test/scim-quirks.ts';
import type { ScimUserJson } from '../../test/scim-server/index.ts';
import {
  SCHEMAS,
  buildUserPatch,
  diffDirectoryAttributes,
  fromScimUser,
  normalizeForCompare,
  replaceOp,
  toScimUser,
  type DirectoryUserForScim,
  type ScimUser,
} from './index.ts';

const { setup } = quirksFixture();

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
    expect(ids.sort(codeUnitOrder)).toEqual(
      scim.store
        .listUsers()
        .map((x) => x.id)
        .sort(),
    );
    // Only deep startIndex pages were refused (pages read in parallel may ask for several at once), no filter.
    const refused = scim.requests.filter((r) => r.status === 400);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.every((r) => Number(r.query.startIndex) > 20 && r.query.filter === undefined)).toBe(true);
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
