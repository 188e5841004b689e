// Account registration end to end, on both databases: the real server process sends the activation
// email to a real SMTP receiver; the link is parsed out of the received message and used through the
// public API to set the password; then the user signs in. The token and password never reach the logs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { createTestDatabaseUrl, dialects } from '../db.ts';
import { startServerProcess, type ServerProcess } from './process.ts';
import { eventually } from '../idm.ts';
import { parseMime, SmtpReceiver } from '../smtp-receiver.ts';
import { LINK, STRONG_PASSWORD } from '../accounts.ts';

const ADMIN = { email: 'e2e-admin@example.com', password: 'e2e admin password long enough' };
const PUBLIC_URL = 'http://roster.example.test:8080';

describe.each(dialects)('account registration end to end on %s', (dialect) => {
  const smtp = new SmtpReceiver();
  let server: ServerProcess;
  let drop: () => Promise<void>;
  let databaseUrl: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-accounts-e2e-'));

  beforeAll(async () => {
    await smtp.start();
    const db = await createTestDatabaseUrl(dialect);
    drop = db.drop;
    databaseUrl = db.url;
    server = await startServerProcess(
      {
        DATABASE_URL: db.url,
        ROSTER_DATA_DIR: dataDir,
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Roster <roster@example.test>',
        PUBLIC_URL,
        ROSTER_ADMIN_EMAIL: ADMIN.email,
        ROSTER_ADMIN_PASSWORD: ADMIN.password,
        // Request logs on: the test checks that they never carry the token or the password.
        LOG_LEVEL: 'info',
      },
      30_000,
    );
  }, 60_000);

  afterAll(async () => {
    if (server) expect(await server.stop('SIGTERM')).toBe(0);
    await smtp.stop();
    await drop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (method: string, url: string, opts: { cookie?: string; body?: unknown } = {}) => {
    const r = await fetch(`${server.url}${url}`, {
      method,
      headers: {
        ...(opts.body !== undefined || method !== 'GET' ? { 'content-type': 'application/json' } : {}),
        ...(opts.cookie ? { cookie: opts.cookie } : {}),
      },
      body: opts.body === undefined ? (method === 'GET' ? undefined : '') : JSON.stringify(opts.body),
    });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : undefined, setCookie: r.headers.getSetCookie() };
  };

  it('emails the link, sets the password through it, and the user signs in', async () => {
    const login = await call('POST', '/api/v1/auth/login', { body: ADMIN });
    expect(login.status).toBe(200);
    const adminCookie = login.setCookie.find((c) => c.startsWith('roster_session='))!.split(';')[0];

    const created = await call('POST', '/api/v1/users', {
      cookie: adminCookie,
      body: { username: 'mary.jackson', email: 'mary.jackson@example.org', displayname: 'Mary Jackson' },
    });
    expect(created.status).toBe(201);
    const userId = created.json.id as string;
    expect(created.json.passwordStatus).toBe('PENDING');

    const sent = await call('POST', `/api/v1/users/${userId}/activation-email`, { cookie: adminCookie });
    expect(sent.status, JSON.stringify(sent.json)).toBe(202);

    const msg = await eventually(
      async () => smtp.messages.find((m) => m.to.includes('mary.jackson@example.org')),
      20_000,
      'the activation email',
    );
    const mail = await parseMime(msg.raw);
    expect(mail.headers.subject).toBe('Complete your Roster account: choose your password');
    expect(mail.headers.from).toContain('roster@example.test');
    const text = mail.parts.find((p) => p.headers['content-type']?.startsWith('text/plain'))!.text;
    const html = mail.parts.find((p) => p.headers['content-type']?.startsWith('text/html'))!.text;
    expect(text).toContain('Hello Mary Jackson,');
    const link = LINK.exec(text);
    expect(link, text).not.toBeNull();
    expect(link![0].startsWith(`${PUBLIC_URL}/account/set-password?token=`)).toBe(true);
    expect(html).toContain(`href="${link![0]}"`);
    const token = link![1];
    // Once sent, nothing in the outbox row holds the token any more (sealed until then, cleared now).
    const sentRow = await eventually(
      async () => {
        const r = await call('GET', `/api/v1/mail/outbox?to=mary.jackson@example.org`, { cookie: adminCookie });
        return r.json.items[0]?.status === 'sent' ? r.json.items[0] : undefined;
      },
      20_000,
      'the mail to be marked sent',
    );
    expect(JSON.stringify(sentRow)).not.toContain(token);
    const database = openDatabase(databaseUrl);
    try {
      expect(
        JSON.stringify(
          await database.db
            .selectFrom('mail_outbox' as never)
            .selectAll()
            .execute(),
        ),
      ).not.toContain(token);
    } finally {
      await database.close();
    }

    const info = await call('GET', `/api/v1/account/activation?token=${token}`);
    expect(info.status).toBe(200);
    expect(info.json).toMatchObject({ username: 'mary.jackson', displayName: 'Mary Jackson', email: 'm•••n@example.org' });

    const weak = await call('POST', '/api/v1/account/activation', {
      body: { token, password: 'password1234', passwordConfirm: 'password1234' },
    });
    expect(weak.status).toBe(400);
    expect(weak.json.error.code).toBe('WEAK_PASSWORD');

    const set = await call('POST', '/api/v1/account/activation', {
      body: { token, password: STRONG_PASSWORD, passwordConfirm: STRONG_PASSWORD },
    });
    expect(set.status, JSON.stringify(set.json)).toBe(200);
    expect(set.json).toEqual({ username: 'mary.jackson', passwordStatus: 'ACTIVE' });
    expect((await call('GET', `/api/v1/account/activation?token=${token}`)).status).toBe(410);

    const userLogin = await call('POST', '/api/v1/account/login', {
      body: { login: 'mary.jackson@example.org', password: STRONG_PASSWORD },
    });
    expect(userLogin.status, JSON.stringify(userLogin.json)).toBe(200);
    const userCookie = userLogin.setCookie.find((c) => c.startsWith('roster_user_session='))!;
    expect(userCookie).toMatch(/HttpOnly/i);
    expect(userCookie).toMatch(/SameSite=Strict/i);
    expect(userCookie).toMatch(/Path=\/api\/v1\/account/);
    const me = await call('GET', '/api/v1/account/me', { cookie: userCookie.split(';')[0] });
    expect(me.status).toBe(200);
    expect(me.json.user).toMatchObject({ id: userId, username: 'mary.jackson', passwordStatus: 'ACTIVE' });

    const user = await call('GET', `/api/v1/users/${userId}`, { cookie: adminCookie });
    expect(user.json.passwordStatus).toBe('ACTIVE');
    const events = await call('GET', `/api/v1/insights/events?resourceId=${userId}`, { cookie: adminCookie });
    expect(events.json.items.map((e: { eventType: string }) => e.eventType)).toEqual(
      expect.arrayContaining(['user_activation_email_sent', 'user_password_set', 'user_login_attempt']),
    );
    expect(JSON.stringify(events.json)).not.toContain(token);
    expect(JSON.stringify(events.json)).not.toContain(STRONG_PASSWORD);
    const outbox = await call('GET', '/api/v1/mail/outbox?to=mary.jackson@example.org', { cookie: adminCookie });
    expect(outbox.json.items[0]).toMatchObject({ kind: 'user_activation', status: 'sent' });

    // The request logs (info level) show the link check with the token redacted, and never the password.
    const logs = server.output();
    expect(logs).toContain('/api/v1/account/activation?token=[redacted]');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(STRONG_PASSWORD);
  });
});
