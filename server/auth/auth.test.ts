import { describe, expect, it } from 'vitest';
import { createTestApp, TEST_ADMIN } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { perSuite } from '../../test/suite.ts';
import { DEFAULT_ORGANIZATION_ID } from '../shared/actor.ts';
import { login } from './admins.service.ts';
import { ADDRESS_MAX_FAILURES, checkLoginThrottle, loginThrottleKeys, recordLoginFailure } from './throttle.ts';
import { ctxOf } from '../../test/factories.ts';

describe.each(dialects)('admin auth on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));

  it('logs in with a session cookie that is HttpOnly and SameSite=Strict, and records the attempt', async () => {
    const r = await t.anonymous({ method: 'POST', url: '/api/v1/auth/login', payload: TEST_ADMIN });
    expect(r.statusCode).toBe(200);
    const cookie = r.cookies.find((c) => c.name === 'roster_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(r.json().admin.email).toBe(TEST_ADMIN.email);
    expect(r.json().admin).not.toHaveProperty('passwordHash');
    const me = await t.anonymous({ method: 'GET', url: '/api/v1/auth/me', cookies: { roster_session: cookie!.value } });
    expect(me.statusCode).toBe(200);
    expect(me.json().admin.email).toBe(TEST_ADMIN.email);
    const ev = await t.admin({ method: 'GET', url: '/api/v1/insights/events?eventType=admin_login_attempt' });
    expect(ev.json().items.some((e: { success: boolean }) => e.success)).toBe(true);
  });

  it('refuses a wrong password with 401 and records a failed attempt without the password', async () => {
    const r = await t.anonymous({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: TEST_ADMIN.email, password: 'wrong-password-123' },
    });
    expect(r.statusCode).toBe(401);
    expect(r.json().error.code).toBe('INVALID_CREDENTIALS');
    const ev = await t.admin({ method: 'GET', url: '/api/v1/insights/events?eventType=admin_login_attempt&success=false' });
    const items = ev.json().items;
    expect(items.length).toBeGreaterThan(0);
    expect(JSON.stringify(items)).not.toContain('wrong-password-123');
  });

  it('locks an email after 5 failures, whether or not the account exists, with the same answers', async () => {
    for (const email of ['locked@example.com', 'nobody@example.com']) {
      const codes: string[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await t.anonymous({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'nope-nope-nope' } });
        codes.push(r.json().error.code);
      }
      expect(codes).toEqual([...Array(5).fill('INVALID_CREDENTIALS'), 'LOGIN_LOCKED']);
    }
  });

  it('locks an email only from the address that guessed: the admin still signs in from elsewhere', async () => {
    const from = (remoteAddress: string, password: string) =>
      t.anonymous({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: { email: TEST_ADMIN.email, password } });
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) codes.push((await from('198.51.100.9', 'guessing-password-1')).json().error.code);
    expect(codes).toEqual([...Array(5).fill('INVALID_CREDENTIALS'), 'LOGIN_LOCKED']);
    expect((await from('198.51.100.9', TEST_ADMIN.password)).statusCode).toBe(429);
    expect((await from('203.0.113.30', TEST_ADMIN.password)).statusCode).toBe(200);
  });

  it('locks an address that fails on many accounts (password spraying), whatever account it tries next', async () => {
    // The failures are counted as sign-in counts them, without a scrypt each (100 would take a minute);
    // the lock is then met through the real sign-in.
    const { db } = t.database;
    const now = new Date();
    for (let i = 0; i < ADDRESS_MAX_FAILURES; i++) {
      const keys = loginThrottleKeys('admin', `spray-${i}@example.com`, '192.0.2.44');
      await recordLoginFailure(db, DEFAULT_ORGANIZATION_ID, keys, await checkLoginThrottle(db, DEFAULT_ORGANIZATION_ID, keys, now), now);
    }
    const from = (remoteAddress: string) => t.anonymous({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: TEST_ADMIN });
    const locked = await from('192.0.2.44');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('LOGIN_LOCKED');
    expect((await from('192.0.2.45')).statusCode).toBe(200);
  });

  it('counts one failure of the address per failed sign-in, whichever account', async () => {
    for (const email of ['one@example.com', 'two@example.com']) {
      await login(ctxOf(t), {
        organizationId: DEFAULT_ORGANIZATION_ID,
        email,
        password: 'whatever it is 12',
        clientIp: '192.0.2.46',
        sessionTtlMinutes: 60,
      }).catch(() => {});
    }
    const row = await t.database.db.selectFrom('login_throttle').selectAll().where('key', '=', 'ip:192.0.2.46').executeTakeFirstOrThrow();
    expect(row.failures).toBe(2);
  });

  it('records a failed admin login with the account it hit, never the typed text of an unknown email', async () => {
    const typed = 'Password-typed-into-email-field-42';
    await t.anonymous({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '192.0.2.77',
      payload: { email: typed, password: 'whatever it was 1' },
    });
    await t.anonymous({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '192.0.2.77',
      payload: { email: TEST_ADMIN.email.toUpperCase(), password: 'wrong one here 2' },
    });
    const events = await t.admin({ method: 'GET', url: '/api/v1/insights/events?eventType=admin_login_attempt&success=false' });
    expect(events.body).not.toContain('Password-typed-into-email-field');
    const [known, unknown] = events.json().items;
    expect(known.resource).toMatchObject({ username: TEST_ADMIN.email });
    expect(unknown.message).toMatch(/unknown email/);
  });

  it('requires a JSON content type or the CSRF token for cookie-authenticated writes', async () => {
    const login = await t.anonymous({ method: 'POST', url: '/api/v1/auth/login', payload: TEST_ADMIN });
    const cookie = login.cookies.find((c) => c.name === 'roster_session')!.value;
    const csrf = login.json().csrfToken;
    const form = await t.anonymous({
      method: 'POST',
      url: '/api/v1/api-keys',
      cookies: { roster_session: cookie },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=x&role=admin',
    });
    expect(form.statusCode).toBe(403);
    expect(form.json().error.code).toBe('CSRF_CHECK_FAILED');
    const withToken = await t.anonymous({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies: { roster_session: cookie },
      headers: { 'x-csrf-token': csrf },
    });
    expect(withToken.statusCode).toBe(204);
    const after = await t.anonymous({ method: 'GET', url: '/api/v1/auth/me', cookies: { roster_session: cookie } });
    expect(after.statusCode).toBe(401);
  });

  it('refuses state-changing browser requests from another site (Origin, else Referer), on admin, user and public routes', async () => {
    const write = (headers: Record<string, string>) =>
      t.admin({ method: 'POST', url: '/api/v1/groups', headers, payload: { name: `origin-${Math.random()}` } });
    for (const headers of [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { referer: 'https://evil.example/page' },
      { origin: 'http://localhost:8080.evil.example' },
    ] as Record<string, string>[]) {
      const r = await write(headers);
      expect(r.statusCode, JSON.stringify(headers)).toBe(403);
      expect(r.json().error.code).toBe('CSRF_CHECK_FAILED');
    }
    // Roster's own pages: PUBLIC_URL (http://localhost:8080 here), or the address the browser used.
    expect((await write({ origin: 'http://localhost:8080' })).statusCode).toBe(201);
    expect((await write({ origin: 'http://roster.internal:9000', host: 'roster.internal:9000' })).statusCode).toBe(201);
    expect((await write({ referer: 'http://localhost:8080/groups' })).statusCode).toBe(201);
    expect((await write({})).statusCode).toBe(201);
    // Sign-in and the user portal's public writes too; API keys are not a browser's.
    const foreign = { origin: 'https://evil.example', 'content-type': 'application/json' };
    expect((await t.anonymous({ method: 'POST', url: '/api/v1/auth/login', headers: foreign, payload: TEST_ADMIN })).statusCode).toBe(403);
    expect(
      (await t.anonymous({ method: 'POST', url: '/api/v1/account/login', headers: foreign, payload: { login: 'x', password: 'y' } }))
        .statusCode,
    ).toBe(403);
    const key = (await t.admin({ method: 'POST', url: '/api/v1/api-keys', payload: { name: 'origin', role: 'admin' } })).json().key;
    const byKey = await t.anonymous({
      method: 'POST',
      url: '/api/v1/groups',
      headers: { ...foreign, authorization: `Bearer ${key}` },
      payload: { name: 'by key' },
    });
    expect(byKey.statusCode).toBe(201);
  });

  it('creates API keys shown once and stored hashed; revoked keys stop working', async () => {
    const r = await t.admin({ method: 'POST', url: '/api/v1/api-keys', payload: { name: 'ci', role: 'admin' } });
    expect(r.statusCode).toBe(201);
    const { key, id } = r.json();
    expect(key).toMatch(/^rk_/);
    const list = await t.admin({ method: 'GET', url: '/api/v1/api-keys' });
    expect(JSON.stringify(list.json())).not.toContain(key);
    const row = await t.database.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.key_hash).not.toContain(key);
    const me = await t.anonymous({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${key}` } });
    expect(me.statusCode).toBe(200);
    expect((await t.admin({ method: 'DELETE', url: `/api/v1/api-keys/${id}` })).statusCode).toBe(204);
    const again = await t.anonymous({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${key}` } });
    expect(again.statusCode).toBe(401);
  });

  it('revokes the API keys an admin created when that admin is deleted, and says so in Insights', async () => {
    const other = { email: 'leaving@example.com', password: 'departing clerk violin 9' };
    const created = await t.admin({ method: 'POST', url: '/api/v1/admins', payload: { ...other, role: 'admin' } });
    expect(created.statusCode, created.body).toBe(201);
    const login = await t.anonymous({ method: 'POST', url: '/api/v1/auth/login', payload: other });
    const cookie = login.cookies.find((c) => c.name === 'roster_session')!.value;
    const key = await t.anonymous({
      method: 'POST',
      url: '/api/v1/api-keys',
      cookies: { roster_session: cookie },
      headers: { 'content-type': 'application/json' },
      payload: { name: 'automation of leaving', role: 'admin' },
    });
    expect(key.statusCode).toBe(201);
    const bearer = { authorization: `Bearer ${key.json().key}` };
    expect((await t.anonymous({ method: 'GET', url: '/api/v1/users', headers: bearer })).statusCode).toBe(200);
    // A key the remaining admin created stays.
    const kept = (await t.admin({ method: 'POST', url: '/api/v1/api-keys', payload: { name: 'kept', role: 'read_only' } })).json().key;

    expect((await t.admin({ method: 'DELETE', url: `/api/v1/admins/${created.json().id}` })).statusCode).toBe(204);
    expect((await t.anonymous({ method: 'GET', url: '/api/v1/users', headers: bearer })).statusCode).toBe(401);
    expect((await t.anonymous({ method: 'GET', url: '/api/v1/users', headers: { authorization: `Bearer ${kept}` } })).statusCode).toBe(200);
    const events = (await t.admin({ method: 'GET', url: '/api/v1/insights/events?eventType=api_key_delete' })).json().items;
    expect(events.find((e: { resource: { id: string } }) => e.resource.id === key.json().id)?.message).toContain('leaving@example.com');
    const deletion = (await t.admin({ method: 'GET', url: '/api/v1/insights/events?eventType=admin_delete' })).json().items[0];
    expect(deletion.changes).toEqual({ revokedApiKeys: 1 });
  });

  it('holds new admins to the same password policy as users', async () => {
    for (const [password, rule] of [
      ['aaaaaaaaaaaaaaaa', 'repetitive'],
      ['abcabcabcabcabc', 'repetitive'],
      ['newadmin-2026-secret', 'contains_email'],
      ['password1234!', 'common_password'],
    ]) {
      const r = await t.admin({
        method: 'POST',
        url: '/api/v1/admins',
        payload: { email: 'newadmin@example.com', password, role: 'admin' },
      });
      expect(r.statusCode, password).toBe(400);
      expect(r.json().error).toMatchObject({ code: 'WEAK_PASSWORD', details: [{ path: 'body.password', rule }] });
    }
  });

  it('read_only keys can read but not write', async () => {
    expect((await t.readOnly({ method: 'GET', url: '/api/v1/api-keys' })).statusCode).toBe(200);
    const w = await t.readOnly({ method: 'POST', url: '/api/v1/api-keys', payload: { name: 'x', role: 'admin' } });
    expect(w.statusCode).toBe(403);
    expect(w.json().error.code).toBe('FORBIDDEN');
  });
});
