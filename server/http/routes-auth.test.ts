// Walks the whole route table: every route that is not explicitly public refuses anonymous requests,
// and every write refuses a read_only key.
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { perSuite } from '../../test/suite.ts';

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
  // Account registration: the set-password page, and the user portal, which checks its own user session.
  'GET /api/v1/account/password-policy',
  'GET /api/v1/account/activation',
  'POST /api/v1/account/activation',
  'POST /api/v1/account/login',
  'GET /api/v1/account/me',
  'POST /api/v1/account/password',
  'POST /api/v1/account/logout',
]);

const concrete = (url: string) => url.replace(/:(\w+)/g, '0190a000-0000-7000-8000-000000000000').replace(/\*$/, 'x');

describe.each(dialects)('route table on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));

  it('lists only the expected public routes', () => {
    const publicRoutes = t.app.routeTable.filter((r) => r.isPublic && !r.url.startsWith('/api/docs') && r.method !== 'HEAD');
    expect(publicRoutes.map((r) => `${r.method} ${r.url}`).sort()).toEqual([...PUBLIC].sort());
  });

  it('refuses anonymous requests on every other route with 401', async () => {
    const guarded = t.app.routeTable.filter((r) => !r.isPublic);
    expect(guarded.length).toBeGreaterThan(20);
    for (const r of guarded) {
      const res = await t.anonymous({
        method: r.method as 'GET',
        url: concrete(r.url),
        headers: { 'content-type': 'application/json' },
        payload: r.method === 'GET' || r.method === 'HEAD' ? undefined : '{}',
      });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
    }
  });

  it('refuses a read_only key on every write route with 403', async () => {
    // A read_only admin may still sign out, change his own password and manage his own MFA (an API key
    // cannot: 403 in the handler, see auth tests).
    const ownSession = new Set(['/api/v1/auth/logout', '/api/v1/auth/password', '/api/v1/auth/mfa/totp', '/api/v1/auth/mfa/totp/verify']);
    const writes = t.app.routeTable.filter((r) => !r.isPublic && !['GET', 'HEAD', 'OPTIONS'].includes(r.method) && !ownSession.has(r.url));
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
});
