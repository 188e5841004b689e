// Walks the whole route table: every route says who may call it (config.auth), admin routes refuse
// anonymous requests, user sessions and (for writes) read_only keys, user routes refuse anonymous
// requests and admin credentials, and the public routes are exactly the expected ones.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createUser, signIn, STRONG_PASSWORD } from '../../test/accounts.ts';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { perSuite } from '../../test/suite.ts';
import { requireRouteAuth, ROUTE_AUTH, type RouteEntry } from './auth.ts';

const PUBLIC = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /api/v1/openapi.json',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/login/mfa',
  'GET /api/v1/setup',
  'POST /api/v1/setup',
  // The admin portal (the SPA's files and its client-side routes, /setup included); its data comes from the guarded API.
  'GET /',
  'GET /*',
  'GET /assets/*',
  // Account registration: the set-password page, and the user portal's sign-in and sign-out (which
  // works without a session, so a stale cookie can always be cleared).
  'GET /api/v1/account/password-policy',
  'GET /api/v1/account/activation',
  'POST /api/v1/account/activation',
  'POST /api/v1/account/login',
  'POST /api/v1/account/logout',
  // Inbound SCIM's discovery answers with or without a source's token (../shared/API.md).
  'GET /scim/v2/ServiceProviderConfig',
  'GET /scim/v2/ResourceTypes',
  'GET /scim/v2/ResourceTypes/:id',
  'GET /scim/v2/Schemas',
  'GET /scim/v2/Schemas/:id',
]);

/** The user portal's routes behind the user's own session cookie. */
const USER = new Set(['GET /api/v1/account/me', 'POST /api/v1/account/password']);

const concrete = (url: string) => url.replace(/:(\w+)/g, '0190a000-0000-7000-8000-000000000000').replace(/\*$/, 'x');

describe.each(dialects)('route table on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));

  const named = (routes: RouteEntry[]) => routes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`);
  const withAuth = (auth: RouteEntry['auth']) => t.app.routeTable.filter((r) => r.auth === auth);
  const request = (r: RouteEntry) => ({
    method: r.method as 'POST',
    url: concrete(r.url),
    headers: { 'content-type': 'application/json' },
    payload: r.method === 'GET' || r.method === 'HEAD' ? undefined : '{}',
  });

  it('knows who may call every route, and refuses to register a route that does not say', async () => {
    expect(t.app.routeTable.length).toBeGreaterThan(60);
    for (const r of t.app.routeTable) expect(ROUTE_AUTH, `${r.method} ${r.url}`).toContain(r.auth);
    const bare = Fastify();
    requireRouteAuth(bare);
    expect(() => bare.get('/forgotten', async () => 'open')).toThrow(/config\.auth must say who may call it/);
    expect(() => bare.get('/guarded', { config: { auth: 'admin' } }, async () => 'guarded')).not.toThrow();
    await bare.close();
  });

  it('lists only the expected public routes', () => {
    expect(named(withAuth('public').filter((r) => !r.url.startsWith('/api/docs'))).sort()).toEqual([...PUBLIC].sort());
  });

  it('lists only the expected user routes', () => {
    expect(named(withAuth('user')).sort()).toEqual([...USER].sort());
  });

  it('refuses anonymous requests on every admin and user route with 401', async () => {
    const guarded = t.app.routeTable.filter((r) => r.auth !== 'public');
    expect(guarded.length).toBeGreaterThan(20);
    for (const r of guarded) {
      const res = await t.anonymous(request(r));
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
    }
  });

  it("refuses a user's session on every admin route with 401", async () => {
    const u = await createUser(t, 'route.walker');
    const set = await t.admin({ method: 'POST', url: `/api/v1/users/${u.id}/password`, payload: { password: STRONG_PASSWORD } });
    expect(set.statusCode).toBe(200);
    const user = await signIn(t, 'route.walker', STRONG_PASSWORD);
    expect((await user.inject({ method: 'GET', url: '/api/v1/account/me' })).statusCode).toBe(200);
    for (const r of withAuth('admin')) {
      const res = await t.anonymous({ ...request(r), cookies: { roster_user_session: user.cookie } });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
    }
  });

  it("refuses an admin's session and API keys on every user route with 401", async () => {
    const key = (await t.admin({ method: 'POST', url: '/api/v1/api-keys', payload: { name: 'walker', role: 'admin' } })).json().key;
    for (const r of withAuth('user')) {
      expect((await t.admin(request(r))).statusCode, `${r.method} ${r.url}`).toBe(401);
      expect((await t.readOnly(request(r))).statusCode, `${r.method} ${r.url}`).toBe(401);
      const byKey = await t.anonymous({ ...request(r), headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } });
      expect(byKey.statusCode, `${r.method} ${r.url}`).toBe(401);
    }
  });

  it('says in the OpenAPI document which credentials each documented route takes', async () => {
    const doc = (await t.anonymous({ url: '/api/v1/openapi.json' })).json();
    expect(doc.security).toEqual([{ apiKey: [] }, { session: [] }]);
    // SCIM routes are left out of the document (RFC 7644 documents them); a `scim` entry would fail here.
    const expected = { admin: undefined, user: [{ userSession: [] }], public: [], scim: null };
    let documented = 0;
    for (const r of t.app.routeTable.filter((e) => e.method !== 'HEAD')) {
      const operation = doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()];
      if (!operation) continue;
      documented++;
      expect(operation.security, `${r.method} ${r.url}`).toEqual(expected[r.auth]);
    }
    expect(documented).toBeGreaterThan(60);
  });

  // A read_only admin may still sign out, change his own password and manage his own MFA (an API key
  // cannot: 403 in the handler, see auth tests).
  const ownSession = new Set(['/api/v1/auth/logout', '/api/v1/auth/password', '/api/v1/auth/mfa/totp', '/api/v1/auth/mfa/totp/verify']);
  const adminWrites = () => withAuth('admin').filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method) && !ownSession.has(r.url));

  it('refuses a read_only key on every write route with 403', async () => {
    const writes = adminWrites();
    expect(writes.length).toBeGreaterThan(10);
    for (const r of writes) {
      const res = await t.readOnly({
        method: r.method as 'POST',
        url: concrete(r.url),
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
    }
  });

  it("refuses a read_only admin's session on every write route with 403", async () => {
    const reader = { email: 'reader@example.com', password: 'a long enough password' };
    const created = await t.admin({ method: 'POST', url: '/api/v1/admins', payload: { ...reader, role: 'read_only' } });
    expect(created.statusCode).toBe(201);
    const login = await t.anonymous({ method: 'POST', url: '/api/v1/auth/login', payload: reader });
    const cookie = login.cookies.find((c) => c.name === 'roster_session')!.value;
    const writes = adminWrites();
    expect(writes.length).toBeGreaterThan(10);
    for (const r of writes) {
      const res = await t.anonymous({ ...request(r), cookies: { roster_session: cookie } });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
      expect(res.json().error.code, `${r.method} ${r.url}`).toBe('FORBIDDEN');
    }
  });
});
