import { afterEach, describe, expect, it } from 'vitest';
import type { ScimClientOptions } from './client-options.ts';
import { ScimClient } from './client.ts';
import { toScimUser } from './mapping.ts';
import { buildUserPatch } from './patch.ts';
import {
  FAST,
  failure,
  listBody,
  sendJson,
  startServer,
  user,
  type Handler,
  type RecordedRequest,
  type TestServer,
} from '../../test/scim-fixtures.ts';
import { SCHEMAS } from './types.ts';
import { TEST_NETWORK } from '../../test/network.ts';

const servers: TestServer[] = [];
const clients: ScimClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(handler: Handler, options: Partial<ScimClientOptions> = {}) {
  const server = await startServer(handler);
  servers.push(server);
  const c = new ScimClient({
    baseUrl: `${server.url}/scim/v2`,
    auth: { type: 'bearer', token: 't' },
    network: TEST_NETWORK,
    ...FAST,
    ...options,
  });
  clients.push(c);
  return { server, c };
}

describe('users', () => {
  it('builds URLs from the base and the encoded id, never from meta.location (T9, C2)', async () => {
    const { server, c } = await setup((_req, res) =>
      sendJson(res, 200, user('a&b/c d', { meta: { location: 'http://elsewhere.invalid/v2/Users/x' } })),
    );
    const u = await c.getUser('a&b/c d');
    await c.getUser(u.id as string);
    expect(server.requests.map((r) => r.url)).toEqual(['/scim/v2/Users/a%26b%2Fc%20d', '/scim/v2/Users/a%26b%2Fc%20d']);
    await expect(c.getUser('..')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(c.getUser('')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses a 200 that is not a resource', async () => {
    const { c } = await setup((_req, res) => sendJson(res, 200, { status: 'ok' }));
    expect(await failure(c.getUser('x'))).toMatchObject({ code: 'NOT_SCIM' });
  });

  it('reports a missing user as a 404 ScimError, also for servers answering 400 (T6)', async () => {
    const { c } = await setup((_req, res) => sendJson(res, 404, { detail: 'User not found' }));
    expect((await failure(c.getUser('x'))).isNotFound).toBe(true);
    const entra = await setup((_req, res) => sendJson(res, 400, { detail: 'bad id' }), { compat: { notFoundOn400: true } });
    expect((await failure(entra.c.getUser('x'))).status).toBe(404);
  });

  it('creates a user and takes the id from the body, Location optional (C1)', async () => {
    const { server, c } = await setup((req, res) => sendJson(res, 201, { ...(req.json as object), id: 'new-1' }));
    const created = await c.createUser(toScimUser({ id: 'roster-1', state: 'ACTIVE', username: 'ada', email: 'ada@example.test' }));
    expect(created.id).toBe('new-1');
    expect(server.requests[0].json).toMatchObject({
      externalId: 'roster-1',
      active: true,
      emails: [{ value: 'ada@example.test', type: 'work', primary: true }],
    });
  });

  it('reads the id from Location when the body lacks it, else says the outcome is unknown', async () => {
    let n = 0;
    const { server, c } = await setup((req, res) => {
      if (req.method === 'GET') return sendJson(res, 200, user('from-location'));
      n++;
      if (n === 1) return sendJson(res, 201, undefined, { location: 'http://127.0.0.1/other/base/Users/from-location' });
      sendJson(res, 201, { schemas: [SCHEMAS.user], userName: 'x' });
    });
    expect((await c.createUser({ schemas: [SCHEMAS.user], userName: 'x' })).id).toBe('from-location');
    expect(server.requests[1].url).toBe('/scim/v2/Users/from-location');
    const err = await failure(c.createUser({ schemas: [SCHEMAS.user], userName: 'x' }));
    expect(err).toMatchObject({ code: 'NOT_SCIM', outcomeUnknown: true });
  });

  it('keeps unknown extension blocks through read-modify-write, without meta (T11)', async () => {
    const zoom = 'urn:ietf:params:scim:schemas:extension:zoom:1.0:User';
    const stored = user('u1', {
      [zoom]: { loginType: '100', licenses: ['zoomUnited'] },
      meta: { resourceType: 'User' },
      schemas: [SCHEMAS.user, zoom],
    });
    const { server, c } = await setup((req, res) => sendJson(res, 200, req.method === 'PUT' ? req.json : stored));
    const current = await c.getUser('u1');
    const updated = await c.replaceUser('u1', { ...current, title: 'Director' });
    const sent = server.requests[1].json as Record<string, unknown>;
    expect(sent[zoom]).toEqual({ loginType: '100', licenses: ['zoomUnited'] });
    expect(sent.id).toBe('u1');
    expect(sent.meta).toBeUndefined();
    expect(updated.title).toBe('Director');
  });

  it('accepts PATCH answers with a body or 204, and GETs when asked (C5)', async () => {
    let mode: 'body' | 'empty' = 'body';
    const { server, c } = await setup((req, res) => {
      if (req.method === 'GET') return sendJson(res, 200, user('u1', { active: false }));
      if (mode === 'body') return sendJson(res, 200, user('u1', { active: false }));
      res.writeHead(204);
      res.end();
    });
    const ops = buildUserPatch([], {}, { active: false });
    expect((await c.patchUser('u1', ops))?.active).toBe(false);
    expect(server.requests[0].json).toEqual({ schemas: [SCHEMAS.patchOp], Operations: [{ op: 'replace', path: 'active', value: false }] });
    mode = 'empty';
    expect(await c.patchUser('u1', ops)).toBeUndefined();
    expect((await c.patchUser('u1', ops, { returnResource: true }))?.active).toBe(false);
    expect(server.requests.map((r) => r.method)).toEqual(['PATCH', 'PATCH', 'PATCH', 'GET']);
    expect(await c.patchUser('u1', [])).toBeUndefined();
    expect(server.requests).toHaveLength(4);
  });

  it('deletes, retrying without Accept once a server refuses it (T5), and remembers', async () => {
    const { server, c } = await setup((req, res) => {
      if (req.headers.accept) return sendJson(res, 400, { detail: 'unsupported Accept' });
      res.writeHead(204);
      res.end();
    });
    await c.deleteUser('u1');
    await c.deleteGroup('g1');
    expect(server.requests.map((r) => Boolean(r.headers.accept))).toEqual([true, false, false]);
  });

  it('treats a 200 carrying a SCIM error body as an error', async () => {
    const { c } = await setup((_req, res) =>
      sendJson(res, 200, { schemas: [SCHEMAS.error], status: 409, scimType: 'uniqueness', detail: 'taken' }),
    );
    expect((await failure(c.createUser({ schemas: [], userName: 'x' }))).scimType).toBe('uniqueness');
  });
});

describe('groups', () => {
  it('adds and removes members in chunks of at most 100 (G1), never replacing all (G2)', async () => {
    const { server, c } = await setup((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const ids = Array.from({ length: 250 }, (_, i) => `u${i}`);
    expect(await c.addGroupMembers('g 1', ids)).toBe(3);
    expect(await c.removeGroupMembers('g 1', ids.slice(0, 120))).toBe(2);
    const bodies = server.requests.map((r) => r.json as { Operations: Array<{ op: string; value?: unknown[] }> });
    expect(server.requests.every((r) => r.method === 'PATCH' && r.url === '/scim/v2/Groups/g%201')).toBe(true);
    expect(bodies.slice(0, 3).map((b) => b.Operations[0].value?.length)).toEqual([100, 100, 50]);
    expect(bodies.slice(3).map((b) => b.Operations.length)).toEqual([100, 20]);
    expect(bodies.flatMap((b) => b.Operations).some((o) => o.op === 'replace')).toBe(false);
  });

  it('honours a smaller chunk size and Entra-style removal', async () => {
    const { server, c } = await setup((_req, res) => sendJson(res, 200, { id: 'g', schemas: [SCHEMAS.group] }), {
      compat: { memberChunkSize: 2, memberRemoveStyle: 'value' },
    });
    expect(await c.removeGroupMembers('g', ['a', 'b', 'c'])).toBe(2);
    expect(server.requests[0].json).toEqual({
      schemas: [SCHEMAS.patchOp],
      Operations: [{ op: 'remove', path: 'members', value: [{ value: 'a' }, { value: 'b' }] }],
    });
  });

  it('creates, reads and patches groups', async () => {
    const { c } = await setup((req, res) =>
      sendJson(res, req.method === 'POST' ? 201 : 200, {
        schemas: [SCHEMAS.group],
        id: 'g1',
        displayName: 'Staff',
        members: [{ value: 'u1' }],
      }),
    );
    expect((await c.createGroup({ schemas: [SCHEMAS.group], displayName: 'Staff' })).id).toBe('g1');
    expect((await c.getGroup('g1')).members).toEqual([{ value: 'u1' }]);
    expect((await c.patchGroup('g1', [{ op: 'replace', path: 'displayName', value: 'All' }]))?.displayName).toBe('Staff');
  });
});

describe('discovery', () => {
  it('reads the ServiceProviderConfig, falling back to the SCIM 1.1 path', async () => {
    const { server, c } = await setup((req, res) =>
      req.path.endsWith('/ServiceProviderConfigs')
        ? sendJson(res, 200, { patch: { supported: true }, filter: { supported: true, maxResults: 200 } })
        : sendJson(res, 404, undefined),
    );
    const spc = await c.getServiceProviderConfig();
    expect(spc.filter).toEqual({ supported: true, maxResults: 200 });
    expect(server.requests.map((r) => r.path)).toEqual(['/scim/v2/ServiceProviderConfig', '/scim/v2/ServiceProviderConfigs']);
  });

  it('reads ResourceTypes and Schemas', async () => {
    const { c } = await setup((req, res) =>
      req.path.endsWith('/ResourceTypes')
        ? sendJson(res, 200, {
            schemas: [SCHEMAS.listResponse],
            resources: [{ id: 'User', name: 'User', endpoint: '/Users', schema: SCHEMAS.user }],
          })
        : sendJson(res, 200, listBody([{ id: SCHEMAS.user, attributes: [{ name: 'userName', type: 'string' }] }])),
    );
    expect((await c.getResourceTypes()).map((r) => r.endpoint)).toEqual(['/Users']);
    expect((await c.getSchemas())[0].attributes[0].name).toBe('userName');
  });
});

// A directory of users behind filters of varying quality (F1-F7).
type FilterMode = 'ok' | 'case-sensitive' | '400' | '500' | 'ignore' | 'empty' | 'no-emails-value';
const PEOPLE = [
  user('1', { userName: 'alice@example.test', externalId: 'ext-1', emails: [{ value: 'alice@example.test', primary: true }] }),
  user('2', { userName: 'Bob@Example.test', externalId: 'EXT-2', emails: [{ value: 'bob@example.test', type: 'work' }] }),
  user('3', { userName: 'carol', emails: [{ value: 'carol@example.test', type: 'work' }] }),
];

function directory(mode: FilterMode): Handler {
  return (req: RecordedRequest, res) => {
    const filter = req.query.get('filter');
    const start = Number(req.query.get('startIndex') ?? 1);
    const count = Number(req.query.get('count') ?? 100);
    if (!filter) return sendJson(res, 200, { ...listBody(PEOPLE.slice(start - 1, start - 1 + count)), totalResults: PEOPLE.length });
    if (mode === '400') return sendJson(res, 400, { scimType: 'invalidFilter', detail: 'filter not supported' });
    if (mode === '500')
      return sendJson(res, 500, {
        status: '500',
        detail: 'Parsing error at: Token\nTraceback (most recent call last):\n  File "x.py", line 1',
      });
    if (mode === 'ignore') return sendJson(res, 200, listBody(PEOPLE.slice(0, 2)));
    if (mode === 'empty') return sendJson(res, 200, listBody([]));
    const m = /^([\w.]+) eq (".*")$/.exec(filter);
    if (!m) return sendJson(res, 400, { scimType: 'invalidFilter', detail: 'bad' });
    const [, attr, raw] = m;
    const value = JSON.parse(raw) as string;
    if (mode === 'no-emails-value' && attr === 'emails.value') return sendJson(res, 400, { scimType: 'invalidFilter', detail: 'no' });
    const same = (a: unknown) => (mode === 'case-sensitive' ? a === value : String(a).toLowerCase() === value.toLowerCase());
    const hits = PEOPLE.filter((p) => {
      if (attr === 'userName') return same(p.userName);
      if (attr === 'externalId') return p.externalId === value;
      return (p.emails as Array<{ value: string }>).some((e) => same(e.value));
    });
    sendJson(res, 200, listBody(hits));
  };
}

describe('lookups', () => {
  it('sends canonical filters and compares results on our side', async () => {
    const { server, c } = await setup(directory('ok'));
    expect((await c.findUserByUserName('ALICE@example.test'))?.id).toBe('1');
    expect(server.requests[0].query.get('filter')).toBe('userName eq "ALICE@example.test"');
    expect(server.requests[0].query.get('startIndex')).toBe('1');
    expect((await c.findUserByExternalId('EXT-2'))?.id).toBe('2');
    expect((await c.findUserByEmail('carol@example.test'))?.id).toBe('3');
    expect(await c.findUserByUserName('nobody')).toBeNull();
  });

  it('retries in lower case on a case-sensitive server (F3)', async () => {
    const { server, c } = await setup(directory('case-sensitive'));
    const result = await c.lookupUser('userName', 'Alice@Example.test');
    expect(result.user?.id).toBe('1');
    expect(result.filtersTried).toEqual(['userName eq "Alice@Example.test"', 'userName eq "alice@example.test"']);
    expect(server.requests).toHaveLength(2);
  });

  it('treats a 500 on a filter as "unsupported" without retrying it, then scans (F6)', async () => {
    const { server, c } = await setup(directory('500'));
    const result = await c.lookupUser('userName', 'carol');
    expect(result).toMatchObject({ via: 'scan', filterUsable: false });
    expect(result.user?.id).toBe('3');
    expect(server.requests.filter((r) => r.query.has('filter'))).toHaveLength(1);
  });

  it('scans when filters are refused (F1) or ignored by the server', async () => {
    for (const mode of ['400', 'ignore'] as const) {
      const { c } = await setup(directory(mode));
      const result = await c.lookupUser('externalId', 'ext-1');
      expect(result.user?.id, mode).toBe('1');
      const missing = await c.lookupUser('externalId', 'nope');
      expect(missing).toMatchObject({ user: null, scannedAll: true });
    }
  });

  it('does not take an empty answer as proof only when asked to confirm (F5)', async () => {
    const { c } = await setup(directory('empty'));
    expect(await c.lookupUser('email', 'bob@example.test')).toMatchObject({ user: null, via: 'none', filterUsable: true });
    const confirmed = await c.lookupUser('email', 'bob@example.test', { fullScan: 'if-not-found' });
    expect(confirmed.user?.id).toBe('2');
    expect(confirmed.via).toBe('scan');
    const bounded = await c.lookupUser('email', 'carol@example.test', { fullScan: 'if-not-found', maxScan: 2 });
    expect(bounded).toMatchObject({ user: null, scannedAll: false });
  });

  it('tries `emails eq` when `emails.value eq` is refused (F7)', async () => {
    const { c } = await setup(directory('no-emails-value'));
    const result = await c.lookupUser('email', 'bob@example.test');
    expect(result.user?.id).toBe('2');
    expect(result.filtersTried).toEqual(['emails.value eq "bob@example.test"', 'emails eq "bob@example.test"']);
  });
});
