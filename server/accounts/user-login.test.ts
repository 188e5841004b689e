// Users' sign-in to their portal on both databases: who may sign in (and one answer for everyone who
// may not), lockout, the session cookie, profile, password change, and the wall between user and
// admin sessions.
import { describe, expect, it } from 'vitest';
import { createTestApp, TEST_ADMIN } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { client, createUser, freshIp, OTHER_STRONG_PASSWORD, signIn, STRONG_PASSWORD } from '../../test/accounts.ts';
import { perSuite } from '../../test/suite.ts';

describe.each(dialects)('user sign-in on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));

  /** A user whose registration is complete (the admin set the password). */
  async function registered(username: string, over: Record<string, unknown> = {}) {
    const u = await createUser(t, username, over);
    const r = await t.admin({ method: 'POST', url: `/api/v1/users/${u.id}/password`, payload: { password: STRONG_PASSWORD } });
    expect(r.statusCode, r.body).toBe(200);
    return u;
  }
  const loginEvents = async (userId: string) =>
    (await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=user_login_attempt&resourceId=${userId}` })).json()
      .items as Array<{ success: boolean; message?: string }>;

  it('the admin sets a password: policy, status ACTIVE, Insights by the admin without the password', async () => {
    const u = await createUser(t, 'set.by.admin');
    const weak = await t.admin({ method: 'POST', url: `/api/v1/users/${u.id}/password`, payload: { password: 'set.by.admin-2026' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.code).toBe('WEAK_PASSWORD');
    expect(weak.json().error.details[0]).toMatchObject({ path: 'body.password', rule: 'contains_username' });
    for (const password of [42, null, 'x'.repeat(1025)]) {
      const bad = await t.admin({ method: 'POST', url: `/api/v1/users/${u.id}/password`, payload: { password } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.details[0].path).toBe('body.password');
    }
    const r = await t.admin({ method: 'POST', url: `/api/v1/users/${u.id}/password`, payload: { password: STRONG_PASSWORD } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ id: u.id, passwordStatus: 'ACTIVE' });
    expect(r.body).not.toMatch(/hash|scrypt/i);
    const ev = (await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=user_password_set&resourceId=${u.id}` })).json()
      .items;
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ initiatedBy: { type: 'admin', email: TEST_ADMIN.email }, message: 'password set by an admin' });
    expect(JSON.stringify(ev)).not.toContain(STRONG_PASSWORD);
    expect(
      (
        await t.admin({
          method: 'POST',
          url: '/api/v1/users/0190a000-0000-7000-8000-00000000dead/password',
          payload: { password: STRONG_PASSWORD },
        })
      ).statusCode,
    ).toBe(404);
  });

  it('signs in with username or email, in any letter case, with a strict HttpOnly cookie of its own', async () => {
    const u = await registered('login.user', { email: 'Login.User@Example.com' });
    for (const login of ['login.user', 'LOGIN.USER', 'login.user@example.com', ' Login.User@Example.com ']) {
      const s = await signIn(t, login, STRONG_PASSWORD);
      expect(s.response.statusCode, s.response.body).toBe(200);
      const cookie = s.response.cookies.find((c) => c.name === 'roster_user_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/account' });
      expect(s.response.cookies.find((c) => c.name === 'roster_session')).toBeUndefined();
      expect(s.response.json().user).toMatchObject({ id: u.id, username: 'login.user', passwordStatus: 'ACTIVE' });
      const me = await s.inject({ method: 'GET', url: '/api/v1/account/me' });
      expect(me.statusCode).toBe(200);
      expect(me.json().user).toMatchObject({ id: u.id, email: 'Login.User@Example.com', firstname: 'Ada', lastname: 'login.user' });
      expect(me.body).not.toMatch(/hash|scrypt/i);
    }
    const ev = await loginEvents(u.id);
    expect(ev.filter((e) => e.success)).toHaveLength(4);
    expect(JSON.stringify(ev)).not.toContain(STRONG_PASSWORD);
  });

  it('marks the cookie Secure behind https', async () => {
    const secure = await createTestApp(dialect, { PUBLIC_URL: 'https://roster.example.org' });
    try {
      const u = await secure.admin({
        method: 'POST',
        url: '/api/v1/users',
        payload: { username: 'secure.user', email: 'secure.user@example.com' },
      });
      await secure.admin({ method: 'POST', url: `/api/v1/users/${u.json().id}/password`, payload: { password: STRONG_PASSWORD } });
      const r = await secure.anonymous({
        method: 'POST',
        url: '/api/v1/account/login',
        headers: { 'content-type': 'application/json' },
        payload: { login: 'secure.user', password: STRONG_PASSWORD },
      });
      expect(r.cookies.find((c) => c.name === 'roster_user_session')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' });
    } finally {
      await secure.close();
    }
  });

  it('gives unknown users, wrong passwords, PENDING and SUSPENDED users the same 401, and records why for admins', async () => {
    await registered('right.user');
    const pending = await createUser(t, 'pending.user');
    const suspended = await registered('suspended.user');
    await t.admin({ method: 'PATCH', url: `/api/v1/users/${suspended.id}`, payload: { state: 'SUSPENDED' } });
    const answers = [
      await signIn(t, 'nobody.here', STRONG_PASSWORD),
      await signIn(t, 'right.user', OTHER_STRONG_PASSWORD),
      await signIn(t, 'pending.user', STRONG_PASSWORD),
      await signIn(t, 'suspended.user', STRONG_PASSWORD),
    ].map((s) => s.response);
    for (const r of answers) {
      expect(r.statusCode).toBe(401);
      expect(r.cookies).toEqual([]);
    }
    expect(new Set(answers.map((r) => r.body)).size).toBe(1);
    expect(answers[0].json().error).toEqual({ code: 'INVALID_CREDENTIALS', message: 'Username, email or password is incorrect' });
    expect((await loginEvents(pending.id))[0]).toMatchObject({ success: false, message: 'registration not complete (password PENDING)' });
    expect((await loginEvents(suspended.id))[0]).toMatchObject({ success: false, message: 'user is SUSPENDED' });
    const all = await t.database.db.selectFrom('insight_events').select(['changes', 'message']).execute();
    expect(JSON.stringify(all)).not.toContain(OTHER_STRONG_PASSWORD);
  });

  it('locks a login after 5 failures for 15 minutes, known or unknown, with the same answers, in login_throttle under user:', async () => {
    const lockedUser = await registered('locked.user');
    const ip = freshIp();
    for (const login of ['locked.user', 'ghost.user']) {
      const codes: string[] = [];
      for (let i = 0; i < 6; i++) codes.push((await signIn(t, login, 'wrong-password-123', ip)).response.json().error.code);
      expect(codes).toEqual([...Array(5).fill('INVALID_CREDENTIALS'), 'LOGIN_LOCKED']);
    }
    const locked = await signIn(t, 'locked.user', STRONG_PASSWORD, ip);
    expect(locked.response.statusCode).toBe(429);
    expect(locked.response.json().error.message).toMatch(/Too many failed logins. Try again in 15 minute/);
    const keys = (await t.database.db.selectFrom('login_throttle').select('key').execute()).map((r) => r.key);
    // A known user is counted by his id (whichever spelling was typed), an unknown login by its text; both from this address.
    expect(keys).toEqual(expect.arrayContaining([`user:${lockedUser.id}@${ip}`, `user:ghost.user@${ip}`]));
    // The admin's lockout is a separate key space: the admin can still sign in.
    expect((await t.anonymous({ method: 'POST', url: '/api/v1/auth/login', payload: TEST_ADMIN })).statusCode).toBe(200);
  });

  it('counts a user once whichever spelling is typed, and never locks him out from another address', async () => {
    await registered('spelled.user');
    const from = (remoteAddress: string, login: string, password: string) =>
      client(t)({ method: 'POST', url: '/api/v1/account/login', remoteAddress, payload: { login, password } });
    const codes: string[] = [];
    for (const login of [
      'spelled.user',
      'spelled.user@example.com',
      'SPELLED.USER',
      'Spelled.User@Example.com',
      'spelled.user',
      'spelled.user@example.com',
    ]) {
      codes.push((await from('198.51.100.7', login, 'wrong-password-123')).json().error.code);
    }
    expect(codes).toEqual([...Array(5).fill('INVALID_CREDENTIALS'), 'LOGIN_LOCKED']);
    expect((await from('198.51.100.7', 'spelled.user', STRONG_PASSWORD)).statusCode).toBe(429);
    // The owner, elsewhere, still signs in with the right password.
    expect((await from('203.0.113.20', 'spelled.user@example.com', STRONG_PASSWORD)).statusCode).toBe(200);
  });

  it('signs a user in whichever Unicode spelling of his username is typed (NFC or NFD)', async () => {
    await registered('Jos\u00E9.login', { email: 'jose.login@example.com' });
    expect((await signIn(t, 'Jose\u0301.login', STRONG_PASSWORD)).response.statusCode).toBe(200);
    expect((await signIn(t, 'JOS\u00C9.LOGIN', STRONG_PASSWORD)).response.statusCode).toBe(200);
  });

  it('records a failed sign-in of an unknown login without the text that was typed', async () => {
    const typed = 'MySecretPassw0rd!typed-in-the-login-field';
    expect((await signIn(t, typed, 'anything at all 123')).response.statusCode).toBe(401);
    const events = await t.admin({ method: 'GET', url: '/api/v1/insights/events?eventType=user_login_attempt&success=false' });
    expect(events.statusCode).toBe(200);
    expect(events.body).not.toContain('MySecretPassw0rd');
    expect(events.json().items[0].message).toMatch(/unknown username or email/);
  });

  it('changes the password under the policy; a wrong current password counts towards the lockout; other sessions end', async () => {
    const u = await registered('changer.user');
    const a = await signIn(t, 'changer.user', STRONG_PASSWORD);
    const b = await signIn(t, 'changer.user@example.com', STRONG_PASSWORD);
    const change = (payload: object) => a.inject({ method: 'POST', url: '/api/v1/account/password', payload });

    const wrong = await change({ currentPassword: OTHER_STRONG_PASSWORD, newPassword: OTHER_STRONG_PASSWORD });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toMatchObject({ code: 'CURRENT_PASSWORD_INCORRECT', details: [{ path: 'body.currentPassword' }] });
    const weak = await change({ currentPassword: STRONG_PASSWORD, newPassword: 'changer.user123' });
    expect(weak.json().error.code).toBe('WEAK_PASSWORD');
    expect(weak.json().error.details[0]).toMatchObject({ path: 'body.newPassword', rule: 'contains_username' });
    const same = await change({ currentPassword: STRONG_PASSWORD, newPassword: STRONG_PASSWORD });
    expect(same.json().error.code).toBe('PASSWORD_UNCHANGED');
    const missing = await change({ currentPassword: STRONG_PASSWORD });
    expect(missing.json().error.details[0].path).toBe('body.newPassword');

    const ok = await change({ currentPassword: STRONG_PASSWORD, newPassword: OTHER_STRONG_PASSWORD });
    expect(ok.statusCode, ok.body).toBe(204);
    expect((await a.inject({ method: 'GET', url: '/api/v1/account/me' })).statusCode).toBe(200);
    expect((await b.inject({ method: 'GET', url: '/api/v1/account/me' })).statusCode).toBe(401);
    expect((await signIn(t, 'changer.user', STRONG_PASSWORD)).response.statusCode).toBe(401);
    expect((await signIn(t, 'changer.user', OTHER_STRONG_PASSWORD)).response.statusCode).toBe(200);
    const ev = (await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=user_password_set&resourceId=${u.id}` })).json()
      .items;
    expect(ev[0]).toMatchObject({ initiatedBy: { type: 'user', id: u.id }, message: 'password changed by the user' });
    expect(JSON.stringify(ev)).not.toContain(OTHER_STRONG_PASSWORD);

    // Guessing the current password through a session locks the username like failed sign-ins do.
    const c = await signIn(t, 'changer.user', OTHER_STRONG_PASSWORD);
    const codes: string[] = [];
    for (let i = 0; i < 6; i++)
      codes.push(
        (
          await c.inject({
            method: 'POST',
            url: '/api/v1/account/password',
            payload: { currentPassword: `guess-number-${i}-xyz`, newPassword: STRONG_PASSWORD },
          })
        ).json().error.code,
      );
    expect(codes).toEqual([...Array(4).fill('CURRENT_PASSWORD_INCORRECT'), 'CURRENT_PASSWORD_INCORRECT', 'LOGIN_LOCKED']);
  });

  it('ends sessions on logout, on suspension, and when an admin sets a new password', async () => {
    await registered('session.user');
    const s = await signIn(t, 'session.user', STRONG_PASSWORD);
    expect((await s.inject({ method: 'POST', url: '/api/v1/account/logout' })).statusCode).toBe(204);
    expect((await s.inject({ method: 'GET', url: '/api/v1/account/me' })).statusCode).toBe(401);

    const v = await registered('to.suspend');
    const s2 = await signIn(t, 'to.suspend', STRONG_PASSWORD);
    await t.admin({ method: 'PATCH', url: `/api/v1/users/${v.id}`, payload: { state: 'SUSPENDED' } });
    expect((await s2.inject({ method: 'GET', url: '/api/v1/account/me' })).json().error.code).toBe('UNAUTHENTICATED');

    const w = await registered('admin.resets');
    const s3 = await signIn(t, 'admin.resets', STRONG_PASSWORD);
    await t.admin({ method: 'POST', url: `/api/v1/users/${w.id}/password`, payload: { password: OTHER_STRONG_PASSWORD } });
    expect((await s3.inject({ method: 'GET', url: '/api/v1/account/me' })).statusCode).toBe(401);
  });

  it('keeps admin and user sessions apart', async () => {
    await registered('wall.user');
    const s = await signIn(t, 'wall.user', STRONG_PASSWORD);
    const adminLogin = await t.anonymous({ method: 'POST', url: '/api/v1/auth/login', payload: TEST_ADMIN });
    const adminCookie = adminLogin.cookies.find((c) => c.name === 'roster_session')!.value;

    // An admin session does not stand for a user...
    const asAdmin = await client(t)({ method: 'GET', url: '/api/v1/account/me', cookies: { roster_session: adminCookie } });
    expect(asAdmin.statusCode).toBe(401);
    expect(
      (
        await client(t)({
          method: 'POST',
          url: '/api/v1/account/password',
          cookies: { roster_session: adminCookie },
          payload: { currentPassword: TEST_ADMIN.password, newPassword: OTHER_STRONG_PASSWORD },
        })
      ).statusCode,
    ).toBe(401);
    // ...and a user session (even sent where its path would not take it) opens no admin route.
    for (const url of ['/api/v1/users', '/api/v1/auth/me', '/api/v1/mail/outbox']) {
      const r = await client(t)({ method: 'GET', url, cookies: { roster_user_session: s.cookie } });
      expect(r.statusCode, url).toBe(401);
    }
    const w = await client(t)({
      method: 'POST',
      url: '/api/v1/users',
      cookies: { roster_user_session: s.cookie },
      payload: { username: 'x', email: 'x@example.com' },
    });
    expect(w.statusCode).toBe(401);
    // The user's cookie value is not an admin session either.
    expect((await client(t)({ method: 'GET', url: '/api/v1/auth/me', cookies: { roster_session: s.cookie } })).statusCode).toBe(401);
  });

  it('requires a JSON content type on the state-changing user routes', async () => {
    await registered('csrf.user');
    const s = await signIn(t, 'csrf.user', STRONG_PASSWORD);
    for (const url of ['/api/v1/account/login', '/api/v1/account/password', '/api/v1/account/logout']) {
      const r = await t.app.inject({
        method: 'POST',
        url,
        cookies: { roster_user_session: s.cookie },
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'a=b',
      });
      expect(r.statusCode, url).toBe(403);
      expect(r.json().error.code).toBe('CSRF_CHECK_FAILED');
    }
    expect((await s.inject({ method: 'GET', url: '/api/v1/account/me' })).statusCode).toBe(200);
  });

  it('refuses bad sign-in input with 400 naming the field, and rate-limits sign-in per client address', async () => {
    const c = client(t);
    for (const [payload, path] of [
      [{ login: 'a' }, 'body.password'],
      [{ login: 7, password: 'x' }, 'body.login'],
      [{ login: 'a', password: ['x'] }, 'body.password'],
      [{ login: 'a'.repeat(300), password: 'x' }, 'body.login'],
    ] as const) {
      const r = await c({ method: 'POST', url: '/api/v1/account/login', payload });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.details[0].path).toBe(path);
    }
    // Refused input counts too: 30 a minute in all, whatever they were. The flood is mostly refused
    // input, which costs no password hash (each unknown login still hashes once, about half a second).
    const codes: number[] = [];
    for (let i = 0; i < 25; i++)
      codes.push((await c({ method: 'POST', url: '/api/v1/account/login', payload: { login: `flood-${i}` } })).statusCode);
    expect(codes).toEqual(Array(25).fill(400));
    const last = await c({ method: 'POST', url: '/api/v1/account/login', payload: { login: 'flood-last', password: 'x' } });
    expect(last.statusCode).toBe(401);
    const limited = await c({ method: 'POST', url: '/api/v1/account/login', payload: { login: 'flood-x', password: 'x' } });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/Too many sign-in attempts from your network/),
    });
  });

  it('publishes the password policy for the pages', async () => {
    const r = await client(t)({ method: 'GET', url: '/api/v1/account/password-policy' });
    expect(r.json()).toMatchObject({ minLength: 12, maxLength: 128, rules: expect.any(Array) });
  });
});
