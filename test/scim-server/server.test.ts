// Proves the test SCIM server itself: RFC 7643/7644 (+ RFC 9865) behaviour first, then each quirk
// switch, with plain fetch. Servers are cheap to start (seeded users are virtual), so most blocks
// start their own.
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { codeUnitOrder } from '../order.ts';
import { perSuite } from '../suite.ts';
import {
  type FaultRule,
  type Quirks,
  type RunningScimServer,
  type ScimServerOptions,
  CORE_GROUP,
  CORE_USER,
  ENTERPRISE_USER,
  PATCH_OP,
  defaultQuirks,
  startScimServer,
} from './index.ts';

type Obj = Record<string, any>;

interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: Obj;
}

async function call(
  s: RunningScimServer,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Res> {
  const url = path.startsWith('http') ? path : s.baseUrl + path;
  const r = await fetch(url, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json: Obj = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    // non-JSON bodies are checked through `text`
  }
  return { status: r.status, headers: r.headers, text, json };
}

const get = (s: RunningScimServer, path: string, headers?: Record<string, string>) => call(s, 'GET', path, undefined, headers);
const q = (filter: string) => encodeURIComponent(filter);
const patchOp = (...Operations: Obj[]) => ({ schemas: [PATCH_OP], Operations });
const newUser = (userName: string, extra: Obj = {}) => ({ schemas: [CORE_USER], userName, ...extra });
const newGroup = (displayName: string, extra: Obj = {}) => ({ schemas: [CORE_GROUP], displayName, ...extra });

/**
 * A server for the describe block: started before its first test, stopped after its last; with
 * `resetQuirks`, its quirks are put back after each test.
 */
function serverPerSuite(opts: ScimServerOptions, { resetQuirks = false } = {}): RunningScimServer {
  const s = perSuite(
    () => startScimServer(opts),
    (server) => server.stop(),
  );
  if (resetQuirks) afterEach(() => s.resetQuirks());
  return s;
}

async function withServer(opts: Parameters<typeof startScimServer>[0], fn: (s: RunningScimServer) => Promise<void>): Promise<void> {
  const s = await startScimServer(opts);
  try {
    await fn(s);
  } finally {
    await s.stop();
  }
}

/** A `sleep` for startScimServer that records each wait the server asks for and ends it only on `release()`. */
function heldSleeps() {
  const waits: Array<{ ms: number; release: () => void }> = [];
  return {
    waits,
    sleep: (ms: number) => new Promise<void>((release) => waits.push({ ms, release })),
    /** Resolves once the server has asked for `n` waits. */
    async asked(n: number) {
      while (waits.length < n) await new Promise((r) => setImmediate(r));
    },
  };
}

async function allIdsByIndex(s: RunningScimServer, count: number, maxPages = 50): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 0; page < maxPages; page++) {
    const r = await get(s, `/Users?startIndex=${ids.length + 1}&count=${count}`);
    const res = (r.json.Resources ?? []) as Obj[];
    if (res.length === 0) break;
    ids.push(...res.map((u) => u.id));
  }
  return ids;
}

// ==================================================================== RFC behaviour

describe('discovery', () => {
  const s = serverPerSuite({ auth: { type: 'bearer', token: 't' } });
  const auth = { authorization: 'Bearer t' };

  it('serves ServiceProviderConfig with RFC 9865 pagination', async () => {
    const r = await get(s, '/ServiceProviderConfig', auth);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/scim+json');
    expect(r.json.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
    expect(r.json.patch).toEqual({ supported: true });
    expect(r.json.filter).toEqual({ supported: true, maxResults: 1000 });
    expect(r.json.etag).toEqual({ supported: true });
    expect(r.json.pagination).toEqual({
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: 100,
      maxPageSize: 1000,
      cursorTimeout: 600,
    });
    expect(r.json.authenticationSchemes[0].type).toBe('oauthbearertoken');
  });

  it('lists ResourceTypes and Schemas, and serves each by id', async () => {
    const rt = await get(s, '/ResourceTypes', auth);
    expect(rt.json.totalResults).toBe(2);
    expect(rt.json.Resources.map((r: Obj) => r.id)).toEqual(['User', 'Group']);
    expect(rt.json.Resources[0].schemaExtensions).toEqual([{ schema: ENTERPRISE_USER, required: false }]);
    expect((await get(s, '/ResourceTypes/Group', auth)).json.endpoint).toBe('/Groups');
    const schemas = await get(s, '/Schemas', auth);
    expect(schemas.json.Resources.map((r: Obj) => r.id)).toEqual([CORE_USER, ENTERPRISE_USER, CORE_GROUP]);
    const user = await get(s, `/Schemas/${CORE_USER}`, auth);
    expect(user.json.attributes.find((a: Obj) => a.name === 'userName')).toMatchObject({
      required: true,
      uniqueness: 'server',
      caseExact: false,
    });
    expect((await get(s, '/Schemas/urn:nope', auth)).status).toBe(404);
  });

  it('answers unknown and unsupported endpoints with SCIM errors', async () => {
    const r = await get(s, '/Nope', auth);
    expect(r.status).toBe(404);
    expect(r.json.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect((await call(s, 'POST', '/Bulk', {}, auth)).status).toBe(501);
    expect((await get(s, '/Me', auth)).status).toBe(501);
    expect((await call(s, 'DELETE', '/Users', undefined, auth)).status).toBe(405);
  });
});

describe('seeded data', () => {
  const s = serverPerSuite({ users: 300, groups: 12 });

  it('is deterministic per seed and varies between seeds', async () => {
    const a = await startScimServer({ users: 5, seed: 7 });
    const b = await startScimServer({ users: 5, seed: 7 });
    const c = await startScimServer({ users: 5, seed: 8 });
    try {
      const names = async (x: RunningScimServer) => (await get(x, '/Users')).json.Resources.map((u: Obj) => `${u.id} ${u.userName}`);
      expect(await names(a)).toEqual(await names(b));
      expect(await names(a)).not.toEqual(await names(c));
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });

  it('looks realistic: unique userNames, non-ASCII names, varied attributes', async () => {
    const users = s.store.listUsers() as Obj[];
    expect(users).toHaveLength(300);
    expect(s.store.userCount()).toBe(300);
    const lower = users.map((u) => u.userName.toLowerCase());
    expect(new Set(lower).size).toBe(300);
    expect(users.some((u) => /[^\x00-\x7f]/.test(u.name.givenName + u.name.familyName))).toBe(true);
    expect(users.some((u) => u.userName !== u.userName.toLowerCase())).toBe(true);
    expect(users.some((u) => u.active === false)).toBe(true);
    expect(users.some((u) => typeof u.externalId === 'string')).toBe(true);
    expect(users.some((u) => u.emails.some((e: Obj) => e.type === 'home'))).toBe(true);
    expect(users.some((u) => u.phoneNumbers?.length)).toBe(true);
    expect(users.some((u) => u.addresses?.[0]?.locality)).toBe(true);
    expect(users.every((u) => u.emails.some((e: Obj) => e.type === 'work' && e.primary === true))).toBe(true);
    expect(users.every((u) => u[ENTERPRISE_USER]?.department && u.title)).toBe(true);
    const withManager = users.find((u) => u[ENTERPRISE_USER].manager);
    expect(s.store.getUser(withManager![ENTERPRISE_USER].manager.value)).toBeDefined();
  });

  it('seeds groups with members and reflects them in users.groups', async () => {
    const groups = s.store.listGroups() as Obj[];
    expect(groups).toHaveLength(12);
    expect(new Set(groups.map((g) => g.displayName.toLowerCase())).size).toBe(12);
    const g = groups.find((x) => x.members.length > 0)!;
    const member = (await get(s, `/Users/${g.members[0].value}`)).json;
    expect(member.groups.map((x: Obj) => x.value)).toContain(g.id);
  });
});

describe('users: read and list', () => {
  const s = serverPerSuite({ users: 250, groups: 3 });
  let first: Obj;
  beforeAll(async () => {
    first = (await get(s, '/Users?count=1')).json.Resources[0];
  });

  it('gets a user by id with meta and ETag, 304 on If-None-Match, 404 on unknown ids', async () => {
    const r = await get(s, `/Users/${first.id}`);
    expect(r.status).toBe(200);
    expect(r.json.schemas).toEqual([CORE_USER, ENTERPRISE_USER]);
    expect(r.json.meta).toMatchObject({ resourceType: 'User', location: `${s.baseUrl}/Users/${first.id}`, version: 'W/"1"' });
    expect(r.headers.get('etag')).toBe('W/"1"');
    expect((await get(s, `/Users/${first.id}`, { 'if-none-match': 'W/"1"' })).status).toBe(304);
    const missing = await get(s, '/Users/does-not-exist');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
  });

  it('pages with startIndex/count, default 100, cap 1000, empty past the end', async () => {
    const def = await get(s, '/Users');
    expect(def.json).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 250,
      startIndex: 1,
      itemsPerPage: 100,
    });
    const p2 = await get(s, '/Users?startIndex=11&count=10');
    expect(p2.json.Resources.map((u: Obj) => u.id)).toEqual(def.json.Resources.slice(10, 20).map((u: Obj) => u.id));
    expect(p2.json.startIndex).toBe(11);
    expect((await get(s, '/Users?count=5000')).json.itemsPerPage).toBe(250);
    const past = await get(s, '/Users?startIndex=1000&count=10');
    expect(past.json).toMatchObject({ totalResults: 250, itemsPerPage: 0, Resources: [] });
    expect((await get(s, '/Users?startIndex=0&count=1')).json.startIndex).toBe(1);
    expect((await get(s, '/Users?count=abc')).status).toBe(400);
    const ids = await allIdsByIndex(s, 40);
    expect(new Set(ids).size).toBe(250);
  });

  it('count=0 returns only totalResults', async () => {
    const r = await get(s, '/Users?count=0');
    expect(r.json).toMatchObject({ totalResults: 250, itemsPerPage: 0, Resources: [] });
  });

  it('pages with RFC 9865 cursors until nextCursor is absent', async () => {
    const ids: string[] = [];
    let cursor = '';
    for (let i = 0; i < 20; i++) {
      const r = await get(s, `/Users?count=60&cursor=${cursor}`);
      expect(r.json.startIndex).toBeUndefined();
      expect(r.json.totalResults).toBe(250);
      ids.push(...r.json.Resources.map((u: Obj) => u.id));
      if (!r.json.nextCursor) break;
      expect(r.json.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      cursor = r.json.nextCursor;
    }
    expect(ids).toHaveLength(250);
    expect(new Set(ids).size).toBe(250);
  });

  it('cursors survive deletions between pages (keyset, no skipped users)', async () => {
    await withServer({ users: 30 }, async (x) => {
      const all = await allIdsByIndex(x, 100);
      const p1 = (await get(x, '/Users?count=10&cursor=')).json;
      x.store.deleteUser(all[0]);
      x.store.deleteUser(all[12]);
      const p2 = (await get(x, `/Users?count=10&cursor=${p1.nextCursor}`)).json;
      expect(p2.Resources.map((u: Obj) => u.id)).toEqual([...all.slice(10, 12), ...all.slice(13, 21)]);
    });
  });

  it('rejects invalid, mismatched and expired cursors', async () => {
    expect((await get(s, '/Users?cursor=garbage!')).json).toMatchObject({ status: '400', scimType: 'invalidCursor' });
    const first = (await get(s, '/Users?count=10&cursor=')).json.nextCursor as string;
    expect((await get(s, `/Users?count=10&cursor=${first}&filter=${q('active eq true')}`)).json.scimType).toBe('invalidCursor');
    // Cursors are opaque to clients; this test knows the encoding and backdates one.
    const decoded = JSON.parse(Buffer.from(first, 'base64url').toString());
    const old = Buffer.from(JSON.stringify({ ...decoded, t: decoded.t - 601 })).toString('base64url');
    expect((await get(s, `/Users?count=10&cursor=${old}`)).json.scimType).toBe('expiredCursor');
    expect((await get(s, '/Users?count=0&cursor=')).json.scimType).toBe('invalidCount');
  });

  it('supports POST /.search with the same parameters', async () => {
    const r = await call(s, 'POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: `userName eq "${first.userName}"`,
      attributes: ['userName'],
      startIndex: 1,
      count: 10,
    });
    expect(r.status).toBe(200);
    expect(r.json.Resources).toEqual([{ schemas: first.schemas, id: first.id, userName: first.userName }]);
  });
});

describe('filters', () => {
  const s = serverPerSuite({ users: 200, groups: 4 });
  let users: Obj[];
  const ids = async (filter: string, extra = '') =>
    ((await get(s, `/Users?count=1000&filter=${q(filter)}${extra}`)).json.Resources as Obj[]).map((u) => u.id).sort(codeUnitOrder);
  const expected = (pred: (u: Obj) => boolean) =>
    users
      .filter(pred)
      .map((u) => u.id)
      .sort(codeUnitOrder);
  beforeAll(async () => {
    s.store.addUser({ userName: 'quote"back\\slash@example.org', displayName: 'He said "hi" \\ back', active: true });
    users = s.store.listUsers();
  });

  it('eq on userName is case-insensitive; attribute names and operators are too', async () => {
    const u = users[17];
    expect(await ids(`userName eq "${u.userName.toUpperCase()}"`)).toEqual([u.id]);
    expect(await ids(`USERNAME EQ "${u.userName}"`)).toEqual([u.id]);
    expect(await ids(`id eq "${u.id}"`)).toEqual([u.id]);
    expect(await ids(`id eq "${u.id.toUpperCase()}"`)).toEqual([]);
  });

  it('supports ne, co, sw, ew, pr and logical operators with parentheses', async () => {
    expect(await ids('title co "engineer"')).toEqual(expected((u) => !!u.title?.toLowerCase().includes('engineer')));
    expect(await ids('userName sw "ada."')).toEqual(expected((u) => u.userName.toLowerCase().startsWith('ada.')));
    expect(await ids('userName ew "7@example.com"')).toEqual(expected((u) => u.userName.toLowerCase().endsWith('7@example.com')));
    expect(await ids('phoneNumbers pr')).toEqual(expected((u) => !!u.phoneNumbers?.length));
    expect(await ids('active ne true')).toEqual(expected((u) => u.active !== true));
    expect(await ids('active eq false and (title sw "Senior" or title sw "VP")')).toEqual(
      expected((u) => u.active === false && /^(Senior|VP)/.test(u.title ?? '')),
    );
    expect(await ids('not (active eq true) or externalId pr')).toEqual(expected((u) => u.active !== true || !!u.externalId));
  });

  it('supports sub-attributes, multi-valued attributes, value paths and extension paths', async () => {
    const u = users.find((x) => x.emails.length > 1)!;
    expect(await ids(`name.familyName eq "${u.name.familyName}"`)).toEqual(expected((x) => x.name?.familyName === u.name.familyName));
    expect(await ids(`emails.value eq "${u.emails[1].value.toUpperCase()}"`)).toEqual([u.id]);
    expect(await ids(`emails eq "${u.emails[1].value}"`)).toEqual([u.id]);
    expect(await ids(`emails[type eq "work"].value eq "${u.emails[1].value}"`)).toEqual([]);
    expect(await ids(`emails[type eq "home"].value eq "${u.emails[1].value}"`)).toEqual([u.id]);
    expect(await ids('emails[type eq "home" and value co "mail.example.net"]')).toEqual(
      expected((x) => (x.emails ?? []).some((e: Obj) => e.type === 'home')),
    );
    const dept = users[3][ENTERPRISE_USER].department;
    expect(await ids(`${ENTERPRISE_USER}:department eq "${dept}"`)).toEqual(expected((x) => x[ENTERPRISE_USER]?.department === dept));
    expect(await ids(`groups pr`)).toEqual(expected((x) => !!x.groups?.length));
  });

  it('compares meta.lastModified as a date', async () => {
    const cut = '2023-03-01T00:00:00Z';
    expect(await ids(`meta.lastModified gt "${cut}"`)).toEqual(expected((u) => Date.parse(u.meta.lastModified) > Date.parse(cut)));
    expect(await ids(`meta.lastModified le "${cut}"`)).toEqual(expected((u) => Date.parse(u.meta.lastModified) <= Date.parse(cut)));
    expect(await ids(`meta.created ge "2023-01-01T00:00:00.000+00:00" and meta.created lt "2023-01-01T01:00:00Z"`)).toEqual(
      expected((u) => Date.parse(u.meta.created) < Date.parse('2023-01-01T01:00:00Z')),
    );
  });

  it('decodes JSON string escapes in filter values', async () => {
    const odd = users.find((u) => u.userName.startsWith('quote'))!;
    expect(await ids('displayName eq "He said \\"hi\\" \\\\ back"')).toEqual([odd.id]);
    expect(await ids('userName eq "quote\\"back\\\\slash@example.org"')).toEqual([odd.id]);
  });

  it('answers 400 invalidFilter on bad filters', async () => {
    for (const bad of [
      'userName eqq "x"',
      'userName eq',
      'userName eq bjensen',
      '(userName eq "x"',
      'userName eq "x" and',
      'active gt true',
      'emails[type eq "work"',
      'userName eq "unterminated',
    ]) {
      const r = await get(s, `/Users?filter=${q(bad)}`);
      expect(r.status, bad).toBe(400);
      expect(r.json.scimType, bad).toBe('invalidFilter');
    }
  });

  it('sorts with sortBy/sortOrder (stable, missing values last)', async () => {
    const asc = (await get(s, '/Users?count=1000&sortBy=userName')).json.Resources.map((u: Obj) => u.userName.toLowerCase());
    expect(asc).toEqual([...asc].sort(codeUnitOrder));
    const desc = (await get(s, '/Users?count=1000&sortBy=name.familyName&sortOrder=descending')).json.Resources.map((u: Obj) =>
      u.name?.familyName?.toLowerCase(),
    );
    const present = desc.filter((x: string | undefined) => x !== undefined);
    expect(present).toEqual([...present].sort(codeUnitOrder).reverse());
    expect(desc.at(-1)).toBeUndefined();
    const paged = [
      ...(await get(s, '/Users?count=50&sortBy=userName')).json.Resources,
      ...(await get(s, '/Users?startIndex=51&count=50&sortBy=userName')).json.Resources,
    ].map((u: Obj) => u.userName.toLowerCase());
    expect(paged).toEqual(asc.slice(0, 100));
    expect((await get(s, '/Users?sortBy=userName&sortOrder=sideways')).status).toBe(400);
  });

  it('projects with attributes and excludedAttributes', async () => {
    const u = users[5];
    const only = (await get(s, `/Users/${u.id}?attributes=userName,name.givenName,${ENTERPRISE_USER}:department`)).json;
    expect(only).toEqual({
      schemas: u.schemas,
      id: u.id,
      userName: u.userName,
      name: { givenName: u.name.givenName },
      [ENTERPRISE_USER]: { department: u[ENTERPRISE_USER].department },
    });
    const without = (await get(s, `/Users?count=1&startIndex=6&excludedAttributes=emails,meta,${ENTERPRISE_USER}`)).json.Resources[0];
    expect(without.emails).toBeUndefined();
    expect(without.meta).toBeUndefined();
    expect(without[ENTERPRISE_USER]).toBeUndefined();
    expect(without.userName).toBe(u.userName);
    expect(without.id).toBe(u.id);
  });
});

describe('users: writes', () => {
  const s = serverPerSuite({ users: 20 });

  it('creates a user: 201, Location, ETag, canonical attribute names', async () => {
    const r = await call(s, 'POST', '/Users', {
      schemas: [CORE_USER, ENTERPRISE_USER],
      USERNAME: 'Rec-User@Example.test',
      externalId: 'rec-ext-1',
      name: { givenname: 'Rec', familyName: 'User' },
      emails: [{ value: 'Rec-User@Example.test', type: 'work', primary: true }],
      active: true,
      password: 'hunter2',
      [ENTERPRISE_USER]: { department: 'Engineering', employeeNumber: 'R-1' },
      nonsense: 'dropped',
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`${s.baseUrl}/Users/${r.json.id}`);
    expect(r.headers.get('etag')).toBe('W/"1"');
    expect(r.json).toMatchObject({
      userName: 'Rec-User@Example.test',
      name: { givenName: 'Rec', familyName: 'User' },
      [ENTERPRISE_USER]: { department: 'Engineering' },
    });
    expect(r.json.password).toBeUndefined();
    expect(r.json.nonsense).toBeUndefined();
    expect(r.json.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(s.store.getUser(r.json.id)).toMatchObject({ userName: 'Rec-User@Example.test' });
  });

  it('refuses duplicates (case-insensitive) with 409 uniqueness', async () => {
    const r = await call(s, 'POST', '/Users', newUser('rec-user@example.TEST'));
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ status: '409', scimType: 'uniqueness' });
  });

  it('validates bodies: schemas, userName, types, JSON', async () => {
    expect((await call(s, 'POST', '/Users', { userName: 'no-schemas' })).json.scimType).toBe('invalidSyntax');
    expect((await call(s, 'POST', '/Users', { schemas: [CORE_USER] })).json.scimType).toBe('invalidValue');
    expect((await call(s, 'POST', '/Users', newUser('sb@example.test', { active: 'true' }))).json).toMatchObject({
      status: '400',
      scimType: 'invalidValue',
    });
    expect((await call(s, 'POST', '/Users', newUser('e@example.test', { emails: { value: 'x' } }))).status).toBe(400);
    expect(
      (
        await call(
          s,
          'POST',
          '/Users',
          newUser('p@example.test', {
            emails: [
              { value: 'a', primary: true },
              { value: 'b', primary: true },
            ],
          }),
        )
      ).status,
    ).toBe(400);
    expect((await call(s, 'POST', '/Users', '{"schemas": [')).json.scimType).toBe('invalidSyntax');
    expect((await call(s, 'POST', '/Users', 'userName=x', { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('accepts application/json bodies too', async () => {
    const r = await call(s, 'POST', '/Users', newUser('json@example.test'), { 'content-type': 'application/json' });
    expect(r.status).toBe(201);
  });

  it('PUT replaces: omitted attributes are cleared, If-Match is honoured, clashes are 409', async () => {
    const u = (await call(s, 'POST', '/Users', newUser('put@example.test', { title: 'Boss', displayName: 'P' }))).json;
    expect((await call(s, 'PUT', `/Users/${u.id}`, newUser('put@example.test'), { 'if-match': 'W/"9"' })).status).toBe(412);
    const r = await call(s, 'PUT', `/Users/${u.id}`, newUser('put@example.test', { displayName: 'Q' }), { 'if-match': 'W/"1"' });
    expect(r.status).toBe(200);
    expect(r.json.title).toBeUndefined();
    expect(r.json.displayName).toBe('Q');
    expect(r.json.meta.version).toBe('W/"2"');
    expect(Date.parse(r.json.meta.lastModified)).toBeGreaterThan(Date.parse(r.json.meta.created));
    expect((await call(s, 'PUT', `/Users/${u.id}`, newUser('JSON@example.test'))).status).toBe(409);
  });

  it('PATCH: Entra-style Replace with a value object, active as boolean', async () => {
    const u = (await call(s, 'POST', '/Users', newUser('patch1@example.test', { active: true }))).json;
    const r = await call(
      s,
      'PATCH',
      `/Users/${u.id}`,
      patchOp({ op: 'Replace', value: { active: false, 'name.givenName': 'Pat', [`${ENTERPRISE_USER}:department`]: 'Ops' } }),
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ active: false, name: { givenName: 'Pat' }, [ENTERPRISE_USER]: { department: 'Ops' } });
  });

  it('PATCH: add/replace/remove with paths, value filters and sub-attributes', async () => {
    const u = (
      await call(
        s,
        'POST',
        '/Users',
        newUser('patch2@example.test', {
          emails: [
            { value: 'w@example.test', type: 'work', primary: true },
            { value: 'h@example.test', type: 'home' },
          ],
        }),
      )
    ).json;
    const p = (body: Obj) => call(s, 'PATCH', `/Users/${u.id}`, body);
    let r = await p(patchOp({ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.test' }));
    expect(r.json.emails).toEqual([
      { value: 'new@example.test', type: 'work', primary: true },
      { value: 'h@example.test', type: 'home' },
    ]);
    r = await p(patchOp({ op: 'remove', path: 'emails[type eq "home"]' }));
    expect(r.json.emails).toEqual([{ value: 'new@example.test', type: 'work', primary: true }]);
    r = await p(patchOp({ op: 'add', path: 'emails', value: [{ value: 'o@example.test', type: 'other', primary: true }] }));
    expect(r.json.emails.map((e: Obj) => [e.value, e.primary])).toEqual([
      ['new@example.test', false],
      ['o@example.test', true],
    ]);
    r = await p(patchOp({ op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' }));
    expect(r.json.phoneNumbers).toEqual([{ type: 'mobile', value: '+1 555 0100' }]);
    r = await p(
      patchOp(
        { op: 'add', path: 'name.familyName', value: 'Doe' },
        { op: 'add', path: `${ENTERPRISE_USER}:manager`, value: { value: s.store.listUsers()[0].id } },
      ),
    );
    expect(r.json.name).toEqual({ familyName: 'Doe' });
    expect(r.json[ENTERPRISE_USER].manager.displayName).toBe(s.store.listUsers()[0].displayName);
    r = await p(patchOp({ op: 'remove', path: 'name.familyName' }, { op: 'remove', path: ENTERPRISE_USER }));
    expect(r.json.name).toBeUndefined();
    expect(r.json[ENTERPRISE_USER]).toBeUndefined();
    expect(r.json.schemas).toEqual([CORE_USER]);
  });

  it('PATCH errors: noTarget, mutability, invalid op, bad path, type errors; nothing half-applied', async () => {
    const u = (await call(s, 'POST', '/Users', newUser('patch3@example.test', { title: 'T' }))).json;
    const p = (body: Obj) => call(s, 'PATCH', `/Users/${u.id}`, body);
    expect((await p(patchOp({ op: 'remove' }))).json.scimType).toBe('noTarget');
    expect((await p(patchOp({ op: 'replace', path: 'emails[type eq "work"].value', value: 'x' }))).json.scimType).toBe('noTarget');
    expect((await p(patchOp({ op: 'replace', path: 'id', value: 'x' }))).json.scimType).toBe('mutability');
    expect((await p(patchOp({ op: 'move', path: 'title', value: 'x' }))).json.scimType).toBe('invalidSyntax');
    expect((await p(patchOp({ op: 'replace', path: 'emails[type eq', value: 'x' }))).json.scimType).toBe('invalidPath');
    expect((await p({ Operations: [{ op: 'replace', path: 'title', value: 'x' }] })).json.scimType).toBe('invalidSyntax');
    expect(
      (await p(patchOp({ op: 'replace', path: 'title', value: 'changed' }, { op: 'replace', path: 'active', value: 'yes' }))).status,
    ).toBe(400);
    expect((await get(s, `/Users/${u.id}`)).json.title).toBe('T');
    expect((await p(patchOp({ op: 'remove', path: 'userName' }))).status).toBe(400);
  });

  it('DELETE removes the user: 204, then 404', async () => {
    const u = (await call(s, 'POST', '/Users', newUser('del@example.test'))).json;
    expect((await call(s, 'DELETE', `/Users/${u.id}`)).status).toBe(204);
    expect((await get(s, `/Users/${u.id}`)).status).toBe(404);
    expect((await call(s, 'DELETE', `/Users/${u.id}`)).status).toBe(404);
    expect((await call(s, 'POST', '/Users', newUser('del@example.test'))).status).toBe(201);
  });

  it('deleting seeded users keeps paging consistent', async () => {
    const before = await allIdsByIndex(s, 7);
    const seeded = s.store.listUsers()[3].id;
    expect(s.store.deleteUser(seeded)).toBe(true);
    const after = await allIdsByIndex(s, 7);
    expect(after).toEqual(before.filter((id) => id !== seeded));
    expect(s.store.getUser(seeded)).toBeUndefined();
  });
});

describe('groups', () => {
  const s = serverPerSuite({ users: 30 });
  let u: Obj[];
  beforeAll(async () => {
    u = s.store.listUsers();
  });

  it('creates groups with members; users show the membership', async () => {
    const r = await call(
      s,
      'POST',
      '/Groups',
      newGroup('Team A', { externalId: 'ga', members: [{ value: u[0].id }, { value: u[1].id, type: 'User' }] }),
    );
    expect(r.status).toBe(201);
    expect(r.json.members).toEqual([
      { value: u[0].id, $ref: `${s.baseUrl}/Users/${u[0].id}`, type: 'User', display: u[0].displayName },
      { value: u[1].id, $ref: `${s.baseUrl}/Users/${u[1].id}`, type: 'User', display: u[1].displayName },
    ]);
    expect((await get(s, `/Users/${u[0].id}`)).json.groups).toEqual([
      { value: r.json.id, $ref: `${s.baseUrl}/Groups/${r.json.id}`, display: 'Team A', type: 'direct' },
    ]);
    expect((await call(s, 'POST', '/Groups', newGroup('team a'))).json.scimType).toBe('uniqueness');
    expect((await call(s, 'POST', '/Groups', newGroup('Team B', { members: [{ value: 'nope' }] }))).json.scimType).toBe('invalidValue');
  });

  it('PATCH adds and removes members (filter, Azure value list, replace)', async () => {
    const g = (await call(s, 'POST', '/Groups', newGroup('Team C'))).json;
    const p = (...ops: Obj[]) => call(s, 'PATCH', `/Groups/${g.id}`, patchOp(...ops));
    let r = await p({ op: 'add', path: 'members', value: [{ value: u[2].id }, { value: u[3].id }, { value: u[4].id }] });
    expect(r.json.members.map((m: Obj) => m.value)).toEqual([u[2].id, u[3].id, u[4].id]);
    r = await p({ op: 'remove', path: `members[value eq "${u[3].id}"]` });
    expect(r.json.members.map((m: Obj) => m.value)).toEqual([u[2].id, u[4].id]);
    r = await p({ op: 'Remove', path: 'members', value: [{ value: u[2].id }] });
    expect(r.json.members.map((m: Obj) => m.value)).toEqual([u[4].id]);
    r = await p({ op: 'replace', path: 'members', value: [{ value: u[5].id }] }, { op: 'replace', path: 'displayName', value: 'Team C2' });
    expect(r.json).toMatchObject({ displayName: 'Team C2', members: [{ value: u[5].id }] });
    r = await p({ op: 'add', value: { members: [{ value: u[6].id }] } });
    expect(r.json.members).toHaveLength(2);
    expect((await p({ op: 'add', path: 'members', value: [{ value: 'ghost' }] })).status).toBe(400);
    r = await p({ op: 'remove', path: 'members' });
    expect(r.json.members).toEqual([]);
  });

  it('lists groups: excludedAttributes=members, filter on members.value and displayName', async () => {
    const g = (await call(s, 'POST', '/Groups', newGroup('Filter Me', { members: [{ value: u[7].id }] }))).json;
    const list = (await get(s, '/Groups?excludedAttributes=members')).json;
    expect(list.Resources.every((x: Obj) => x.members === undefined)).toBe(true);
    expect((await get(s, `/Groups?filter=${q(`members.value eq "${u[7].id}"`)}`)).json.Resources.map((x: Obj) => x.id)).toEqual([g.id]);
    expect((await get(s, `/Groups?filter=${q('displayName eq "filter me"')}`)).json.totalResults).toBe(1);
  });

  it('nested groups work by default; deleting members and groups cleans up', async () => {
    const parent = (await call(s, 'POST', '/Groups', newGroup('Parent'))).json;
    const child = (await call(s, 'POST', '/Groups', newGroup('Child', { members: [{ value: u[8].id }] }))).json;
    const r = await call(
      s,
      'PATCH',
      `/Groups/${parent.id}`,
      patchOp({ op: 'add', path: 'members', value: [{ value: child.id }, { value: u[9].id }] }),
    );
    expect(r.json.members.map((m: Obj) => m.type)).toEqual(['Group', 'User']);
    expect((await call(s, 'DELETE', `/Users/${u[9].id}`)).status).toBe(204);
    expect((await get(s, `/Groups/${parent.id}`)).json.members.map((m: Obj) => m.value)).toEqual([child.id]);
    expect((await call(s, 'DELETE', `/Groups/${child.id}`)).status).toBe(204);
    expect((await get(s, `/Groups/${parent.id}`)).json.members).toEqual([]);
    expect((await get(s, `/Groups/${child.id}`)).status).toBe(404);
  });

  it('PUT replaces the member list', async () => {
    const g = (await call(s, 'POST', '/Groups', newGroup('Put Team', { members: [{ value: u[10].id }] }))).json;
    const r = await call(s, 'PUT', `/Groups/${g.id}`, newGroup('Put Team', { members: [{ value: u[11].id }] }));
    expect(r.json.members.map((m: Obj) => m.value)).toEqual([u[11].id]);
    expect((await call(s, 'PUT', `/Groups/${g.id}`, newGroup('Put Team'))).json.members).toEqual([]);
  });
});

describe('auth', () => {
  it('bearer: 401 with a SCIM error and WWW-Authenticate when missing or wrong', async () => {
    await withServer({ auth: { type: 'bearer', token: 'secret' } }, async (s) => {
      const r = await get(s, '/Users');
      expect(r.status).toBe(401);
      expect(r.json).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await get(s, '/Users', { authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await get(s, '/Users', { authorization: 'bearer secret' })).status).toBe(200);
      expect((await get(s, '/ServiceProviderConfig')).status).toBe(401);
    });
  });

  it('basic', async () => {
    await withServer({ auth: { type: 'basic', username: 'u', password: 'p:w' } }, async (s) => {
      const b = (x: string) => ({ authorization: `Basic ${Buffer.from(x).toString('base64')}` });
      expect((await get(s, '/Users', b('u:p:w'))).status).toBe(200);
      expect((await get(s, '/Users', b('u:nope'))).status).toBe(401);
      expect((await get(s, '/ServiceProviderConfig', b('u:p:w'))).json.authenticationSchemes[0].type).toBe('httpbasic');
    });
  });

  it('oauth2 client credentials: form or basic client auth, expiry, issuance count', async () => {
    await withServer(
      { auth: { type: 'oauth2', clientId: 'cid', clientSecret: 's3cret', tokenTtlSeconds: 120, scope: 'scim' } },
      async (s) => {
        expect(s.tokenUrl).toBe(`${s.url}/oauth/token`);
        const form = (body: string, headers: Record<string, string> = {}) =>
          fetch(s.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
        const r1 = await form('grant_type=client_credentials&client_id=cid&client_secret=s3cret');
        expect(r1.status).toBe(200);
        expect(r1.headers.get('cache-control')).toBe('no-store');
        const t1 = (await r1.json()) as Obj;
        expect(t1).toMatchObject({ token_type: 'Bearer', expires_in: 120, scope: 'scim' });
        const r2 = await form('grant_type=client_credentials', { authorization: `Basic ${Buffer.from('cid:s3cret').toString('base64')}` });
        const t2 = (await r2.json()) as Obj;
        expect(t2.access_token).not.toBe(t1.access_token);
        expect((await form('grant_type=client_credentials&client_id=cid&client_secret=bad')).status).toBe(401);
        expect(((await (await form('grant_type=password&client_id=cid&client_secret=s3cret')).json()) as Obj).error).toBe(
          'unsupported_grant_type',
        );
        expect(
          ((await (await form('grant_type=client_credentials&client_id=cid&client_secret=s3cret&scope=admin')).json()) as Obj).error,
        ).toBe('invalid_scope');
        expect(s.stats().tokensIssued).toBe(2);
        expect((await get(s, '/Users', { authorization: `Bearer ${t1.access_token}` })).status).toBe(200);
        expect((await get(s, '/Users', { authorization: 'Bearer made-up' })).status).toBe(401);
        s.expireTokens();
        const expired = await get(s, '/Users', { authorization: `Bearer ${t1.access_token}` });
        expect(expired.status).toBe(401);
        expect(expired.headers.get('www-authenticate')).toMatch(/invalid_token/);
      },
    );
  });

  it('setAuth switches credentials at runtime', async () => {
    await withServer({}, async (s) => {
      expect((await get(s, '/Users')).status).toBe(200);
      s.setAuth({ type: 'bearer', token: 'x' });
      expect((await get(s, '/Users')).status).toBe(401);
    });
  });
});

describe('request log, stats, lifecycle', () => {
  it('logs requests with method, path, query, headers, parsed body and status', async () => {
    await withServer({ users: 3 }, async (s) => {
      await get(s, '/Users?count=2&filter=active%20eq%20true', { 'x-test': 'yes' });
      await call(s, 'POST', '/Users', newUser('log@example.test'));
      const [a, b] = s.requests;
      expect(a).toMatchObject({ method: 'GET', path: '/scim/v2/Users', query: { count: '2', filter: 'active eq true' }, status: 200 });
      expect(a.headers['x-test']).toBe('yes');
      expect(b).toMatchObject({ method: 'POST', status: 201, body: { userName: 'log@example.test' } });
      expect(s.stats()).toMatchObject({ requests: 2, writes: 1, byStatus: { 200: 1, 201: 1 } });
      s.clearRequests();
      expect(s.requests).toHaveLength(0);
      expect(s.stats().requests).toBe(2);
    });
  });

  it("counts requests in flight and the most at once (overlap of a client's requests)", async () => {
    // Each latency wait is held until the test releases it, so the three requests overlap for certain.
    const held: Array<() => void> = [];
    const sleep = () => new Promise<void>((resolve) => held.push(resolve));
    await withServer({ users: 3, sleep, quirks: { latencyMs: 1 } }, async (s) => {
      const three = [1, 2, 3].map((i) => get(s, `/Users?startIndex=${i}&count=1`));
      while (held.length < 3) await delay(5);
      expect(s.stats().inFlight).toBe(3);
      held.splice(0).forEach((release) => release());
      await Promise.all(three);
      s.setQuirks({ latencyMs: 0 });
      await get(s, '/Users');
      expect(s.stats()).toMatchObject({ inFlight: 0, peakInFlight: 3 });
    });
  });

  it('keeps the log bounded, or off', async () => {
    await withServer({ maxLogEntries: 5 }, async (s) => {
      for (let i = 0; i < 30; i++) await get(s, `/Users?n=${i}`);
      expect(s.requests.length).toBeLessThanOrEqual(6);
      expect(s.requests.at(-1)!.query.n).toBe('29');
      expect(s.stats().requests).toBe(30);
    });
    await withServer({ logRequests: false }, async (s) => {
      await get(s, '/Users');
      expect(s.requests).toHaveLength(0);
      expect(s.stats().requests).toBe(1);
    });
  });

  it('listens on 127.0.0.1 and stop() ends open (even hung) requests promptly', async () => {
    const s = await startScimServer({ quirks: { faults: [{ kind: 'hang' }] } });
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const request = fetch(`${s.baseUrl}/Users`);
    const pending = request.then(
      () => 'answered',
      () => 'failed',
    );
    const failure = request.then(
      () => undefined,
      (err: { cause?: { code?: string } }) => err.cause?.code,
    );
    while (s.stats().requests < 1) await delay(10);
    // stop() resolves although the request never ends by itself: it destroys the open connections
    // instead of waiting for them, so the client sees its socket closed (not a timeout, not an answer).
    await s.stop();
    expect(await pending).toBe('failed');
    expect(await failure).toBe('UND_ERR_SOCKET');
  });

  it('validates quirk names and values', async () => {
    await withServer({}, async (s) => {
      expect(() => s.setQuirks({ maxPageSise: 5 } as unknown as Partial<Quirks>)).toThrow(/unknown quirk/);
      expect(() => s.setQuirks({ maxPageSize: 'big' as unknown as number })).toThrow(/maxPageSize/);
      expect(() => s.setQuirks({ patchResponse: 'sometimes' as Quirks['patchResponse'] })).toThrow(/patchResponse/);
      expect(() => s.setQuirks({ faults: [{ kind: 'explode' } as unknown as FaultRule] })).toThrow(/kind/);
      s.setQuirks({ maxPageSize: 5 });
      expect(s.quirks.maxPageSize).toBe(5);
      s.resetQuirks();
      expect(s.quirks).toEqual(defaultQuirks());
    });
    await expect(startScimServer({ quirks: { nope: 1 } as unknown as Partial<Quirks> })).rejects.toThrow(/unknown quirk/);
  });
});

describe('store API', () => {
  it('adds, updates and deletes users and groups directly; HTTP sees the changes', async () => {
    await withServer({ users: 4, groups: 2, membersPerGroup: 3 }, async (s) => {
      expect(s.store.listGroups().map((g) => g.members?.length)).toEqual([3, 3]);
      const u = s.store.addUser({
        id: 'fixed-id',
        userName: 'direct@example.test',
        active: true,
        emails: [{ value: 'direct@example.test', primary: true }],
      });
      expect(u).toMatchObject({
        id: 'fixed-id',
        schemas: [CORE_USER],
        meta: { resourceType: 'User', location: `${s.baseUrl}/Users/fixed-id` },
      });
      expect(() => s.store.addUser({ userName: 'DIRECT@example.test' })).toThrow(/already exists/);
      s.store.updateUser('fixed-id', { title: 'Direct', active: null });
      expect((await get(s, '/Users/fixed-id')).json).toMatchObject({ title: 'Direct' });
      expect((await get(s, '/Users/fixed-id')).json.active).toBeUndefined();
      s.store.updateUser('fixed-id', (cur) => ({ ...cur, name: { givenName: 'D' } }));
      expect(s.store.getUser('fixed-id')!.name).toEqual({ givenName: 'D' });
      const g = s.store.addGroup({ displayName: 'Direct Group', members: [{ value: 'fixed-id' }] });
      s.store.addMember(g.id, s.store.listUsers()[0].id);
      expect((await get(s, `/Groups/${g.id}`)).json.members).toHaveLength(2);
      s.store.removeMember(g.id, 'fixed-id');
      s.store.updateGroup(g.id, { displayName: 'Renamed' });
      expect(s.store.getGroup(g.id)).toMatchObject({ displayName: 'Renamed', members: [{ value: s.store.listUsers()[0].id }] });
      const copy = s.store.listUsers()[0];
      copy.userName = 'mutated';
      expect(s.store.listUsers()[0].userName).not.toBe('mutated');
      expect(s.store.deleteUser('fixed-id')).toBe(true);
      expect(s.store.deleteGroup(g.id)).toBe(true);
      expect([s.store.userCount(), s.store.groupCount()]).toEqual([4, 2]);
      s.store.clear();
      expect([s.store.userCount(), s.store.groupCount()]).toEqual([0, 0]);
      expect((await get(s, '/Users')).json.totalResults).toBe(0);
    });
  });
});

// ==================================================================== quirks

describe('pagination quirks', () => {
  const s = serverPerSuite({ users: 30 }, { resetQuirks: true });

  it('P1 maxPageSize caps silently; advertisedMaxPageSize lets SPC lie', async () => {
    s.setQuirks({ maxPageSize: 7, advertisedMaxPageSize: 500 });
    expect((await get(s, '/Users?count=20')).json).toMatchObject({ totalResults: 30, itemsPerPage: 7 });
    expect((await get(s, '/ServiceProviderConfig')).json.filter.maxResults).toBe(500);
  });

  it('P2 defaultPageSize', async () => {
    s.setQuirks({ defaultPageSize: 10 });
    expect((await get(s, '/Users')).json.Resources).toHaveLength(10);
  });

  it('P3 totalResultsIsPageCount', async () => {
    s.setQuirks({ totalResultsIsPageCount: true });
    expect((await get(s, '/Users?count=4')).json.totalResults).toBe(4);
  });

  it('P4 pastEndBehavior firstPage / lastItem', async () => {
    const all = await allIdsByIndex(s, 100);
    s.setQuirks({ pastEndBehavior: 'firstPage' });
    expect((await get(s, '/Users?startIndex=31&count=5')).json.Resources.map((u: Obj) => u.id)).toEqual(all.slice(0, 5));
    s.setQuirks({ pastEndBehavior: 'lastItem' });
    expect((await get(s, '/Users?startIndex=500&count=5')).json.Resources.map((u: Obj) => u.id)).toEqual([all[29]]);
  });

  it('P5 startIndexMode zeroBased / lowIndicesSame', async () => {
    const all = await allIdsByIndex(s, 100);
    s.setQuirks({ startIndexMode: 'zeroBased' });
    expect((await get(s, '/Users?startIndex=1&count=1')).json.Resources[0].id).toBe(all[1]);
    expect((await get(s, '/Users?startIndex=0&count=1')).json.Resources[0].id).toBe(all[0]);
    s.setQuirks({ startIndexMode: 'lowIndicesSame' });
    for (const i of [0, 1, 2]) expect((await get(s, `/Users?startIndex=${i}&count=1`)).json.Resources[0].id).toBe(all[0]);
    expect((await get(s, '/Users?startIndex=3&count=1')).json.Resources[0].id).toBe(all[2]);
  });

  it('P3 totalResultsOffset and totalResultsCap: a total that is wrong, or stops counting', async () => {
    s.setQuirks({ totalResultsOffset: 5 });
    expect((await get(s, '/Users?count=4')).json.totalResults).toBe(35);
    s.setQuirks({ totalResultsOffset: -40 });
    expect((await get(s, '/Users?count=4')).json.totalResults).toBe(0);
    s.setQuirks({ totalResultsOffset: 0, totalResultsCap: 12 });
    const r = (await get(s, '/Users?startIndex=21&count=5')).json;
    expect(r.totalResults).toBe(12);
    expect(r.Resources).toHaveLength(5);
  });

  it('P1 oversizedCount invalidCount: a count above maxPageSize is refused, not capped', async () => {
    s.setQuirks({ maxPageSize: 7, oversizedCount: 'invalidCount' });
    const r = await get(s, '/Users?count=8');
    expect(r.status).toBe(400);
    expect(r.json.scimType).toBe('invalidCount');
    expect((await get(s, '/Users?count=7')).json.Resources).toHaveLength(7);
  });

  it('ignoreStartIndex: every index page is the first one; cursors still page', async () => {
    const all = await allIdsByIndex(s, 100);
    s.setQuirks({ ignoreStartIndex: true });
    const r = (await get(s, '/Users?startIndex=11&count=5')).json;
    expect(r.startIndex).toBe(1);
    expect(r.Resources.map((u: Obj) => u.id)).toEqual(all.slice(0, 5));
    const first = (await get(s, '/Users?count=5&cursor=')).json;
    const second = (await get(s, `/Users?count=5&cursor=${first.nextCursor}`)).json;
    expect(second.Resources.map((u: Obj) => u.id)).toEqual(all.slice(5, 10));
  });

  it('laterQuirks switch on after N list requests, once, and reset with the switch', async () => {
    s.setQuirks({ laterQuirks: { afterListPages: 2, quirks: { totalResultsOffset: 3 } } });
    const totals: number[] = [];
    for (let i = 0; i < 4; i++) {
      totals.push((await get(s, `/Users?startIndex=${1 + i * 5}&count=5`)).json.totalResults);
      // Requests other than lists do not count.
      await get(s, '/ServiceProviderConfig');
    }
    expect(totals).toEqual([30, 30, 33, 33]);
    expect(s.quirks.laterQuirks).toBeNull();
    expect(() => s.setQuirks({ laterQuirks: { afterListPages: 1, quirks: { noSuchQuirk: 1 } as Partial<Quirks> } })).toThrow(
      /laterQuirks.quirks: unknown quirk 'noSuchQuirk'/,
    );
    expect(() => s.setQuirks({ laterQuirks: { afterListPages: -1, quirks: {} } })).toThrow(/afterListPages/);
  });

  it('P6 cursorOnly: AWS envelope, startIndex ignored or refused, SPC says index false', async () => {
    s.setQuirks({ cursorOnly: true });
    const r = await get(s, '/Users?startIndex=11&count=10');
    expect(Object.keys(r.json).sort()).toEqual(['Resources', 'itemsPerPage', 'nextCursor', 'schemas']);
    const r2 = await get(s, '/Users?count=10');
    expect(r.json.Resources).toEqual(r2.json.Resources);
    const next = await get(s, `/Users?count=10&cursor=${r2.json.nextCursor}`);
    expect(next.json.Resources[0].id).not.toBe(r2.json.Resources[0].id);
    expect((await get(s, '/ServiceProviderConfig')).json.pagination).toMatchObject({
      cursor: true,
      index: false,
      defaultPaginationMethod: 'cursor',
    });
    s.setQuirks({ cursorOnlyStartIndex: 'reject' });
    expect((await get(s, '/Users?startIndex=1&count=10')).status).toBe(400);
  });

  it('P7 unsolicitedNextCursor, expireNextCursors (counts down), cursorSupported=false', async () => {
    s.setQuirks({ unsolicitedNextCursor: true });
    const r = await get(s, '/Users?startIndex=1&count=10');
    expect(r.json.nextCursor).toBeTruthy();
    const follow = await get(s, `/Users?count=10&cursor=${r.json.nextCursor}`);
    expect(follow.json.Resources[0].id).toBe((await get(s, '/Users?startIndex=11&count=1')).json.Resources[0].id);
    s.setQuirks({ expireNextCursors: 1 });
    expect((await get(s, `/Users?count=10&cursor=${r.json.nextCursor}`)).json).toMatchObject({ status: '400', scimType: 'expiredCursor' });
    expect(s.quirks.expireNextCursors).toBe(0);
    expect((await get(s, `/Users?count=10&cursor=${r.json.nextCursor}`)).status).toBe(200);
    s.setQuirks({ cursorSupported: false, unsolicitedNextCursor: false });
    const ignored = await get(s, '/Users?count=10&cursor=');
    expect(ignored.json.startIndex).toBe(1);
    expect(ignored.json.nextCursor).toBeUndefined();
    expect((await get(s, '/ServiceProviderConfig')).json.pagination.cursor).toBe(false);
  });

  it('P8 maxStartIndex refuses deep pages and hints at id gt; keyset paging works', async () => {
    s.setQuirks({ maxStartIndex: 10 });
    const r = await get(s, '/Users?startIndex=11&count=5');
    expect(r.status).toBe(400);
    expect(r.json.detail).toMatch(/id gt/);
    const page = (await get(s, '/Users?count=100&sortBy=id')).json.Resources.map((u: Obj) => u.id);
    const keyset = (await get(s, `/Users?count=5&sortBy=id&filter=${q(`id gt "${page[9]}"`)}`)).json.Resources.map((u: Obj) => u.id);
    expect(keyset).toEqual(page.slice(10, 15));
  });

  it('P9 emptyListShape omitResources / bare', async () => {
    const empty = `/Users?filter=${q('userName eq "nobody"')}`;
    s.setQuirks({ emptyListShape: 'omitResources' });
    expect((await get(s, empty)).json).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
    });
    s.setQuirks({ emptyListShape: 'bare' });
    expect((await get(s, empty)).json).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0 });
  });

  it('P10 lowerCaseEnvelopeKeys (lists and ResourceTypes)', async () => {
    s.setQuirks({ lowerCaseEnvelopeKeys: true });
    expect(Object.keys((await get(s, '/Users?count=1')).json).sort()).toEqual([
      'itemsperpage',
      'resources',
      'schemas',
      'startindex',
      'totalresults',
    ]);
    expect((await get(s, '/ResourceTypes')).json.resources).toHaveLength(2);
  });

  it('P11 itemsPerPageEchoesCount', async () => {
    s.setQuirks({ itemsPerPageEchoesCount: true });
    expect((await get(s, '/Users?startIndex=21&count=50')).json).toMatchObject({ itemsPerPage: 50 });
  });

  it('P12 countZero error / maxPage / zeroTotal', async () => {
    s.setQuirks({ countZero: 'error' });
    expect((await get(s, '/Users?count=0')).status).toBe(400);
    s.setQuirks({ countZero: 'maxPage', maxPageSize: 8 });
    expect((await get(s, '/Users?count=0')).json.Resources).toHaveLength(8);
    s.setQuirks({ countZero: 'zeroTotal' });
    expect((await get(s, '/Users?count=0')).json.totalResults).toBe(0);
  });

  it('P13 requireStartIndexAndCount', async () => {
    s.setQuirks({ requireStartIndexAndCount: true });
    expect((await get(s, '/Users?count=5')).json.Resources).toEqual([]);
    expect((await get(s, '/Users?startIndex=1')).json.Resources).toEqual([]);
    expect((await get(s, '/Users?startIndex=1&count=5')).json.Resources).toHaveLength(5);
  });

  it('P14 placeholderOnUnfilteredList', async () => {
    s.setQuirks({ placeholderOnUnfilteredList: true });
    const r = await get(s, '/Users?count=100');
    expect(r.json.totalResults).toBe(1);
    expect(r.json.Resources[0].id).toBe('SCIM_PLACEHOLDER_USER');
    expect((await get(s, `/Users?filter=${q('active pr')}`)).json.totalResults).toBe(30);
  });

  it('P15 listOmitsAttributes', async () => {
    s.setQuirks({ listOmitsAttributes: [`${ENTERPRISE_USER}:costCenter`, 'title'] });
    const listed = (await get(s, '/Users?count=1')).json.Resources[0];
    expect(listed.title).toBeUndefined();
    expect(listed[ENTERPRISE_USER].costCenter).toBeUndefined();
    const byId = (await get(s, `/Users/${listed.id}`)).json;
    expect(byId.title).toBeTruthy();
    expect(byId[ENTERPRISE_USER].costCenter).toBeTruthy();
  });

  it('P16 phantomListEntries', async () => {
    s.setQuirks({ phantomListEntries: 2 });
    const r = await get(s, '/Users?count=100');
    expect(r.json.totalResults).toBe(32);
    expect(r.json.Resources.slice(-2).map((u: Obj) => u.userName)).toEqual([null, null]);
  });

  it('never-ending server: every page is new and the total keeps growing', async () => {
    s.setQuirks({ neverEnding: true });
    const a = (await get(s, '/Users?startIndex=1&count=10')).json;
    const b = (await get(s, '/Users?startIndex=1&count=10')).json;
    expect(a.Resources).toHaveLength(10);
    expect(new Set([...a.Resources, ...b.Resources].map((u: Obj) => u.id)).size).toBe(20);
    expect(b.totalResults).toBeGreaterThan(a.totalResults);
    const c = (await get(s, '/Users?count=10&cursor=')).json;
    expect(c.nextCursor).toBeTruthy();
    expect((await get(s, `/Users?count=10&cursor=${c.nextCursor}`)).json.nextCursor).toBeTruthy();
  });
});

describe('group quirks', () => {
  /** The waits the server asked for (it still waits them out). */
  const waits: number[] = [];
  const s = serverPerSuite({ users: 250, sleep: (ms) => (waits.push(ms), delay(ms)) }, { resetQuirks: true });
  let u: Obj[];
  beforeAll(async () => {
    u = s.store.listUsers();
  });
  const members = (n: number, from = 0) => u.slice(from, from + n).map((x) => ({ value: x.id }));

  it('P17 groupMembersAlwaysEmpty, yet members.value filters still find groups', async () => {
    const g = (await call(s, 'POST', '/Groups', newGroup('P17', { members: members(2) }))).json;
    s.setQuirks({ groupMembersAlwaysEmpty: true });
    expect((await get(s, `/Groups/${g.id}`)).json.members).toEqual([]);
    expect((await get(s, `/Groups?filter=${q(`members.value eq "${u[1].id}"`)}`)).json.Resources.map((x: Obj) => x.id)).toEqual([g.id]);
  });

  it('P18 groupMemberLatencyMsPer1000 slows responses carrying members', async () => {
    const g = (await call(s, 'POST', '/Groups', newGroup('P18', { members: members(200) }))).json;
    s.setQuirks({ groupMemberLatencyMsPer1000: 500 });
    waits.length = 0;
    expect((await get(s, `/Groups/${g.id}`)).status).toBe(200);
    // 200 members at 500 ms per 1000: the answer waited 100 ms.
    expect(waits).toEqual([100]);
    waits.length = 0;
    expect((await get(s, `/Groups/${g.id}?excludedAttributes=members`)).status).toBe(200);
    expect(waits).toEqual([]);
  });

  it('G1 maxMembersPerRequest on create and PATCH', async () => {
    s.setQuirks({ maxMembersPerRequest: 100 });
    expect((await call(s, 'POST', '/Groups', newGroup('G1a', { members: members(101) }))).status).toBe(400);
    const g = (await call(s, 'POST', '/Groups', newGroup('G1b', { members: members(100) }))).json;
    expect(
      (
        await call(
          s,
          'PATCH',
          `/Groups/${g.id}`,
          patchOp({ op: 'add', path: 'members', value: members(60, 100) }, { op: 'add', path: 'members', value: members(41, 160) }),
        )
      ).status,
    ).toBe(400);
    expect((await call(s, 'PATCH', `/Groups/${g.id}`, patchOp({ op: 'add', path: 'members', value: members(100, 100) }))).status).toBe(200);
  });

  it('G2 rejectMembersReplaceAll', async () => {
    const g = (await call(s, 'POST', '/Groups', newGroup('G2', { members: members(3) }))).json;
    s.setQuirks({ rejectMembersReplaceAll: true });
    expect((await call(s, 'PATCH', `/Groups/${g.id}`, patchOp({ op: 'replace', path: 'members', value: members(1) }))).status).toBe(400);
    expect((await call(s, 'PATCH', `/Groups/${g.id}`, patchOp({ op: 'replace', value: { members: members(1) } }))).status).toBe(400);
    expect((await call(s, 'PATCH', `/Groups/${g.id}`, patchOp({ op: 'remove', path: 'members' }))).status).toBe(400);
    expect((await call(s, 'PATCH', `/Groups/${g.id}`, patchOp({ op: 'remove', path: `members[value eq "${u[0].id}"]` }))).status).toBe(200);
  });

  it('G3 maxPayloadBytes answers 413', async () => {
    s.setQuirks({ maxPayloadBytes: 1000 });
    const r = await call(s, 'POST', '/Groups', newGroup('G3', { members: members(50) }));
    expect(r.status).toBe(413);
    expect((await call(s, 'POST', '/Groups', newGroup('G3 small'))).status).toBe(201);
  });

  it('G4 unknownMembers accept stores dangling ids', async () => {
    s.setQuirks({ unknownMembers: 'accept' });
    const r = await call(s, 'POST', '/Groups', newGroup('G4', { members: [{ value: 'does-not-exist' }] }));
    expect(r.status).toBe(201);
    expect(r.json.members[0].value).toBe('does-not-exist');
  });

  it('G5 rejectNestedGroups', async () => {
    const child = (await call(s, 'POST', '/Groups', newGroup('G5 child'))).json;
    s.setQuirks({ rejectNestedGroups: true });
    expect((await call(s, 'POST', '/Groups', newGroup('G5', { members: [{ value: child.id, type: 'Group' }] }))).status).toBe(400);
  });

  it('G6 omitEmptyMembers, G7 memberValueOnly', async () => {
    const empty = (await call(s, 'POST', '/Groups', newGroup('G6'))).json;
    const full = (await call(s, 'POST', '/Groups', newGroup('G7', { members: members(1) }))).json;
    s.setQuirks({ omitEmptyMembers: true, memberValueOnly: true });
    expect('members' in (await get(s, `/Groups/${empty.id}`)).json).toBe(false);
    expect((await get(s, `/Groups/${full.id}`)).json.members).toEqual([{ value: u[0].id }]);
  });

  it('G8 groupDisplayNameUnique can be turned off; G9 groupsUnsupported', async () => {
    await call(s, 'POST', '/Groups', newGroup('G8'));
    expect((await call(s, 'POST', '/Groups', newGroup('g8'))).status).toBe(409);
    s.setQuirks({ groupDisplayNameUnique: false });
    expect((await call(s, 'POST', '/Groups', newGroup('g8'))).status).toBe(201);
    s.setQuirks({ groupsUnsupported: true });
    expect((await get(s, '/Groups')).status).toBe(404);
    expect((await get(s, '/ResourceTypes')).json.Resources.map((r: Obj) => r.id)).toEqual(['User']);
  });
});

describe('filter quirks', () => {
  const s = serverPerSuite({ users: 60 }, { resetQuirks: true });
  let u: Obj;
  beforeAll(async () => {
    u = s.store.listUsers().find((x) => x.externalId)!;
  });
  const status = async (filter: string) => (await get(s, `/Users?filter=${q(filter)}`)).status;
  const total = async (filter: string) => (await get(s, `/Users?filter=${q(filter)}`)).json.totalResults;

  it('F1 filterEqOnly', async () => {
    s.setQuirks({ filterEqOnly: true });
    expect(await status(`userName eq "${u.userName}" and externalId eq "${u.externalId}"`)).toBe(200);
    for (const f of ['userName sw "a"', 'userName eq "a" or userName eq "b"', 'title pr', 'not (active eq true)', 'emails[type eq "work"]'])
      expect(await status(f), f).toBe(400);
  });

  it('F2 allowedFilters (AWS combinations)', async () => {
    s.setQuirks({ allowedFilters: ['userName', 'externalId', 'id+manager'] });
    expect(await status(`userName eq "${u.userName}"`)).toBe(200);
    expect(await status(`id eq "${u.id}" and ${ENTERPRISE_USER}:manager eq "x"`)).toBe(200);
    expect(await status(`id eq "${u.id}"`)).toBe(400);
    expect(await status('displayName eq "x"')).toBe(400);
  });

  it('F3 userNameCaseExact', async () => {
    s.setQuirks({ userNameCaseExact: true });
    expect(await total(`userName eq "${u.userName}"`)).toBe(1);
    expect(await total(`userName eq "${u.userName.toUpperCase()}"`)).toBe(0);
    expect((await call(s, 'POST', '/Users', newUser(u.userName.toUpperCase()))).status).toBe(409);
  });

  it('F4 filterCaseSensitive', async () => {
    s.setQuirks({ filterCaseSensitive: true });
    expect(await status(`userName eq "${u.userName}"`)).toBe(200);
    expect(await status(`username eq "${u.userName}"`)).toBe(400);
    expect(await status(`userName EQ "${u.userName}"`)).toBe(400);
  });

  it('F5 unsupportedFilterReturnsEmpty (invalid, unsupported and extension filters)', async () => {
    s.setQuirks({ unsupportedFilterReturnsEmpty: true, filterEqOnly: true });
    for (const f of ['userName eqq "x"', 'userName sw "a"', `${ENTERPRISE_USER}:department eq "Sales"`]) {
      const r = await get(s, `/Users?filter=${q(f)}`);
      expect(r.status, f).toBe(200);
      expect(r.json.totalResults, f).toBe(0);
    }
  });

  it('F6 invalidFilterReturns500 with a stack trace', async () => {
    s.setQuirks({ invalidFilterReturns500: true });
    const r = await get(s, `/Users?filter=${q('userName eqq "x"')}`);
    expect(r.status).toBe(500);
    expect(r.json.detail).toMatch(/Traceback \(most recent call last\)/);
  });

  it('F7 filterExternalIdSnakeCase and emailsValueFilterUnsupported', async () => {
    expect(await total(`external_id eq "${u.externalId}"`)).toBe(0);
    s.setQuirks({ filterExternalIdSnakeCase: true, emailsValueFilterUnsupported: true });
    expect(await total(`external_id eq "${u.externalId}"`)).toBe(1);
    expect(await total(`emails eq "${u.emails[0].value}"`)).toBe(1);
    expect(await status(`emails.value eq "${u.emails[0].value}"`)).toBe(400);
    expect(await status('emails[type eq "work"]')).toBe(400);
  });

  it('F8 maxFilterNodes', async () => {
    s.setQuirks({ maxFilterNodes: 5 });
    const chain = (n: number) => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(' or ');
    expect(await status(chain(3))).toBe(200);
    expect(await status(chain(4))).toBe(400);
  });
});

describe('create/update quirks', () => {
  const s = serverPerSuite({ users: 5 }, { resetQuirks: true });
  let n = 0;
  const fresh = async (extra: Obj = {}) => (await call(s, 'POST', '/Users', newUser(`fresh${++n}@example.test`, extra))).json;

  it('C1 noLocationHeader, C2 locationBasePath, C3 omitMetaTimestamps, C4 lowerCaseResourceType', async () => {
    s.setQuirks({ noLocationHeader: true, locationBasePath: '/v2', omitMetaTimestamps: true, lowerCaseResourceType: true });
    const r = await call(s, 'POST', '/Users', newUser('c1@example.test'));
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBeNull();
    expect(r.json.meta).toEqual({ resourceType: 'user', location: `${s.url}/v2/Users/${r.json.id}`, version: 'W/"1"' });
    expect((await get(s, `/Users/${r.json.id}`)).status).toBe(200);
  });

  it('C5 patchResponse noContent / noContentOnNoop', async () => {
    const u = await fresh({ active: true });
    s.setQuirks({ patchResponse: 'noContentOnNoop' });
    const off = patchOp({ op: 'replace', path: 'active', value: false });
    expect((await call(s, 'PATCH', `/Users/${u.id}`, off)).status).toBe(200);
    const again = await call(s, 'PATCH', `/Users/${u.id}`, off);
    expect(again.status).toBe(204);
    expect(again.text).toBe('');
    s.setQuirks({ patchResponse: 'noContent' });
    expect((await call(s, 'PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'active', value: true }))).status).toBe(204);
    expect((await get(s, `/Users/${u.id}`)).json.active).toBe(true);
  });

  it('C6 putUnsupported, C7 putMode merge', async () => {
    const u = await fresh({ title: 'Keep me' });
    s.setQuirks({ putUnsupported: true });
    const r = await call(s, 'PUT', `/Users/${u.id}`, newUser(u.userName));
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).not.toMatch(/PUT/);
    s.setQuirks({ putUnsupported: false, putMode: 'merge' });
    const merged = await call(s, 'PUT', `/Users/${u.id}`, newUser(u.userName, { displayName: 'New' }));
    expect(merged.json).toMatchObject({ title: 'Keep me', displayName: 'New' });
  });

  it('C8 stringBooleans coerce, C9 canonicalTypesOnly, C10 unknownAttributes reject', async () => {
    s.setQuirks({ stringBooleans: 'coerce' });
    expect((await fresh({ active: 'False' })).active).toBe(false);
    s.setQuirks({ stringBooleans: 'reject', canonicalTypesOnly: true });
    expect(
      (await call(s, 'POST', '/Users', newUser('c9@example.test', { emails: [{ value: 'x@example.test', type: 'office' }] }))).status,
    ).toBe(400);
    expect((await call(s, 'POST', '/Users', newUser('c9b@example.test', { phoneNumbers: [{ value: '1', type: 'cell' }] }))).status).toBe(
      400,
    );
    s.setQuirks({ canonicalTypesOnly: false, unknownAttributes: 'reject' });
    expect((await call(s, 'POST', '/Users', newUser('c10@example.test', { mailNickname: 'x' }))).json.scimType).toBe('invalidSyntax');
    const u = await fresh();
    expect((await call(s, 'PATCH', `/Users/${u.id}`, patchOp({ op: 'add', path: 'bogus', value: 1 }))).json.scimType).toBe('invalidPath');
  });

  it('C11 requiredUserAttributes, C12 userNameMustBeEmail + verifiedDomains', async () => {
    s.setQuirks({ requiredUserAttributes: ['password', 'name.givenName'] });
    expect((await call(s, 'POST', '/Users', newUser('c11@example.test', { password: 'x' }))).status).toBe(400);
    expect((await call(s, 'POST', '/Users', newUser('c11@example.test', { password: 'x', name: { givenName: 'G' } }))).status).toBe(201);
    s.setQuirks({ requiredUserAttributes: [], userNameMustBeEmail: true, verifiedDomains: ['example.test'] });
    expect((await call(s, 'POST', '/Users', newUser('not-an-email'))).status).toBe(400);
    expect((await call(s, 'POST', '/Users', newUser('x@other.example'))).status).toBe(400);
    expect((await call(s, 'POST', '/Users', newUser('c12@EXAMPLE.test'))).status).toBe(201);
  });

  it('C13 userNameImmutable, C14 emailChangesRefused', async () => {
    const u = await fresh({ emails: [{ value: 'c13@example.test', primary: true }] });
    s.setQuirks({ userNameImmutable: true, emailChangesRefused: true });
    expect(
      (await call(s, 'PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'userName', value: 'renamed@example.test' }))).json.scimType,
    ).toBe('mutability');
    expect(
      (await call(s, 'PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'emails[primary eq true].value', value: 'o@example.test' })))
        .status,
    ).toBe(400);
    expect((await call(s, 'PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'title', value: 'ok' }))).status).toBe(200);
  });

  it('C15 updatesNotApplied answers success but stores nothing', async () => {
    const u = await fresh({ title: 'Before' });
    s.setQuirks({ updatesNotApplied: true });
    const r = await call(s, 'PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'title', value: 'After' }));
    expect(r.json.title).toBe('After');
    expect((await get(s, `/Users/${u.id}`)).json.title).toBe('Before');
  });

  it('C16 deactivatedUsersReadOnly', async () => {
    const u = await fresh({ active: false, title: 'T' });
    s.setQuirks({ deactivatedUsersReadOnly: true });
    const r = await call(s, 'PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'title', value: 'X' }));
    expect(r.status).toBe(400);
    expect(r.json.detail).toMatch(/other than 'active'/);
    expect((await call(s, 'PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'active', value: true }))).status).toBe(200);
    expect((await call(s, 'PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'title', value: 'X' }))).status).toBe(200);
  });

  it('C18 normalizeValues lower-cases emails and synthesises names', async () => {
    s.setQuirks({ normalizeValues: true });
    const u = (await call(s, 'POST', '/Users', newUser('C18-User@Example.test'))).json;
    expect(u).toMatchObject({
      displayName: 'c18-user@example.test',
      name: { formatted: 'c18-user@example.test' },
      emails: [{ value: 'c18-user@example.test', primary: true }],
    });
    const v = (
      await call(
        s,
        'POST',
        '/Users',
        newUser('c18b@example.test', { name: { givenName: 'A', familyName: 'B' }, emails: [{ value: 'MiXeD@Example.test' }] }),
      )
    ).json;
    expect(v).toMatchObject({ displayName: 'A B', emails: [{ value: 'mixed@example.test' }] });
  });

  it('C19 externalIdUnique', async () => {
    await fresh({ externalId: 'dup-ext' });
    expect((await call(s, 'POST', '/Users', newUser('c19b@example.test', { externalId: 'dup-ext' }))).status).toBe(201);
    s.setQuirks({ externalIdUnique: true });
    expect((await call(s, 'POST', '/Users', newUser('c19c@example.test', { externalId: 'dup-ext' }))).json.scimType).toBe('uniqueness');
  });

  it('patchUpsertOnNoTarget creates the element a replace filter names', async () => {
    const u = await fresh();
    s.setQuirks({ patchUpsertOnNoTarget: true });
    const r = await call(
      s,
      'PATCH',
      `/Users/${u.id}`,
      patchOp({ op: 'replace', path: 'emails[type eq "work"].value', value: 'w@example.test' }),
    );
    expect(r.json.emails).toEqual([{ type: 'work', value: 'w@example.test' }]);
  });

  it('etagSupported=false drops versions and If-Match checks', async () => {
    const u = await fresh();
    s.setQuirks({ etagSupported: false });
    const r = await call(s, 'PUT', `/Users/${u.id}`, newUser(u.userName), { 'if-match': 'W/"99"' });
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBeNull();
    expect(r.json.meta.version).toBeUndefined();
    expect((await get(s, '/ServiceProviderConfig')).json.etag.supported).toBe(false);
  });
});

describe('deprovisioning quirks', () => {
  const s = serverPerSuite({}, { resetQuirks: true });
  let n = 0;
  const fresh = async (extra: Obj = {}) => (await call(s, 'POST', '/Users', newUser(`d${++n}@example.test`, extra))).json;

  it('D1 deleteDeactivates', async () => {
    const u = await fresh({ active: true });
    s.setQuirks({ deleteDeactivates: true });
    expect((await call(s, 'DELETE', `/Users/${u.id}`)).status).toBe(204);
    expect((await get(s, `/Users/${u.id}`)).json.active).toBe(false);
  });

  it('D2 deactivatedUsersNotFound (still listed)', async () => {
    const u = await fresh({ active: false });
    s.setQuirks({ deactivatedUsersNotFound: true });
    expect((await get(s, `/Users/${u.id}`)).status).toBe(404);
    expect((await call(s, 'PATCH', `/Users/${u.id}`, patchOp({ op: 'replace', path: 'active', value: true }))).status).toBe(404);
    expect((await get(s, `/Users?filter=${q(`id eq "${u.id}"`)}`)).json.totalResults).toBe(1);
  });

  it('D3 recreateAfterDeleteConflicts', async () => {
    const u = await fresh({ externalId: 'd3', emails: [{ value: 'd3-mail@example.test' }] });
    s.setQuirks({ recreateAfterDeleteConflicts: true });
    await call(s, 'DELETE', `/Users/${u.id}`);
    expect((await get(s, `/Users?filter=${q(`userName eq "${u.userName}"`)}`)).json.totalResults).toBe(0);
    expect((await call(s, 'POST', '/Users', newUser(u.userName.toUpperCase()))).status).toBe(409);
    expect(
      (await call(s, 'POST', '/Users', newUser('other-d3@example.test', { emails: [{ value: 'D3-mail@example.test' }] }))).status,
    ).toBe(409);
  });

  it('D4 deleteUnsupported', async () => {
    const u = await fresh();
    s.setQuirks({ deleteUnsupported: true });
    expect((await call(s, 'DELETE', `/Users/${u.id}`)).status).toBe(405);
  });
});

describe('type, header and error quirks', () => {
  const s = serverPerSuite({ users: 5 }, { resetQuirks: true });

  it('T1-T3 errorStyle', async () => {
    s.setQuirks({ errorStyle: 'integerStatus' });
    expect((await get(s, '/Users/nope')).json.status).toBe(404);
    s.setQuirks({ errorStyle: 'scim11' });
    expect((await get(s, '/Users/nope')).json).toEqual({ Errors: [{ description: 'Resource nope not found', code: 404 }] });
    s.setQuirks({ errorStyle: 'noStatus' });
    expect((await get(s, '/Users/nope')).json).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      detail: 'Resource nope not found',
    });
  });

  it('T4 responseContentType', async () => {
    s.setQuirks({ responseContentType: 'text/html' });
    const r = await get(s, '/Users?count=1');
    expect(r.headers.get('content-type')).toBe('text/html');
    expect(r.json.totalResults).toBe(5);
  });

  it('T5 deleteRejectsAcceptHeader', async () => {
    const u = (await call(s, 'POST', '/Users', newUser('t5@example.test'))).json;
    s.setQuirks({ deleteRejectsAcceptHeader: true });
    expect((await call(s, 'DELETE', `/Users/${u.id}`, undefined, { accept: 'application/scim+json' })).status).toBe(400);
    expect((await call(s, 'DELETE', `/Users/${u.id}`)).status).toBe(204);
  });

  it('T6 notFoundAs400, T7 stackTraces on 500s', async () => {
    s.setQuirks({ notFoundAs400: true, stackTraces: true, faults: [{ kind: 'status500', path: '/Groups' }] });
    expect((await get(s, '/Users/nope')).status).toBe(400);
    const r = await get(s, '/Groups');
    expect(r.status).toBe(500);
    expect(r.json.detail).toMatch(/Traceback/);
  });

  it('T8 unsupportedEndpointsEmpty404', async () => {
    s.setQuirks({ unsupportedEndpointsEmpty404: true });
    for (const p of ['/Bulk', '/Me', '/.search', '/Whatever']) {
      const r = await call(s, p === '/Me' ? 'GET' : 'POST', p, p === '/Me' ? undefined : {});
      expect(r.status, p).toBe(404);
      expect(r.text, p).toBe('');
    }
  });

  it('T9 idStyle: hex32, aws, unusual (needs URL-encoding)', async () => {
    const shapes: [Quirks['idStyle'], RegExp][] = [
      ['hex32', /^[0-9a-f]{32}$/],
      ['aws', /^[0-9a-f]{10}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/],
      ['unusual', /^[0-9a-f]{8}&[0-9a-f]{4} [0-9a-f]{4}\+[0-9a-f]{6}$/],
    ];
    for (const [idStyle, re] of shapes) {
      s.setQuirks({ idStyle });
      const u = (await call(s, 'POST', '/Users', newUser(`t9-${idStyle}@example.test`))).json;
      expect(u.id).toMatch(re);
      expect((await get(s, `/Users/${encodeURIComponent(u.id)}`)).json.userName).toBe(`t9-${idStyle}@example.test`);
      expect(u.meta.location).toBe(`${s.baseUrl}/Users/${encodeURIComponent(u.id)}`);
    }
    const odd = s.store.addUser({ id: 'a&b c', userName: 't9-odd@example.test' });
    expect((await get(s, `/Users/${encodeURIComponent(odd.id)}`)).json.userName).toBe('t9-odd@example.test');
    await withServer({ users: 3, quirks: { idStyle: 'hex32' } }, async (x) => {
      const seeded = (await get(x, '/Users')).json.Resources as Obj[];
      expect(seeded.every((u) => /^[0-9a-f]{32}$/.test(u.id))).toBe(true);
      expect((await get(x, `/Users/${seeded[2].id}`)).status).toBe(200);
    });
  });

  it('T10 timestampStyle, T11 vendorExtension, T13 projectionDropsSchemasMeta, discoveryWithoutAuth', async () => {
    s.setQuirks({ timestampStyle: 'offset', vendorExtension: true, projectionDropsSchemasMeta: true });
    const u = (await get(s, '/Users?count=1')).json.Resources[0];
    expect(u.meta.created).toMatch(/-08:00$/);
    expect(u['urn:ietf:params:scim:schemas:extension:zoom:1.0:User']).toMatchObject({ loginType: 'true' });
    expect((await get(s, `/Users/${u.id}?attributes=userName`)).json).toEqual({ id: u.id, userName: u.userName });
    s.setQuirks({ timestampStyle: 'noMillis' });
    expect((await get(s, `/Users/${u.id}`)).json.meta.created).toMatch(/:\d\dZ$/);
    s.setQuirks({ timestampStyle: 'micros' });
    expect((await get(s, `/Users/${u.id}`)).json.meta.created).toMatch(/\.\d{6}Z$/);
    await withServer({ auth: { type: 'bearer', token: 't' }, quirks: { discoveryWithoutAuth: true } }, async (x) => {
      expect((await get(x, '/ServiceProviderConfig')).status).toBe(200);
      expect((await get(x, '/Users')).status).toBe(401);
    });
  });
});

describe('rate limits', () => {
  it('R1 token bucket: 429 with Retry-After seconds or HTTP date; R4 headers', async () => {
    await withServer({ quirks: { rateLimit: { requestsPerSecond: 1, burst: 3 }, rateLimitHeaders: true } }, async (s) => {
      const statuses: number[] = [];
      let last: Res | undefined;
      for (let i = 0; i < 5; i++) {
        last = await get(s, '/Users');
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(last!.headers.get('x-rate-limit-remaining')).toBe('0');
      expect(Number(last!.headers.get('x-rate-limit-reset'))).toBeGreaterThanOrEqual(1);
      expect(last!.json.status).toBe('429');
      expect(s.stats().tooManyRequests).toBe(2);
      s.setQuirks({ retryAfterStyle: 'httpDate' });
      const dated = await get(s, '/Users');
      expect(Number.isNaN(Date.parse(dated.headers.get('retry-after')!))).toBe(false);
      s.setQuirks({ rateLimit: { requestsPerSecond: 1, burst: 1, methods: ['POST'] } });
      for (let i = 0; i < 3; i++) expect((await get(s, '/Users')).status).toBe(200);
    });
  });
});

describe('latency and faults', () => {
  const s = serverPerSuite({ users: 5 }, { resetQuirks: true });
  const fault = (...faults: FaultRule[]) => s.setQuirks({ faults });

  it('a fault rule with query hits only requests with those query values', async () => {
    fault({ kind: 'status500', path: '/Users', query: { startIndex: '3' } });
    expect((await get(s, '/Users?startIndex=1&count=2')).status).toBe(200);
    expect((await get(s, '/Users?startIndex=3&count=2')).status).toBe(500);
    expect((await get(s, '/Users?count=2&startIndex=3')).status).toBe(500);
    expect(() => fault({ kind: 'status500', query: { startIndex: 3 } as unknown as Record<string, string> })).toThrow(/query/);
  });

  it('latencyMs delays answers', async () => {
    const held = heldSleeps();
    await withServer({ users: 5, quirks: { latencyMs: 60 }, sleep: held.sleep }, async (x) => {
      let answered = false;
      const pending = get(x, '/Users').then((r) => ((answered = true), r));
      await held.asked(1);
      expect(held.waits.map((w) => w.ms)).toEqual([60]);
      // No answer while the server waits; the answer once the wait is over.
      await delay(50);
      expect(answered).toBe(false);
      held.waits[0].release();
      expect((await pending).status).toBe(200);
      expect(held.waits).toHaveLength(1);
    });
  });

  it('reset destroys the connection; hang never answers', async () => {
    fault({ kind: 'reset', path: '/Users', first: 1 });
    await expect(fetch(`${s.baseUrl}/Users`)).rejects.toThrow();
    expect((await get(s, '/Users')).status).toBe(200);
    fault({ kind: 'hang' });
    await expect(fetch(`${s.baseUrl}/Users`, { signal: AbortSignal.timeout(150) })).rejects.toThrow();
    expect(s.requests.at(-1)).toMatchObject({ status: 0, fault: 'hang' });
  });

  it('status500, status503 with Retry-After, arbitrary status', async () => {
    fault({ kind: 'status503', retryAfter: 2, first: 1 }, { kind: 'status', status: 504, method: 'DELETE' });
    const r = await get(s, '/Users');
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('2');
    expect(r.json.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect((await call(s, 'DELETE', '/Users/x')).status).toBe(504);
  });

  it('malformedJson, htmlPage 200/502, wrongEnvelopeTypes', async () => {
    fault(
      { kind: 'malformedJson', first: 1 },
      { kind: 'htmlPage', status: 200, first: 1 },
      { kind: 'htmlPage', first: 1 },
      { kind: 'wrongEnvelopeTypes', first: 1 },
    );
    const bad = await fetch(`${s.baseUrl}/Users`);
    await expect(bad.json()).rejects.toThrow();
    const html200 = await get(s, '/Users');
    expect(html200.status).toBe(200);
    expect(html200.headers.get('content-type')).toMatch(/text\/html/);
    expect(html200.text).toMatch(/<html>/);
    expect((await get(s, '/Users')).status).toBe(502);
    const wrong = (await get(s, '/Users')).json;
    expect(wrong).toMatchObject({ totalResults: 'abc', Resources: {} });
  });

  it('oversized body of valid JSON', async () => {
    fault({ kind: 'oversized', first: 1 });
    const r = await get(s, '/Users');
    expect(r.text.length).toBeGreaterThan(10 * 1024 * 1024);
    expect(Array.isArray(r.json.Resources)).toBe(true);
  });

  it('slowDrip sends the real answer in small chunks', async () => {
    fault({ kind: 'slowDrip', dripIntervalMs: 1, dripBytes: 256 });
    const r = await get(s, '/Users?count=2&attributes=userName');
    expect(r.status).toBe(200);
    expect(r.json.Resources).toHaveLength(2);
    expect(s.requests.at(-1)!.fault).toBe('slowDrip');
  });

  it('failFirst-style recovery, every Nth, seeded probability, method/path targeting', async () => {
    fault({ kind: 'status503', first: 2 });
    expect([(await get(s, '/Users')).status, (await get(s, '/Users')).status, (await get(s, '/Users')).status]).toEqual([503, 503, 200]);
    fault({ kind: 'status500', every: 3, path: '/Users' });
    const seq: number[] = [];
    for (let i = 0; i < 6; i++) seq.push((await get(s, '/Users')).status);
    expect(seq).toEqual([200, 200, 500, 200, 200, 500]);
    expect((await get(s, '/Groups')).status).toBe(200);
    const run = async () => {
      s.setQuirks({ faultSeed: 42, faults: [{ kind: 'status500', probability: 0.5 }] });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await get(s, '/Groups')).status);
      return out;
    };
    const a = await run();
    expect(a).toEqual(await run());
    expect(a).toContain(500);
    expect(a).toContain(200);
    fault({ kind: 'status500', method: ['POST', 'PATCH'], after: 1, times: 1 });
    expect((await call(s, 'POST', '/Users', newUser('f1@example.test'))).status).toBe(201);
    expect((await call(s, 'POST', '/Users', newUser('f2@example.test'))).status).toBe(500);
    expect((await call(s, 'POST', '/Users', newUser('f2@example.test'))).status).toBe(201);
    expect(s.stats().faultsInjected).toBeGreaterThan(0);
  });

  it('faults can target the OAuth token endpoint', async () => {
    await withServer(
      {
        auth: { type: 'oauth2', clientId: 'c', clientSecret: 's' },
        quirks: { faults: [{ kind: 'status503', path: '/oauth/token', first: 1 }] },
      },
      async (x) => {
        const token = () =>
          fetch(x.tokenUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'grant_type=client_credentials&client_id=c&client_secret=s',
          });
        expect((await token()).status).toBe(503);
        expect((await token()).status).toBe(200);
      },
    );
  });
});
