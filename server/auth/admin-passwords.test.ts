// Admins change their own password and reset another admin's; sessions end with the change.
import { describe, expect, it } from 'vitest';
import { createTestApp, TEST_ADMIN, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { perSuite } from '../../test/suite.ts';

describe.each(dialects)('admin passwords on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));

  const signIn = async (email: string, password: string) => {
    const r = await t.anonymous({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
    const cookie = r.cookies.find((c) => c.name === 'roster_session')?.value;
    return {
      status: r.statusCode,
      as: (opts: Parameters<TestApp['anonymous']>[0]) =>
        t.anonymous({
          ...opts,
          cookies: { roster_session: cookie ?? '' },
          headers: { 'content-type': 'application/json', ...(opts.headers as object) },
        }),
    };
  };

  it('lets an admin change his own password: the current one first, the policy, other sessions end, this one stays', async () => {
    const email = 'changer@example.com';
    const first = 'saffron-kettle-orbit-31';
    const next = 'juniper-anvil-comet-58';
    expect(
      (await t.admin({ method: 'POST', url: '/api/v1/admins', payload: { email, password: first, role: 'read_only' } })).statusCode,
    ).toBe(201);
    const here = await signIn(email, first);
    const elsewhere = await signIn(email, first);
    const change = (payload: object) => here.as({ method: 'POST', url: '/api/v1/auth/password', payload });

    const wrong = await change({ currentPassword: 'not-my-password-9', newPassword: next });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toMatchObject({ code: 'CURRENT_PASSWORD_INCORRECT', details: [{ path: 'body.currentPassword' }] });
    const weak = await change({ currentPassword: first, newPassword: 'cccccccccccccc' });
    expect(weak.json().error).toMatchObject({ code: 'WEAK_PASSWORD', details: [{ path: 'body.newPassword', rule: 'repetitive' }] });
    expect((await change({ currentPassword: first, newPassword: first })).json().error.code).toBe('PASSWORD_UNCHANGED');

    expect((await change({ currentPassword: first, newPassword: next })).statusCode).toBe(204);
    expect((await here.as({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200);
    expect((await elsewhere.as({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401);
    expect((await signIn(email, first)).status).toBe(401);
    expect((await signIn(email, next)).status).toBe(200);
    const events = (await t.admin({ method: 'GET', url: '/api/v1/insights/events?eventType=admin_password_change' })).body;
    expect(events).toContain(email);
    expect(events).not.toContain(next);
  });

  it("lets an admin reset another admin's password, ending that admin's sessions; not his own, not read_only, not an API key", async () => {
    const email = 'forgetful@example.com';
    const created = await t.admin({
      method: 'POST',
      url: '/api/v1/admins',
      payload: { email, password: 'walnut-lagoon-ember-12', role: 'admin' },
    });
    const id = created.json().id;
    const theirs = await signIn(email, 'walnut-lagoon-ember-12');
    const reset = await t.admin({ method: 'POST', url: `/api/v1/admins/${id}/password`, payload: { password: 'meadow-falcon-prism-64' } });
    expect(reset.statusCode).toBe(204);
    expect((await theirs.as({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401);
    expect((await signIn(email, 'meadow-falcon-prism-64')).status).toBe(200);
    expect(
      (await t.admin({ method: 'GET', url: '/api/v1/insights/events?eventType=admin_password_reset' })).json().items[0].resource.username,
    ).toBe(email);

    expect(
      (await t.readOnly({ method: 'POST', url: `/api/v1/admins/${id}/password`, payload: { password: 'other-secret-pass-01' } }))
        .statusCode,
    ).toBe(403);
    const self = await t.admin({
      method: 'POST',
      url: `/api/v1/admins/${t.adminActor.id}/password`,
      payload: { password: 'other-secret-pass-01' },
    });
    expect(self.statusCode).toBe(409);
    expect(self.json().error.code).toBe('USE_CHANGE_PASSWORD');
    const key = (await t.admin({ method: 'POST', url: '/api/v1/api-keys', payload: { name: 'pw', role: 'admin' } })).json().key;
    const byKey = await t.anonymous({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: { currentPassword: TEST_ADMIN.password, newPassword: 'other-secret-pass-01' },
    });
    expect(byKey.statusCode).toBe(403);
    expect(byKey.json().error.code).toBe('SESSION_REQUIRED');
  });
});
