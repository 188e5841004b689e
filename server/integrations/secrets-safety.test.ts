// Secrets and headers that could not be sent, or could be sent to the wrong place, and servers that
// never answer: each ends in a clear error instead of a hang, and no stored secret reaches a new host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { configureIntegration } from './integrations.service.ts';
import { perSuite } from '../../test/suite.ts';

const TOKEN = 'scim-safety-token-0123456789';

describe.each(dialects)('integration secrets and stuck servers on %s', (dialect) => {
  let t: TestApp;
  let scim: RunningScimServer;
  let appId: string;
  const put = (payload: object) => t.admin({ method: 'PUT', url: `/api/v1/applications/${appId}/idm`, payload });
  const test = async () => (await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/test` })).json();
  const preview = () => t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/import/users?refresh=true` });
  beforeAll(async () => {
    t = await createTestApp(dialect);
    scim = await startScimServer({ users: 5, auth: { type: 'bearer', token: TOKEN } });
    appId = (await t.admin({ method: 'POST', url: '/api/v1/applications', payload: { name: 'Safety App' } })).json().id;
  });
  afterAll(async () => {
    await scim?.stop();
    await t?.close();
  });

  it('refuses a token or header value that is not printable ASCII, naming the field', async () => {
    const token = await put({ baseUrl: scim.baseUrl, auth: { type: 'bearer', token: 'pasted’token' } });
    expect(token.statusCode).toBe(400);
    expect(token.json().error.details[0].path).toBe('body.auth.token');
    const header = await put({ baseUrl: scim.baseUrl, auth: { type: 'bearer', token: TOKEN }, headers: { 'X-Tenant': 'acme – eu' } });
    expect(header.statusCode).toBe(400);
    expect(header.json().error.details[0].path).toBe('body.headers.X-Tenant');
  });

  it('answers at once, every time, with a configuration error when a stored token cannot be sent', async () => {
    // Stored before the validation existed: straight through the service.
    await configureIntegration({ ...t.deps, network: t.deps.idm.network }, t.adminActor, appId, {
      baseUrl: scim.baseUrl,
      auth: { type: 'bearer', token: 'stored’token' },
      settings: { concurrency: 1, requestTimeoutMs: 1000 },
    });
    scim.clearRequests();
    for (let i = 0; i < 4; i++) {
      const r = await test();
      expect(r.ok).toBe(false);
      expect(r.problems[0].message).toMatch(/only printable ASCII/);
      const p = await preview();
      expect(p.statusCode).toBe(502);
      expect(p.json().error.message).toMatch(/only printable ASCII/);
    }
    expect(scim.requests).toHaveLength(0);
    // A corrected token works right away: no connection slot was lost.
    expect((await put({ baseUrl: scim.baseUrl, auth: { type: 'bearer', token: TOKEN } })).statusCode).toBe(200);
    expect((await test()).ok).toBe(true);
  });

  it('says "timed out" when the server never answers, and a later preview starts afresh', async () => {
    expect(
      (await put({ baseUrl: scim.baseUrl, auth: { type: 'bearer', token: TOKEN }, settings: { requestTimeoutMs: 1000, concurrency: 1 } }))
        .statusCode,
    ).toBe(200);
    scim.setQuirks({ faults: [{ kind: 'hang' }] });
    try {
      const r = await test();
      expect(r.ok).toBe(false);
      expect(r.problems[0].code).toBe('TIMEOUT');
      expect(r.problems[0].message).not.toMatch(/cancelled/);
      const p = await preview();
      expect(p.statusCode).toBe(502);
      expect(p.json().error.message).toMatch(/did not answer|no page of users/);
    } finally {
      scim.resetQuirks();
    }
    const again = await preview();
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().total).toBe(5);
  });

  it('needs the secret again when the URL it is sent to moves to another host', async () => {
    expect(
      (await put({ baseUrl: scim.baseUrl, auth: { type: 'bearer', token: TOKEN }, headers: { 'X-Tenant': 'tenant-1' } })).statusCode,
    ).toBe(200);
    // Same host, another path: the stored token and headers are kept.
    expect((await put({ baseUrl: `${scim.baseUrl}/`, auth: { type: 'bearer' } })).statusCode).toBe(200);
    const elsewhere = scim.baseUrl.replace('127.0.0.1', 'localhost');
    const moved = await put({ baseUrl: elsewhere, auth: { type: 'bearer' }, headers: { 'X-Tenant': 'tenant-1' } });
    expect(moved.statusCode).toBe(400);
    expect(moved.json().error).toMatchObject({ code: 'SECRET_REQUIRED', details: [{ path: 'body.auth.token' }] });
    const headersKept = await put({ baseUrl: elsewhere, auth: { type: 'bearer', token: TOKEN } });
    expect(headersKept.statusCode).toBe(400);
    expect(headersKept.json().error.details[0].path).toBe('body.headers');
    expect((await put({ baseUrl: elsewhere, auth: { type: 'bearer', token: TOKEN }, headers: {} })).statusCode).toBe(200);
  });

  it('needs the client secret again when the token URL moves, and sends the extra headers only to the SCIM service', async () => {
    const oauth = await startScimServer({ users: 2, auth: { type: 'oauth2', clientId: 'cid', clientSecret: 'oauth-secret-456' } });
    try {
      const auth = { type: 'oauth2_client_credentials', tokenUrl: oauth.tokenUrl, clientId: 'cid', clientSecret: 'oauth-secret-456' };
      expect((await put({ baseUrl: oauth.baseUrl, auth, headers: { 'X-Tenant': 'tenant-2' } })).statusCode).toBe(200);
      expect((await test()).ok).toBe(true);
      const token = oauth.requests.filter((r) => r.path.endsWith('/oauth/token'));
      const scimCalls = oauth.requests.filter((r) => !r.path.endsWith('/oauth/token'));
      expect(token.length).toBeGreaterThan(0);
      for (const r of token) expect(r.headers['x-tenant']).toBeUndefined();
      for (const r of scimCalls) expect(r.headers['x-tenant']).toBe('tenant-2');

      const { clientSecret: _kept, ...withoutSecret } = auth;
      expect((await put({ baseUrl: oauth.baseUrl, auth: withoutSecret })).statusCode).toBe(200);
      const moved = await put({
        baseUrl: oauth.baseUrl,
        auth: { ...withoutSecret, tokenUrl: oauth.tokenUrl.replace('127.0.0.1', 'localhost') },
      });
      expect(moved.statusCode).toBe(400);
      expect(moved.json().error.details[0].path).toBe('body.auth.clientSecret');
    } finally {
      await oauth.stop();
    }
  });
});

describe.each(dialects)("outbound addresses are the operator's decision, on %s", (dialect) => {
  // The product's defaults: no private or loopback networks, no plain http.
  const t = perSuite(() => createTestApp(dialect, { ROSTER_SCIM_ALLOWED_NETWORKS: '', ROSTER_SCIM_ALLOW_HTTP: 'false' }));

  it('refuses loopback, private ranges and plain http by default, naming the field', async () => {
    const appId = (await t.admin({ method: 'POST', url: '/api/v1/applications', payload: { name: 'Default network' } })).json().id;
    for (const baseUrl of [
      'https://127.0.0.1/scim/v2',
      'https://10.0.0.8/scim/v2',
      'https://192.168.10.2/scim',
      'https://172.20.0.1/scim',
      'https://[fc00::8]/scim',
      'http://scim.example.com/scim/v2',
    ]) {
      const r = await t.admin({
        method: 'PUT',
        url: `/api/v1/applications/${appId}/idm`,
        payload: { baseUrl, auth: { type: 'bearer', token: TOKEN }, settings: { allowInsecureHttp: true } },
      });
      expect(r.statusCode, baseUrl).toBe(400);
      expect(r.json().error).toMatchObject({ code: 'INVALID_URL', details: [{ path: 'body.baseUrl' }] });
    }
    const ok = await t.admin({
      method: 'PUT',
      url: `/api/v1/applications/${appId}/idm`,
      payload: { baseUrl: 'https://scim.example.com/scim/v2', auth: { type: 'bearer', token: TOKEN } },
    });
    expect(ok.statusCode).toBe(200);
  });
});
