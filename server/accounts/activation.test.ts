// Activation emails and the set-password link, on both databases: the link's life (single use,
// expiry, newer voids older, forged, truncated, deleted user), refusals, rate limits, Insights.
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { sha256 } from '../auth/index.ts';
import { createUser, client, freshAdmin, latestToken, OTHER_STRONG_PASSWORD, STRONG_PASSWORD } from '../../test/accounts.ts';
import { inspectActivation } from './activation.service.ts';
import { perSuite } from '../../test/suite.ts';

const GENERIC = 'ACTIVATION_LINK_INVALID';

describe.each(dialects)('activation emails on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect, { PUBLIC_URL: 'https://roster.example.org', ACTIVATION_LINK_TTL_HOURS: '48' }));

  const send = (id: string, inject = t.admin) => inject({ method: 'POST', url: `/api/v1/users/${id}/activation-email` });
  const check = (token: string) => client(t)({ method: 'GET', url: `/api/v1/account/activation?token=${encodeURIComponent(token)}` });
  const complete = (token: string, password = STRONG_PASSWORD, passwordConfirm = password) =>
    client(t)({ method: 'POST', url: '/api/v1/account/activation', payload: { token, password, passwordConfirm } });
  const tokenRows = (userId: string) =>
    t.database.db.selectFrom('user_activation_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
  const userRow = (id: string) => t.database.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('queues an email with a single-use link, stores only the hash, and keeps the token out of responses and Insights', async () => {
    const u = await createUser(t, 'ada.lovelace', { displayname: 'Ada Lovelace' });
    // The app's clock stands still for the send, so the expiry is exact.
    const sentAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const clock = t.deps.clock;
    t.deps.clock = { now: () => new Date(sentAt) };
    const r = await send(u.id).finally(() => (t.deps.clock = clock));
    expect(r.statusCode, r.body).toBe(202);
    expect(r.json()).toMatchObject({ userId: u.id, to: u.email });
    // ACTIVATION_LINK_TTL_HOURS=48
    const expiresAt = new Date(sentAt.getTime() + 48 * 3600_000).toISOString();
    expect(r.json().expiresAt).toBe(expiresAt);
    expect(await tokenRows(u.id)).toMatchObject([{ created_at: sentAt.toISOString(), expires_at: expiresAt }]);

    const token = await latestToken(t, u.email);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(r.body).not.toContain(token);
    const outbox = (await t.admin({ method: 'GET', url: `/api/v1/mail/outbox?to=${u.email}` })).json().items[0];
    expect(outbox).toMatchObject({
      kind: 'user_activation',
      relatedId: u.id,
      status: 'queued',
      subject: 'Complete your Roster account: choose your password',
    });
    // The outbox (read_only admins can read it) shows the link without its token.
    expect(outbox.text).toContain('https://roster.example.org/account/set-password?token=[hidden]');
    expect(outbox.text).toContain('Hello Ada Lovelace,');
    expect(outbox.html).toContain('<a href="https://roster.example.org/account/set-password?token=[hidden]">');
    expect(JSON.stringify(outbox)).not.toContain(token);

    const rows = await tokenRows(u.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(sha256(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    // The queued mail holds a placeholder in its bodies and the token only encrypted, until it is sent.
    const stored = await t.database.db
      .selectFrom('mail_outbox' as never)
      .selectAll()
      .where('related_id' as never, '=', u.id as never)
      .execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(JSON.stringify(stored)).toContain('set-password?token=[link-token]');

    const ev = (
      await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=user_activation_email_sent&resourceId=${u.id}` })
    ).json().items;
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({
      service: 'auth',
      success: true,
      initiatedBy: { type: 'admin', email: 'admin@example.com' },
      resource: { type: 'user', id: u.id, username: 'ada.lovelace' },
    });
    const all = await t.database.db.selectFrom('insight_events').selectAll().execute();
    expect(JSON.stringify(all)).not.toContain(token);
    expect(JSON.stringify(all)).not.toContain(sha256(token));
  });

  it('tells the set-password page who the account is for, with the email masked', async () => {
    const u = await createUser(t, 'grace.hopper', { email: 'grace.hopper@navy.example', displayname: 'Grace Hopper' });
    await send(u.id);
    const r = await check(await latestToken(t, u.email));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({
      username: 'grace.hopper',
      displayName: 'Grace Hopper',
      email: 'g•••r@navy.example',
      passwordPolicy: { minLength: 12, maxLength: 128 },
    });
    expect(r.body).not.toContain('grace.hopper@navy.example');
  });

  it('sets the password once: status ACTIVE, a scrypt hash, the link used up, Insights by the user', async () => {
    const u = await createUser(t, 'alan.turing');
    await send(u.id);
    const token = await latestToken(t, u.email);
    const r = await complete(token);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ username: 'alan.turing', passwordStatus: 'ACTIVE' });
    const row = await userRow(u.id);
    expect(row.password_status).toBe('ACTIVE');
    expect(row.password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(row.password_hash).not.toContain(STRONG_PASSWORD);
    expect((await tokenRows(u.id))[0].used_at).not.toBeNull();

    const again = await complete(token, OTHER_STRONG_PASSWORD);
    expect(again.statusCode).toBe(410);
    expect(again.json().error.code).toBe(GENERIC);
    expect((await check(token)).statusCode).toBe(410);
    expect((await userRow(u.id)).password_hash).toBe(row.password_hash);

    const ev = (await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=user_password_set&resourceId=${u.id}` })).json()
      .items;
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({
      initiatedBy: { type: 'user', id: u.id },
      message: 'password set by the user with the activation link',
      changes: { passwordStatus: { from: 'PENDING', to: 'ACTIVE' } },
    });
    expect(JSON.stringify(ev)).not.toContain(STRONG_PASSWORD);
    expect(JSON.stringify(ev)).not.toContain(token);
  });

  it('gives one generic 410 for forged, truncated, expired, replaced and deleted-user links, saying to ask for a new email', async () => {
    const u = await createUser(t, 'edsger.dijkstra');
    await send(u.id);
    const first = await latestToken(t, u.email);
    const answers: Record<string, { statusCode: number; body: string }> = {};
    answers.forged = await check(Buffer.alloc(32, 9).toString('base64url'));
    answers.truncated = await check(first.slice(0, 30));
    answers.garbage = await check('not a token at all');

    // Newer email voids the older link.
    await t.database.db
      .updateTable('user_activation_tokens')
      .set({ created_at: new Date(Date.now() - 120_000).toISOString() })
      .where('user_id', '=', u.id)
      .execute();
    expect((await send(u.id)).statusCode).toBe(202);
    const second = await latestToken(t, u.email);
    expect(second).not.toBe(first);
    answers.replaced = await check(first);
    answers.replacedPost = await complete(first);
    expect((await check(second)).statusCode).toBe(200);

    // Expired: the service decides against its clock; the API against now.
    const future = { now: () => new Date(Date.now() + 49 * 3600_000) };
    await expect(inspectActivation({ db: t.database.db, clock: future }, second)).rejects.toMatchObject({ code: GENERIC, status: 410 });
    await t.database.db
      .updateTable('user_activation_tokens')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('token_hash', '=', sha256(second))
      .execute();
    answers.expired = await check(second);
    answers.expiredPost = await complete(second);

    const v = await createUser(t, 'deleted.user');
    await send(v.id);
    const deletedToken = await latestToken(t, v.email);
    expect((await t.admin({ method: 'DELETE', url: `/api/v1/users/${v.id}` })).statusCode).toBe(204);
    answers.deletedUser = await check(deletedToken);
    answers.deletedUserPost = await complete(deletedToken);

    const bodies = new Set(Object.values(answers).map((a) => a.body));
    expect(bodies.size, JSON.stringify(answers)).toBe(1);
    for (const [k, a] of Object.entries(answers)) expect(a.statusCode, k).toBe(410);
    const body = JSON.parse([...bodies][0]);
    expect(body.error.code).toBe(GENERIC);
    expect(body.error.message).toMatch(/Ask your administrator to send you a new activation email/);
    expect((await userRow(u.id)).password_status).toBe('PENDING');
  });

  it('refuses bad input with a 400 naming the field, and a weak password leaves the link usable', async () => {
    const u = await createUser(t, 'barbara.liskov');
    await send(u.id);
    const token = await latestToken(t, u.email);
    const c = client(t);
    const cases: Array<[unknown, string]> = [
      [{ token, password: 12345678901234, passwordConfirm: 12345678901234 }, 'body.password'],
      [{ token, password: 'x'.repeat(2000), passwordConfirm: 'x'.repeat(2000) }, 'body.password'],
      [{ token: ['a'], password: STRONG_PASSWORD, passwordConfirm: STRONG_PASSWORD }, 'body.token'],
      [{ token, password: STRONG_PASSWORD }, 'body.passwordConfirm'],
      [{ token, password: STRONG_PASSWORD, passwordConfirm: STRONG_PASSWORD, extra: 1 }, 'body.extra'],
    ];
    for (const [payload, path] of cases) {
      const r = await c({ method: 'POST', url: '/api/v1/account/activation', payload: payload as object });
      expect(r.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(r.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const weak: Array<[string, string, string]> = [
      ['short-pw', 'min_length', 'body.password'],
      ['z'.repeat(129), 'max_length', 'body.password'],
      ['Barbara.Liskov-2026', 'contains_username', 'body.password'],
      ['qwertyuiop123', 'common_password', 'body.password'],
    ];
    for (const [password, rule, path] of weak) {
      const r = await complete(token, password);
      expect(r.statusCode, password).toBe(400);
      expect(r.json().error.code).toBe('WEAK_PASSWORD');
      expect(r.json().error.details[0]).toMatchObject({ path, rule });
    }
    const mismatch = await complete(token, STRONG_PASSWORD, OTHER_STRONG_PASSWORD);
    expect(mismatch.json().error).toMatchObject({ code: 'PASSWORD_MISMATCH', details: [{ path: 'body.passwordConfirm' }] });
    expect((await userRow(u.id)).password_status).toBe('PENDING');
    expect((await complete(token)).statusCode).toBe(200);
  });

  it('requires a JSON content type to set a password with a link', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/account/activation',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'token=x&password=y',
    });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.code).toBe('CSRF_CHECK_FAILED');
  });

  it('refuses suspended users and registered users, saying why, and writes nothing', async () => {
    const s = await createUser(t, 'suspended.sam', { state: 'SUSPENDED' });
    const r = await send(s.id);
    expect(r.statusCode).toBe(409);
    expect(r.json().error).toMatchObject({ code: 'USER_SUSPENDED', message: expect.stringContaining('suspended.sam is suspended') });
    expect(await tokenRows(s.id)).toHaveLength(0);
    expect((await t.admin({ method: 'GET', url: `/api/v1/mail/outbox?to=${s.email}` })).json().items).toHaveLength(0);

    const a = await createUser(t, 'active.alice');
    expect(
      (await t.admin({ method: 'POST', url: `/api/v1/users/${a.id}/password`, payload: { password: STRONG_PASSWORD } })).statusCode,
    ).toBe(200);
    const again = await send(a.id);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('PASSWORD_ALREADY_SET');

    expect((await send('0190a000-0000-7000-8000-00000000dead')).statusCode).toBe(404);
  });

  it('voids a live link when the user is suspended after the email, and when an admin sets the password', async () => {
    const u = await createUser(t, 'later.suspended');
    await send(u.id);
    const token = await latestToken(t, u.email);
    await t.admin({ method: 'PATCH', url: `/api/v1/users/${u.id}`, payload: { state: 'SUSPENDED' } });
    expect((await check(token)).statusCode).toBe(410);
    expect((await complete(token)).statusCode).toBe(410);

    const w = await createUser(t, 'admin.sets.it');
    await send(w.id);
    const wt = await latestToken(t, w.email);
    await t.admin({ method: 'POST', url: `/api/v1/users/${w.id}/password`, payload: { password: STRONG_PASSWORD } });
    expect((await check(wt)).statusCode).toBe(410);
  });

  it('rate-limits per user (one a minute, three an hour) with a clear 429 and nothing written', async () => {
    const u = await createUser(t, 'rate.limited');
    const admin = await freshAdmin(t);
    expect((await send(u.id, admin.inject)).statusCode).toBe(202);
    const soon = await send(u.id, admin.inject);
    expect(soon.statusCode).toBe(429);
    expect(soon.json().error).toMatchObject({
      code: 'ACTIVATION_EMAIL_RATE_LIMITED',
      message: expect.stringMatching(/less than a minute ago/),
    });
    expect(await tokenRows(u.id)).toHaveLength(1);

    // Two more, spread over the hour (moved back in time), then the fourth is refused.
    for (let i = 0; i < 2; i++) {
      await t.database.db
        .updateTable('user_activation_tokens')
        .set({ created_at: new Date(Date.now() - (30 - i * 10) * 60_000).toISOString() })
        .where('user_id', '=', u.id)
        .where('revoked_at', 'is not', null)
        .execute();
      await t.database.db
        .updateTable('user_activation_tokens')
        .set({ created_at: new Date(Date.now() - (20 - i * 10) * 60_000 + 30_000).toISOString() })
        .where('user_id', '=', u.id)
        .where('revoked_at', 'is', null)
        .execute();
      expect((await send(u.id, admin.inject)).statusCode).toBe(202);
    }
    await t.database.db
      .updateTable('user_activation_tokens')
      .set({ created_at: new Date(Date.now() - 5 * 60_000).toISOString() })
      .where('user_id', '=', u.id)
      .where('revoked_at', 'is', null)
      .execute();
    const mailsBefore = (await t.admin({ method: 'GET', url: `/api/v1/mail/outbox?to=${u.email}` })).json().items.length;
    const fourth = await send(u.id, admin.inject);
    expect(fourth.statusCode).toBe(429);
    expect(fourth.json().error.message).toMatch(/3 activation emails were sent to rate.limited in the last hour/);
    expect(fourth.json().error.details.retryAfterSeconds).toBeGreaterThan(0);
    expect(await tokenRows(u.id)).toHaveLength(3);
    expect((await t.admin({ method: 'GET', url: `/api/v1/mail/outbox?to=${u.email}` })).json().items).toHaveLength(mailsBefore);
  });

  it('rate-limits each admin: the 31st request in 5 minutes gets a 429, other admins carry on', async () => {
    const flooder = await freshAdmin(t);
    const missing = '0190a000-0000-7000-8000-00000000beef';
    for (let i = 0; i < 30; i++) expect((await send(missing, flooder.inject)).statusCode).toBe(404);
    const u = await createUser(t, 'flood.target');
    const refused = await send(u.id, flooder.inject);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({
      code: 'ACTIVATION_EMAIL_RATE_LIMITED',
      message: expect.stringMatching(/at most 30 in 5 minutes per admin/),
    });
    expect(await tokenRows(u.id)).toHaveLength(0);
    const other = await freshAdmin(t);
    expect((await send(u.id, other.inject)).statusCode).toBe(202);
  });

  it('rate-limits the public link check and password form per client address', async () => {
    const c = client(t);
    const codes: number[] = [];
    for (let i = 0; i < 31; i++)
      codes.push((await c({ method: 'GET', url: `/api/v1/account/activation?token=${'A'.repeat(43)}` })).statusCode);
    expect(codes.slice(0, 30).every((s) => s === 410)).toBe(true);
    const last = await c({ method: 'GET', url: `/api/v1/account/activation?token=${'A'.repeat(43)}` });
    expect(last.statusCode).toBe(429);
    expect(last.json().error).toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/Too many link checks from your network/),
    });
    // Another address is not affected.
    expect((await client(t)({ method: 'GET', url: `/api/v1/account/activation?token=${'A'.repeat(43)}` })).statusCode).toBe(410);
    const p = client(t);
    for (let i = 0; i < 10; i++)
      await p({
        method: 'POST',
        url: '/api/v1/account/activation',
        payload: { token: 'A'.repeat(43), password: STRONG_PASSWORD, passwordConfirm: STRONG_PASSWORD },
      });
    expect(
      (
        await p({
          method: 'POST',
          url: '/api/v1/account/activation',
          payload: { token: 'A'.repeat(43), password: STRONG_PASSWORD, passwordConfirm: STRONG_PASSWORD },
        })
      ).statusCode,
    ).toBe(429);
  });

  it('read_only admins can neither send activation emails nor set passwords', async () => {
    const u = await createUser(t, 'read.only.target');
    for (const r of [
      await t.readOnly({ method: 'POST', url: `/api/v1/users/${u.id}/activation-email`, headers: { 'content-type': 'application/json' } }),
      await t.readOnly({
        method: 'POST',
        url: '/api/v1/users/activation-emails',
        headers: { 'content-type': 'application/json' },
        payload: { ids: [u.id] },
      }),
      await t.readOnly({
        method: 'POST',
        url: `/api/v1/users/${u.id}/password`,
        headers: { 'content-type': 'application/json' },
        payload: { password: STRONG_PASSWORD },
      }),
    ]) {
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('FORBIDDEN');
    }
    expect(await tokenRows(u.id)).toHaveLength(0);
    expect((await userRow(u.id)).password_status).toBe('PENDING');
  });
});
