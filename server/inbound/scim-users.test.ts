// /scim/v2/Users through real HTTP (inject) on both databases: the protocol, the directory's rules, and
// what a source sees.
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { createSource, ENTERPRISE, PATCH_OP, scimUser, type TestSource } from '../../test/scim-inbound.ts';
import { perSuite } from '../../test/suite.ts';

const q = (filter: string) => encodeURIComponent(filter);

describe.each(dialects)('inbound SCIM Users on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));
  let n = 0;
  const fresh = async (settings: Record<string, unknown> = {}): Promise<TestSource> => createSource(t, `source ${++n}`, settings);

  it('creates a user ACTIVE, password PENDING, named after the source in Insights: 201 with Location and ETag', async () => {
    const s = await fresh();
    const r = await s.scim(
      'POST',
      '/Users',
      scimUser('bjensen', {
        externalId: 'ext-1',
        title: 'Tour Guide',
        userType: 'Employee',
        name: { givenName: 'Barbara', familyName: 'Jensen', middleName: 'Jane', formatted: 'Ms. Barbara J Jensen', honorificPrefix: 'Ms.' },
        phoneNumbers: [
          { value: '555-555-5555', type: 'work' },
          { value: '555-555-4444', type: 'mobile' },
        ],
        addresses: [
          {
            type: 'work',
            streetAddress: '100 Universal City Plaza',
            locality: 'Hollywood',
            region: 'CA',
            postalCode: '91608',
            country: 'USA',
            primary: true,
          },
        ],
        [ENTERPRISE]: {
          employeeNumber: '701984',
          costCenter: '4130',
          organization: 'Universal Studios',
          division: 'Theme Park',
          department: 'Tour Operations',
          manager: { value: 'm-1', displayName: 'John Smith' },
        },
        nickName: 'Babs',
      }),
    );
    expect(r.statusCode, r.body).toBe(201);
    expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
    const user = r.json();
    expect(r.headers.location).toBe(user.meta.location);
    expect(r.headers.etag).toBe(user.meta.version);
    expect(user.meta.version).toMatch(/^W\/"/);
    expect(user).toMatchObject({
      userName: 'bjensen',
      externalId: 'ext-1',
      active: true,
      title: 'Tour Guide',
      userType: 'Employee',
      nickName: 'Babs',
      name: { givenName: 'Barbara', familyName: 'Jensen', middleName: 'Jane', formatted: 'Ms. Barbara J Jensen', honorificPrefix: 'Ms.' },
      [ENTERPRISE]: { employeeNumber: '701984', division: 'Theme Park', manager: { value: 'm-1', displayName: 'John Smith' } },
    });
    // Every attribute sent comes back, the mobile number included.
    expect(user.phoneNumbers).toEqual(
      expect.arrayContaining([
        { value: '555-555-5555', type: 'work' },
        { value: '555-555-4444', type: 'mobile' },
      ]),
    );
    const rest = (await t.admin({ method: 'GET', url: `/api/v1/users/${user.id}` })).json();
    expect(rest).toMatchObject({
      username: 'bjensen',
      email: 'bjensen@example.com',
      firstname: 'Barbara',
      lastname: 'Jensen',
      jobTitle: 'Tour Guide',
      employeeType: 'Employee',
      employeeIdentifier: '701984',
      costCenter: '4130',
      department: 'Tour Operations',
      state: 'ACTIVE',
      passwordStatus: 'PENDING',
      phoneNumbers: [{ type: 'work', number: '555-555-5555' }],
      source: { type: 'scim', sourceId: s.id },
    });
    const events = (await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=user_create` })).json().items;
    const event = events.find((e: { resource: { id: string } }) => e.resource.id === user.id);
    expect(event.initiatedBy).toMatchObject({ type: 'scim_source', id: s.id, name: expect.stringMatching(/^source /) });
  });

  it('refuses a username or email taken in any letter case (409 uniqueness), invalid values with 400 naming them', async () => {
    const s = await fresh();
    expect((await s.scim('POST', '/Users', scimUser('CaseUser'))).statusCode).toBe(201);
    const dup = await s.scim('POST', '/Users', scimUser('caseuser', { emails: [{ value: 'other@example.com', primary: true }] }));
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '409', scimType: 'uniqueness' });
    const dupEmail = await s.scim('POST', '/Users', scimUser('another', { emails: [{ value: 'CASEUSER@example.com', type: 'work' }] }));
    expect(dupEmail.statusCode).toBe(409);
    const bad = await s.scim('POST', '/Users', scimUser('bad-email', { emails: [{ value: 'not an email', type: 'work' }] }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect(bad.json().detail).toMatch(/^emails/);
    const noName = await s.scim('POST', '/Users', { schemas: [], emails: [{ value: 'x@example.com' }] });
    expect(noName.json()).toMatchObject({ status: '400', scimType: 'invalidValue', detail: expect.stringMatching(/^userName/) });
    const notJson = await s.scim('POST', '/Users', '{"userName": ');
    expect(notJson.json()).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    const users = (await t.admin({ method: 'GET', url: '/api/v1/users?q=bad-email' })).json();
    expect(users.total).toBe(0);
  });

  it('gets, replaces with PUT, and honours If-Match (412 on a stale version)', async () => {
    const s = await fresh();
    const created = (await s.scim('POST', '/Users', scimUser('putuser', { externalId: 'p1' }))).json();
    const got = await s.scim('GET', `/Users/${created.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(created);
    const put = await s.scim(
      'PUT',
      `/Users/${created.id}`,
      scimUser('putuser', { title: 'Engineer', name: { givenName: 'Put', familyName: 'User' } }),
      {
        'if-match': created.meta.version,
      },
    );
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ title: 'Engineer', name: { givenName: 'Put', familyName: 'User' } });
    // PUT replaces: externalId was not sent again.
    expect(put.json()).not.toHaveProperty('externalId');
    expect(put.json().meta.version).not.toBe(created.meta.version);
    const stale = await s.scim('PUT', `/Users/${created.id}`, scimUser('putuser', { title: 'Stale' }), {
      'if-match': created.meta.version,
    });
    expect(stale.statusCode).toBe(412);
    expect((await s.scim('GET', `/Users/${created.id}`)).json().title).toBe('Engineer');
  });

  it('PATCHes as Entra ID sends it: capitalized ops, "False" as a string, no path with a value object, enterprise URN paths', async () => {
    const s = await fresh();
    const created = (await s.scim('POST', '/Users', scimUser('entra.user'))).json();
    const r = await s.scim('PATCH', `/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'displayName', value: 'Entra User' },
        { op: 'Add', path: 'emails[type eq "work"].value', value: 'entra.user@contoso.com' },
        { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Finance' },
        { op: 'Replace', value: { 'name.givenName': 'Given', title: 'Analyst' } },
        { op: 'Replace', path: 'active', value: 'False' },
      ],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({
      displayName: 'Entra User',
      title: 'Analyst',
      active: false,
      name: { givenName: 'Given' },
      [ENTERPRISE]: { department: 'Finance' },
    });
    const rest = (await t.admin({ method: 'GET', url: `/api/v1/users/${created.id}` })).json();
    expect(rest).toMatchObject({ email: 'entra.user@contoso.com', state: 'SUSPENDED', department: 'Finance', displayname: 'Entra User' });
    const back = await s.scim('PATCH', `/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    expect(back.json().active).toBe(true);
    expect((await t.admin({ method: 'GET', url: `/api/v1/users/${created.id}` })).json().state).toBe('ACTIVE');
  });

  it('refuses a PATCH of a read-only attribute and a malformed one, changing nothing', async () => {
    const s = await fresh();
    const created = (await s.scim('POST', '/Users', scimUser('patchbad'))).json();
    const ro = await s.scim('PATCH', `/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'id', value: 'x' }],
    });
    expect(ro.statusCode).toBe(400);
    expect(ro.json().scimType).toBe('mutability');
    const bad = await s.scim('PATCH', `/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'title', value: 'Changed' },
        { op: 'replace', path: 'emails[type eq', value: 'x' },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect((await s.scim('GET', `/Users/${created.id}`)).json()).not.toHaveProperty('title');
  });

  it('deletes with onDelete "suspend": SUSPENDED, 404 and out of lists; a POST with his userName restores him', async () => {
    const s = await fresh();
    const created = (await s.scim('POST', '/Users', scimUser('leaver'))).json();
    const del = await s.scim('DELETE', `/Users/${created.id}`);
    expect(del.statusCode).toBe(204);
    expect((await s.scim('GET', `/Users/${created.id}`)).statusCode).toBe(404);
    expect((await s.scim('GET', '/Users?filter=userName eq "leaver"')).json().totalResults).toBe(0);
    expect((await t.admin({ method: 'GET', url: `/api/v1/users/${created.id}` })).json().state).toBe('SUSPENDED');
    // Another source still sees him.
    const other = await fresh();
    expect((await other.scim('GET', `/Users/${created.id}`)).statusCode).toBe(200);
    const back = await s.scim('POST', '/Users', scimUser('LEAVER', { title: 'Returned' }));
    expect(back.statusCode, back.body).toBe(201);
    expect(back.json()).toMatchObject({ id: created.id, active: true, title: 'Returned', userName: 'LEAVER' });
  });

  it('deletes for good with onDelete "delete"', async () => {
    const s = await fresh({ onDelete: 'delete' });
    const created = (await s.scim('POST', '/Users', scimUser('gone'))).json();
    expect((await s.scim('DELETE', `/Users/${created.id}`)).statusCode).toBe(204);
    expect((await t.admin({ method: 'GET', url: `/api/v1/users/${created.id}` })).statusCode).toBe(404);
    expect((await s.scim('DELETE', `/Users/${created.id}`)).statusCode).toBe(404);
  });

  it('lists with filters, sorting, paging and attribute selection', async () => {
    const s = await fresh();
    for (const [i, name] of ['list.c', 'list.a', 'list.b', 'list.d'].entries()) {
      const r = await s.scim(
        'POST',
        '/Users',
        scimUser(name, {
          title: i % 2 ? 'Odd' : 'Even',
          emails: [
            { value: `${name}@example.com`, type: 'work', primary: true },
            { value: `${name}@home.example`, type: 'home' },
          ],
        }),
      );
      expect(r.statusCode).toBe(201);
    }
    const eq = (await s.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "LIST.A"')}`)).json();
    expect(eq).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 1,
      startIndex: 1,
      itemsPerPage: 1,
    });
    expect(eq.Resources[0].userName).toBe('list.a');
    const filter = 'userName sw "list." and (title eq "Odd" or emails[type eq "home" and value ew "d@home.example"])';
    const complex = (await s.scim('GET', `/Users?filter=${q(filter)}&sortBy=userName`)).json();
    expect(complex.Resources.map((u: { userName: string }) => u.userName)).toEqual(['list.a', 'list.d']);
    const negated = (
      await s.scim(
        'GET',
        `/Users?filter=${encodeURIComponent('userName sw "list." and not (title eq "Odd")')}&sortBy=userName&sortOrder=descending`,
      )
    ).json();
    expect(negated.Resources.map((u: { userName: string }) => u.userName)).toEqual(['list.c', 'list.b']);
    const paged = (
      await s.scim('GET', `/Users?filter=${encodeURIComponent('userName sw "list."')}&sortBy=userName&startIndex=2&count=2`)
    ).json();
    expect(paged).toMatchObject({ totalResults: 4, startIndex: 2, itemsPerPage: 2 });
    expect(paged.Resources.map((u: { userName: string }) => u.userName)).toEqual(['list.b', 'list.c']);
    const only = (
      await s.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "list.b"')}&attributes=userName,emails.value`)
    ).json();
    expect(Object.keys(only.Resources[0]).sort()).toEqual(['emails', 'id', 'schemas', 'userName'].sort());
    expect(only.Resources[0].emails[0]).toEqual({ value: 'list.b@example.com' });
    const countOnly = (await s.scim('GET', `/Users?filter=${encodeURIComponent('userName sw "list."')}&count=0`)).json();
    expect(countOnly).toMatchObject({ totalResults: 4, itemsPerPage: 0, Resources: [] });
    const search = await s.scim('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'title eq "Even"',
      attributes: ['userName'],
      count: 10,
    });
    expect(search.json().totalResults).toBeGreaterThanOrEqual(2);
    const bad = await s.scim('GET', `/Users?filter=${encodeURIComponent('userName eq')}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().scimType).toBe('invalidFilter');
  });

  it('answers discovery without a token, /Me with 501 (401 without a token), bad tokens with 401, big bodies with 413', async () => {
    const spc = await t.anonymous({ method: 'GET', url: '/scim/v2/ServiceProviderConfig' });
    expect(spc.statusCode).toBe(200);
    expect(spc.json()).toMatchObject({
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 1000 },
      etag: { supported: true },
      sort: { supported: true },
    });
    const types = (await t.anonymous({ method: 'GET', url: '/scim/v2/ResourceTypes' })).json();
    expect(types.Resources.map((r: { id: string }) => r.id).sort()).toEqual(['Group', 'User']);
    const schemas = (await t.anonymous({ method: 'GET', url: '/scim/v2/Schemas' })).json();
    expect(schemas.Resources.map((r: { id: string }) => r.id)).toEqual(
      expect.arrayContaining(['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE]),
    );
    expect((await t.anonymous({ method: 'GET', url: '/scim/v2/Me' })).statusCode).toBe(401);
    const noToken = await t.anonymous({ method: 'GET', url: '/scim/v2/Users' });
    expect(noToken.statusCode).toBe(401);
    expect(noToken.json()).toMatchObject({ status: '401' });
    expect(noToken.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await t.anonymous({ method: 'GET', url: '/scim/v2/Users', headers: { authorization: 'Bearer rss_notarealtoken' } });
    expect(wrong.statusCode).toBe(401);
    const s = await fresh();
    expect((await s.scim('GET', '/Me')).statusCode).toBe(501);
    const huge = await s.scim('POST', '/Users', scimUser('huge', { nickName: 'x'.repeat(2 * 1024 * 1024) }));
    expect(huge.statusCode).toBe(413);
    expect(huge.json().status).toBe('413');
  });

  it('pauses a source whose deletions pass its guardrail: 503 with Retry-After, the admins emailed, until an admin confirms', async () => {
    const s = await fresh({ deleteGuardrail: { percent: 1, minimum: 1 } });
    const ids: string[] = [];
    for (const name of ['guard.a', 'guard.b', 'guard.c']) ids.push((await s.scim('POST', '/Users', scimUser(name))).json().id);
    expect((await s.scim('DELETE', `/Users/${ids[0]}`)).statusCode).toBe(204);
    const refused = await s.scim('DELETE', `/Users/${ids[1]}`);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.json()).toMatchObject({ status: '503', detail: expect.stringMatching(/guardrail/) });
    // Refused means untouched; other requests go on.
    expect((await t.admin({ method: 'GET', url: `/api/v1/users/${ids[1]}` })).json().state).toBe('ACTIVE');
    const suspend = await s.scim('PATCH', `/Users/${ids[2]}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    expect(suspend.statusCode).toBe(503);
    expect(
      (
        await s.scim('PATCH', `/Users/${ids[2]}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'title', value: 'Still here' }],
        })
      ).statusCode,
    ).toBe(200);
    const source = (await t.admin({ method: 'GET', url: `/api/v1/scim-sources/${s.id}` })).json();
    expect(source.guardrail.pausedAt).toEqual(expect.any(String));
    const mail = (await t.admin({ method: 'GET', url: '/api/v1/mail/outbox?limit=100' })).json().items;
    expect(mail.some((m: { subject: string }) => /SCIM|guardrail|paused/i.test(m.subject))).toBe(true);
    expect((await t.admin({ method: 'POST', url: `/api/v1/scim-sources/${s.id}/guardrail/confirm` })).statusCode).toBe(200);
    expect((await s.scim('DELETE', `/Users/${ids[1]}`)).statusCode).toBe(204);
  });

  it('limits each source to its own rate (429 as a SCIM error), leaving other sources alone', async () => {
    const slow = await fresh({ rateLimitPerSecond: 2 });
    const other = await fresh();
    const answers = await Promise.all(Array.from({ length: 5 }, () => slow.scim('GET', '/Users?count=1')));
    const limited = answers.filter((r) => r.statusCode === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].json()).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429' });
    expect((await other.scim('GET', '/Users?count=1')).statusCode).toBe(200);
  });

  it('sends the activation email at creation when the source says so', async () => {
    const s = await fresh({ activationEmail: 'on_create' });
    const created = await s.scim('POST', '/Users', scimUser('welcome.user'));
    expect(created.statusCode, created.body).toBe(201);
    const mail = (await t.admin({ method: 'GET', url: '/api/v1/mail/outbox?to=welcome.user@example.com' })).json().items;
    expect(mail).toHaveLength(1);
    const quiet = await fresh();
    await quiet.scim('POST', '/Users', scimUser('quiet.user'));
    expect((await t.admin({ method: 'GET', url: '/api/v1/mail/outbox?to=quiet.user@example.com' })).json().items).toHaveLength(0);
  });
});
