// Helpers for the accounts tests: users through the API, the activation link out of the mail that
// was queued, a fresh admin identity per rate-limit test, and a distinct client address per public request.
import { sql } from 'kysely';
import { withLinkToken } from '../server/notifications/mail.service.ts';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.ts';

export type Inject = (opts: InjectOptions) => Promise<LightMyRequestResponse>;

export const STRONG_PASSWORD = 'violet-harbour-lantern-42';
export const OTHER_STRONG_PASSWORD = 'copper-meadow-saxophone-17';

export async function createUser(t: TestApp, username: string, over: Record<string, unknown> = {}): Promise<{ id: string; email: string }> {
  const r = await t.admin({
    method: 'POST',
    url: '/api/v1/users',
    payload: { username, email: `${username}@example.com`, firstname: 'Ada', lastname: username, ...over },
  });
  if (r.statusCode !== 201) throw new Error(`create user ${username}: ${r.body}`);
  return { id: r.json().id, email: r.json().email };
}

export const LINK = /https?:\/\/[^\s"<>]+\/account\/set-password\?token=([A-Za-z0-9_-]+)/;

/** The token of the newest activation email to this address, read from the outbox as an admin sees it. */
/** The token of the newest activation email to `email`, read where only the recipient's mailbox would have it. */
export async function latestToken(t: TestApp, email: string): Promise<string> {
  // The body stores a placeholder: the link is what the send job would put in the message.
  const rows = await sql<{
    id: string;
    body_text: string;
    link_token_enc: string | null;
  }>`select id, body_text, link_token_enc from mail_outbox
    where to_lower = ${email.toLowerCase()} and kind = 'user_activation' order by created_at desc, id desc limit 1`.execute(t.database.db);
  const row = rows.rows[0];
  const m = row ? LINK.exec(withLinkToken(row, row.body_text, t.deps.secretKey)) : null;
  if (!m) throw new Error(`no activation email to ${email}`);
  return m[1];
}

/** Requests as a new admin API key: a rate-limit counter of its own. */
export async function freshAdmin(t: TestApp): Promise<{ inject: Inject; id: string }> {
  const r = await t.admin({ method: 'POST', url: '/api/v1/api-keys', payload: { name: `k${Math.random()}`, role: 'admin' } });
  const { key, id } = r.json();
  return {
    id,
    inject: (opts) =>
      t.app.inject({
        ...opts,
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          ...(opts.headers as Record<string, string> | undefined),
        },
      }),
  };
}

let ipCounter = 1;
/** A loopback address no other request used, so per-IP limits of one test don't reach another. */
export function freshIp(): string {
  const n = ipCounter++;
  return `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255 || 1}`;
}

/** Anonymous JSON requests from one client address. */
export function client(t: TestApp, ip = freshIp()): Inject {
  return (opts) =>
    t.app.inject({
      remoteAddress: ip,
      ...opts,
      headers: { 'content-type': 'application/json', ...(opts.headers as Record<string, string> | undefined) },
    });
}

/** Signs a user in and returns requests carrying his session cookie. */
export async function signIn(
  t: TestApp,
  login: string,
  password: string,
  ip = freshIp(),
): Promise<{ inject: Inject; cookie: string; response: LightMyRequestResponse }> {
  const c = client(t, ip);
  const response = await c({ method: 'POST', url: '/api/v1/account/login', payload: { login, password } });
  const cookie = response.cookies.find((k) => k.name === 'roster_user_session')?.value ?? '';
  return { cookie, response, inject: (opts) => c({ ...opts, cookies: { roster_user_session: cookie, ...(opts.cookies ?? {}) } }) };
}
