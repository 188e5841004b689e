// Admin MFA over HTTP on both databases: enrolment, the two-step sign-in (TOTP and recovery codes,
// each used once), lockout after wrong codes, removal and reset, the organization setting that
// requires MFA, and what Insights records. Time moves by whole TOTP steps through the app's clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_ADMIN, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { base32Decode, totpCode, totpStep } from './totp.ts';

describe.each(dialects)('admin MFA on %s', (dialect) => {
  let t: TestApp;
  let offsetMs = 0;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    t.deps.clock = { now: () => new Date(Date.now() + offsetMs) };
  });
  afterAll(async () => {
    await t?.close();
  });
  /** The authenticator's code now; then time moves one step on, so the next code is a new one. */
  const codeFor = (secret: string) => {
    const code = totpCode(base32Decode(secret), totpStep(t.deps.clock.now()));
    offsetMs += 30_000;
    return code;
  };
  const json = { 'content-type': 'application/json' };
  const sessionOf = (r: { cookies: { name: string; value: string }[] }) => r.cookies.find((c) => c.name === 'roster_session')?.value;
  const as = (cookie: string | undefined) => (opts: Parameters<TestApp['anonymous']>[0]) =>
    t.anonymous({ ...opts, cookies: { roster_session: cookie ?? '' }, headers: { ...json, ...(opts.headers as object) } });
  const login = (email: string, password: string) =>
    t.anonymous({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  const secondStep = (pending: string | undefined, payload: object) =>
    t.anonymous({
      method: 'POST',
      url: '/api/v1/auth/login/mfa',
      cookies: pending ? { roster_mfa_pending: pending } : {},
      headers: json,
      payload,
    });
  const events = async (type: string) =>
    (await t.readOnly({ method: 'GET', url: `/api/v1/insights/events?eventType=${type}&limit=100` })).json().items as any[];
  const newAdmin = async (email: string, password: string, role = 'admin') => {
    const r = await t.admin({ method: 'POST', url: '/api/v1/admins', payload: { email, password, role } });
    expect(r.statusCode).toBe(201);
    return r.json().id as string;
  };
  const enrol = async (call: ReturnType<typeof as>) => {
    const started = await call({ method: 'POST', url: '/api/v1/auth/mfa/totp' });
    expect(started.statusCode).toBe(200);
    const body = started.json() as { secret: string; otpauthUrl: string; recoveryCodes: string[] };
    expect((await call({ method: 'POST', url: '/api/v1/auth/mfa/totp/verify', payload: { code: codeFor(body.secret) } })).statusCode).toBe(
      200,
    );
    return body;
  };

  it('enrols an authenticator: pending until a code confirms it, then the other sessions end and sign-in asks for a code', async () => {
    const email = 'totp.ana@example.com';
    const password = 'cobalt-harbor-quill-72';
    const id = await newAdmin(email, password);
    const here = as(sessionOf(await login(email, password)));
    const elsewhere = as(sessionOf(await login(email, password)));

    const started = await here({ method: 'POST', url: '/api/v1/auth/mfa/totp' });
    expect(started.statusCode).toBe(200);
    const { secret, otpauthUrl, recoveryCodes } = started.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUrl).toBe(
      `otpauth://totp/Roster:${encodeURIComponent(email)}?secret=${secret}&issuer=Roster&algorithm=SHA1&digits=6&period=30`,
    );
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    // Not active yet: a password alone still signs in.
    expect(sessionOf(await login(email, password))).toBeTruthy();

    const wrong = await here({
      method: 'POST',
      url: '/api/v1/auth/mfa/totp/verify',
      payload: { code: '000000' === codeFor(secret) ? '111111' : '000000' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toMatchObject({ code: 'MFA_CODE_INCORRECT', details: [{ path: 'body.code' }] });
    const malformed = await here({ method: 'POST', url: '/api/v1/auth/mfa/totp/verify', payload: { code: '12ab56' } });
    expect(malformed.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'body.code' }] });

    const ok = await here({ method: 'POST', url: '/api/v1/auth/mfa/totp/verify', payload: { code: codeFor(secret) } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().admin).toMatchObject({ id, mfaEnabled: true });
    expect((await here({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200);
    expect((await elsewhere({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401);
    expect((await here({ method: 'POST', url: '/api/v1/auth/mfa/totp' })).json().error.code).toBe('MFA_ALREADY_ENABLED');
    expect((await t.admin({ method: 'GET', url: '/api/v1/admins' })).json().items.find((a: any) => a.id === id).mfaEnabled).toBe(true);

    // The secret is stored encrypted, the recovery codes only hashed.
    const row = await t.database.db.selectFrom('admin_mfa').selectAll().where('admin_id', '=', id).executeTakeFirstOrThrow();
    expect(row.secret_enc).not.toContain(secret);
    for (const c of recoveryCodes) expect(row.recovery_code_hashes).not.toContain(c);

    const [enabled] = await events('admin_mfa_enable');
    expect(enabled).toMatchObject({ success: true, resource: { id, username: email } });
    expect(JSON.stringify(await events('admin_mfa_enable'))).not.toContain(secret);

    // Sign-in now takes two steps.
    const first = await login(email, password);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ mfaRequired: true, expiresAt: expect.any(String) });
    expect(sessionOf(first)).toBeUndefined();
    const pending = first.cookies.find((c) => c.name === 'roster_mfa_pending')!;
    expect(pending).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth/login/mfa' });
    // The pending token authorizes nothing else, not even as a session cookie.
    expect((await as(pending.value)({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401);

    const second = await secondStep(pending.value, { code: codeFor(secret) });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ admin: { id, mfaEnabled: true }, mfaEnrolmentRequired: false });
    expect((await as(sessionOf(second))({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200);
    // The challenge is spent with its session.
    expect((await secondStep(pending.value, { code: codeFor(secret) })).json().error.code).toBe('MFA_CHALLENGE_EXPIRED');
    const signIns = (await events('admin_login_attempt')).filter((e) => e.resource.id === id && e.success);
    expect(signIns[0]).toMatchObject({ changes: { secondFactor: 'totp' }, message: 'with an authenticator code' });
  });

  it('takes each code once: the same TOTP code twice, a recovery code twice; recovery codes ignore case and dashes', async () => {
    const email = 'totp.ben@example.com';
    const password = 'velvet-summit-pike-63';
    await newAdmin(email, password);
    const { secret, recoveryCodes } = await enrol(as(sessionOf(await login(email, password))));
    const pendingOf = async () => (await login(email, password)).cookies.find((c) => c.name === 'roster_mfa_pending')!.value;

    const code = totpCode(base32Decode(secret), totpStep(t.deps.clock.now()));
    expect((await secondStep(await pendingOf(), { code })).statusCode).toBe(200);
    const replay = await secondStep(await pendingOf(), { code });
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error).toMatchObject({ code: 'MFA_CODE_INCORRECT', details: [{ path: 'body.code' }] });
    offsetMs += 30_000;

    const recovery = recoveryCodes[3].toUpperCase().replace('-', ' ');
    const used = await secondStep(await pendingOf(), { recoveryCode: recovery });
    expect(used.statusCode).toBe(200);
    const again = await secondStep(await pendingOf(), { recoveryCode: recoveryCodes[3] });
    expect(again.json().error).toMatchObject({ code: 'MFA_CODE_INCORRECT', details: [{ path: 'body.recoveryCode' }] });
    const [withRecovery] = (await events('admin_login_attempt')).filter((e) => e.resource.username === email && e.success);
    expect(withRecovery).toMatchObject({ changes: { secondFactor: 'recovery_code', recoveryCodesLeft: 9 } });

    const both = await secondStep(await pendingOf(), { code: '123456', recoveryCode: recoveryCodes[0] });
    expect(both.json().error.code).toBe('VALIDATION_FAILED');
    expect((await secondStep(undefined, { code: '123456' })).json().error.code).toBe('MFA_CHALLENGE_EXPIRED');
  });

  it(
    'ends a challenge after 5 wrong codes and locks the second step for the admin from every address; ' + 'failures are in Insights',
    async () => {
      const email = 'totp.cleo@example.com';
      const password = 'marble-thicket-owl-48';
      await newAdmin(email, password);
      const { secret } = await enrol(as(sessionOf(await login(email, password))));
      const pending = (await login(email, password)).cookies.find((c) => c.name === 'roster_mfa_pending')!.value;
      const right = totpCode(base32Decode(secret), totpStep(t.deps.clock.now()));
      const wrong = right === '999999' ? '999998' : '999999';
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await secondStep(pending, { code: wrong })).json().error.code);
      expect(statuses).toEqual([
        'MFA_CODE_INCORRECT',
        'MFA_CODE_INCORRECT',
        'MFA_CODE_INCORRECT',
        'MFA_CODE_INCORRECT',
        'MFA_CHALLENGE_EXPIRED',
      ]);
      // Locked for the admin: a new challenge from another address, with the right code, waits.
      const fresh = await t.anonymous({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email, password },
        remoteAddress: '198.51.100.7',
      });
      const locked = await t.anonymous({
        method: 'POST',
        url: '/api/v1/auth/login/mfa',
        remoteAddress: '198.51.100.7',
        cookies: { roster_mfa_pending: fresh.cookies.find((c) => c.name === 'roster_mfa_pending')!.value },
        headers: json,
        payload: { code: right },
      });
      expect(locked.statusCode).toBe(429);
      expect(locked.json().error.code).toBe('LOGIN_LOCKED');
      const failures = (await events('admin_login_attempt')).filter((e) => e.resource.username === email && !e.success);
      expect(failures.map((e) => e.message)).toEqual([
        'second factor locked after repeated wrong codes',
        ...Array(5).fill('wrong authenticator code (second factor)'),
      ]);
      expect(JSON.stringify(failures)).not.toContain(wrong);
    },
  );

  it('lets an admin remove his own MFA with a code, and another admin (or the CLI) reset it, ending his sessions', async () => {
    const email = 'totp.dan@example.com';
    const password = 'harvest-lumen-crane-27';
    const id = await newAdmin(email, password);
    const mine = as(sessionOf(await login(email, password)));
    const { secret, recoveryCodes } = await enrol(mine);
    expect((await mine({ method: 'DELETE', url: '/api/v1/auth/mfa/totp', payload: { code: '000001' } })).statusCode).toBe(400);
    expect((await mine({ method: 'DELETE', url: '/api/v1/auth/mfa/totp', payload: { recoveryCode: recoveryCodes[0] } })).statusCode).toBe(
      204,
    );
    expect(sessionOf(await login(email, password))).toBeTruthy();
    const [disabled] = await events('admin_mfa_disable');
    expect(disabled).toMatchObject({ success: true, resource: { id } });
    expect((await mine({ method: 'DELETE', url: '/api/v1/auth/mfa/totp', payload: { code: codeFor(secret) } })).json().error.code).toBe(
      'MFA_NOT_ENABLED',
    );

    await enrol(mine);
    const reset = await t.admin({ method: 'DELETE', url: `/api/v1/admins/${id}/mfa` });
    expect(reset.statusCode).toBe(204);
    expect((await mine({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401);
    expect(sessionOf(await login(email, password))).toBeTruthy();
    expect((await events('admin_mfa_reset'))[0]).toMatchObject({
      initiatedBy: { email: TEST_ADMIN.email },
      resource: { id, username: email },
    });
    expect((await t.admin({ method: 'DELETE', url: `/api/v1/admins/${id}/mfa` })).json().error.code).toBe('MFA_NOT_ENABLED');
    expect((await t.admin({ method: 'DELETE', url: `/api/v1/admins/${t.adminActor.id}/mfa` })).json().error.code).toBe(
      'CANNOT_RESET_OWN_MFA',
    );
    expect((await t.readOnly({ method: 'DELETE', url: `/api/v1/admins/${id}/mfa` })).statusCode).toBe(403);
    // API keys have no MFA of their own.
    expect((await t.readOnly({ method: 'POST', url: '/api/v1/auth/mfa/totp' })).json().error.code).toBe('SESSION_REQUIRED');
  });

  it(
    'requires MFA of every admin when the organization says so: without it a session may only enrol; ' + 'API keys are unaffected',
    async () => {
      const email = 'totp.eve@example.com';
      const password = 'granite-willow-fjord-91';
      await newAdmin(email, password, 'read_only');
      expect((await t.readOnly({ method: 'GET', url: '/api/v1/organization/settings' })).json()).toEqual({ requireAdminMfa: false });
      expect(
        (await t.readOnly({ method: 'PATCH', url: '/api/v1/organization/settings', headers: json, payload: { requireAdminMfa: true } }))
          .statusCode,
      ).toBe(403);
      expect(
        (await t.admin({ method: 'PATCH', url: '/api/v1/organization/settings', payload: { requireAdminMfa: 'yes' } })).json().error
          .details[0].path,
      ).toBe('body.requireAdminMfa');
      const on = await t.admin({ method: 'PATCH', url: '/api/v1/organization/settings', payload: { requireAdminMfa: true } });
      expect(on.json()).toEqual({ requireAdminMfa: true });
      try {
        expect((await events('organization_settings_update'))[0]).toMatchObject({
          changes: { requireAdminMfa: { from: false, to: true } },
        });

        const signedIn = await login(email, password);
        expect(signedIn.json()).toMatchObject({ mfaEnrolmentRequired: true });
        const hers = as(sessionOf(signedIn));
        const refused = await hers({ method: 'GET', url: '/api/v1/users' });
        expect(refused.statusCode).toBe(403);
        expect(refused.json().error.code).toBe('MFA_ENROLMENT_REQUIRED');
        expect((await hers({ method: 'GET', url: '/api/v1/auth/me' })).json()).toMatchObject({ mfaEnrolmentRequired: true });
        // The admin who has a session already is held to it at his next request too.
        expect((await t.admin({ method: 'GET', url: '/api/v1/users' })).json().error.code).toBe('MFA_ENROLMENT_REQUIRED');
        expect((await t.readOnly({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(200);

        await enrol(hers);
        expect((await hers({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(200);
        expect((await hers({ method: 'GET', url: '/api/v1/auth/me' })).json()).toMatchObject({ mfaEnrolmentRequired: false });
      } finally {
        await t.database.db.updateTable('organizations').set({ require_admin_mfa: 0 }).execute();
      }
      expect((await t.admin({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(200);
    },
  );
});
