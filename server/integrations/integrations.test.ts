import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';

const TOKEN = 'scim-test-token-0123456789';

describe.each(dialects)('Identity Management integration API on %s', (dialect) => {
  let t: TestApp;
  let scim: RunningScimServer;
  let appId: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    scim = await startScimServer({ users: 25, groups: 2, auth: { type: 'bearer', token: TOKEN } });
    appId = (await t.admin({ method: 'POST', url: '/api/v1/applications', payload: { name: 'Test App' } })).json().id;
  });
  afterAll(async () => {
    await scim?.stop();
    await t?.close();
  });

  it('starts unconfigured', async () => {
    const r = await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/idm` });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'unconfigured', baseUrl: null, auth: null });
  });

  it('stores the configuration with a normalized base URL and never returns, logs or records the secret', async () => {
    const r = await t.admin({
      method: 'PUT',
      url: `/api/v1/applications/${appId}/idm`,
      payload: {
        baseUrl: `  ${scim.baseUrl}//  `,
        auth: { type: 'bearer', token: TOKEN },
        headers: { 'X-Tenant': 'tenant-secret-value' },
        settings: { pageSize: 50 },
      },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      status: 'inactive',
      baseUrl: scim.baseUrl,
      auth: { type: 'bearer', secretSet: true },
      headerNames: ['X-Tenant'],
      settings: { pageSize: 50, deprovision: 'deactivate' },
    });
    for (const url of [`/api/v1/applications/${appId}/idm`, '/api/v1/insights/events?format=csv', '/api/v1/insights/events']) {
      const body = (await t.admin({ method: 'GET', url })).body;
      expect(body).not.toContain(TOKEN);
      expect(body).not.toContain('tenant-secret-value');
    }
    const row = await t.database.db.selectFrom('idm_integrations').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(TOKEN);
    expect(JSON.stringify(row)).not.toContain('tenant-secret-value');
  });

  it('keeps the stored secret when a PUT leaves it out, and requires it when the auth type changes', async () => {
    const keep = await t.admin({
      method: 'PUT',
      url: `/api/v1/applications/${appId}/idm`,
      payload: { baseUrl: scim.baseUrl, auth: { type: 'bearer' } },
    });
    expect(keep.statusCode).toBe(200);
    expect(keep.json().auth.secretSet).toBe(true);
    const change = await t.admin({
      method: 'PUT',
      url: `/api/v1/applications/${appId}/idm`,
      payload: { baseUrl: scim.baseUrl, auth: { type: 'basic', username: 'u' } },
    });
    expect(change.statusCode).toBe(400);
    expect(change.json().error.details[0].path).toBe('body.auth.password');
  });

  it('refuses unsafe or malformed configuration, naming the field', async () => {
    const cases: [object, string][] = [
      [{ baseUrl: 'http://169.254.169.254/latest', auth: { type: 'bearer', token: 'x' } }, 'body.baseUrl'],
      [{ baseUrl: 'http://scim.example.com/v2', auth: { type: 'bearer', token: 'x' } }, 'body.baseUrl'],
      [{ baseUrl: 'ftp://example.com', auth: { type: 'bearer', token: 'x' } }, 'body.baseUrl'],
      [{ baseUrl: 'https://user:pw@example.com/scim', auth: { type: 'bearer', token: 'x' } }, 'body.baseUrl'],
      [{ baseUrl: 'https://example.com/scim', auth: { type: 'kerberos' } }, 'body.auth.type'],
      [
        { baseUrl: 'https://example.com/scim', auth: { type: 'bearer', token: 'x' }, headers: { Authorization: 'x' } },
        'body.headers.Authorization',
      ],
      [{ baseUrl: 'https://example.com/scim', auth: { type: 'bearer', token: 'x' }, settings: { pageSize: 0 } }, 'body.settings.pageSize'],
      [
        { baseUrl: 'https://example.com/scim', auth: { type: 'bearer', token: 'x' }, settings: { deprovision: 'shred' } },
        'body.settings.deprovision',
      ],
      [{ baseUrl: 'https://example.com/scim', auth: { type: 'bearer', token: 'x' }, extra: 1 }, 'body.extra'],
    ];
    for (const [payload, path] of cases) {
      const r = await t.admin({ method: 'PUT', url: `/api/v1/applications/${appId}/idm`, payload });
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(JSON.stringify(r.json().error.details), JSON.stringify(payload)).toContain(path);
    }
    const stillSafe = (await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/idm` })).json();
    expect(stillSafe.baseUrl).toBe(scim.baseUrl);
  });

  it('tests the connection and reports the capabilities of the test server', async () => {
    const r = await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/test`, payload: {} });
    expect(r.statusCode).toBe(200);
    const result = r.json();
    expect(result.ok).toBe(true);
    expect(result.capabilities).toMatchObject({ patch: true, filter: true, groups: true, cursorPagination: true, userCount: 25 });
    expect(result.writeCheck).toBe('skipped');
    const view = (await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/idm` })).json();
    expect(view.lastTest.ok).toBe(true);
  });

  it('runs the opt-in write check: creates and deletes a clearly named test user', async () => {
    scim.clearRequests();
    const before = scim.store.userCount();
    const r = await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/test`, payload: { writeCheck: true } });
    expect(r.json().writeCheck).toBe('passed');
    expect(scim.store.userCount()).toBe(before);
    const post = scim.requests.find((q) => q.method === 'POST');
    expect(JSON.stringify(post?.body)).toContain('roster-connection-test-');
    expect(scim.requests.some((q) => q.method === 'DELETE')).toBe(true);
  });

  it('reports bad credentials in plain words without echoing them', async () => {
    await t.admin({
      method: 'PUT',
      url: `/api/v1/applications/${appId}/idm`,
      payload: { baseUrl: scim.baseUrl, auth: { type: 'bearer', token: 'wrong-token-abcdef' } },
    });
    const r = (await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/test` })).json();
    expect(r.ok).toBe(false);
    expect(r.problems[0].code).toBe('BAD_CREDENTIALS');
    expect(JSON.stringify(r)).not.toContain('wrong-token-abcdef');
    const act = await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/activate` });
    expect(act.statusCode).toBe(422);
    expect(act.json().error.code).toBe('IDM_TEST_FAILED');
    expect((await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/idm` })).json().status).toBe('inactive');
  });

  it('reports a wrong base URL and a server that is not SCIM', async () => {
    await t.admin({
      method: 'PUT',
      url: `/api/v1/applications/${appId}/idm`,
      payload: { baseUrl: `${scim.url}/nothing-here`, auth: { type: 'bearer', token: TOKEN } },
    });
    const wrong = (await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/test` })).json();
    expect(wrong.ok).toBe(false);
    expect(wrong.problems.map((p: { message: string }) => p.message).join(' ')).toMatch(/base URL may be wrong|not like a SCIM server/);
    await t.admin({
      method: 'PUT',
      url: `/api/v1/applications/${appId}/idm`,
      payload: { baseUrl: 'http://127.0.0.1:1/scim/v2', auth: { type: 'bearer', token: TOKEN }, headers: {} },
    });
    const down = (await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/test` })).json();
    expect(down.ok).toBe(false);
    expect(down.problems[0].message).toMatch(/cannot be reached/);
  });

  it('activates after a passing test and deactivates, each with an Insights event', async () => {
    await t.admin({
      method: 'PUT',
      url: `/api/v1/applications/${appId}/idm`,
      payload: { baseUrl: scim.baseUrl, auth: { type: 'bearer', token: TOKEN } },
    });
    const a = await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/activate` });
    expect(a.statusCode).toBe(200);
    expect(a.json().status).toBe('active');
    const d = await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/deactivate` });
    expect(d.json().status).toBe('inactive');
    const ev = (
      await t.admin({ method: 'GET', url: `/api/v1/insights/events?applicationId=${appId}&eventType=idm_activated,idm_deactivated` })
    ).json().items;
    expect(ev.map((e: { eventType: string }) => e.eventType)).toEqual(['idm_deactivated', 'idm_activated']);
    expect(ev[0].application).toEqual({ id: appId, name: 'Test App' });
  });

  it('supports basic auth and OAuth client credentials', async () => {
    const basic = await startScimServer({ users: 3, auth: { type: 'basic', username: 'svc', password: 'basic-pass-123' } });
    const oauth = await startScimServer({
      users: 4,
      auth: { type: 'oauth2', clientId: 'cid', clientSecret: 'oauth-secret-456', tokenTtlSeconds: 3600 },
    });
    try {
      await t.admin({
        method: 'PUT',
        url: `/api/v1/applications/${appId}/idm`,
        payload: { baseUrl: basic.baseUrl, auth: { type: 'basic', username: 'svc', password: 'basic-pass-123' }, headers: {} },
      });
      expect((await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/test` })).json()).toMatchObject({
        ok: true,
        capabilities: { userCount: 3 },
      });
      await t.admin({
        method: 'PUT',
        url: `/api/v1/applications/${appId}/idm`,
        payload: {
          baseUrl: oauth.baseUrl,
          auth: { type: 'oauth2_client_credentials', tokenUrl: oauth.tokenUrl, clientId: 'cid', clientSecret: 'oauth-secret-456' },
        },
      });
      const r = (await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/test` })).json();
      expect(r).toMatchObject({ ok: true, capabilities: { userCount: 4 } });
      const view = (await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/idm` })).json();
      expect(view.auth).toEqual({ type: 'oauth2_client_credentials', tokenUrl: oauth.tokenUrl, clientId: 'cid', secretSet: true });
      // The bad-credentials test before left an error; a passing test clears it.
      expect(view.lastError).toBeUndefined();
    } finally {
      await basic.stop();
      await oauth.stop();
    }
  });

  it('answers 404 for an unknown application and 409 when testing an unconfigured one', async () => {
    expect((await t.admin({ method: 'GET', url: '/api/v1/applications/0190a000-0000-7000-8000-000000000000/idm' })).statusCode).toBe(404);
    const other = (await t.admin({ method: 'POST', url: '/api/v1/applications', payload: { name: 'Unconfigured' } })).json().id;
    const r = await t.admin({ method: 'POST', url: `/api/v1/applications/${other}/idm/test` });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.code).toBe('IDM_NOT_CONFIGURED');
  });
});
