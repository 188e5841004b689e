// The purge job removes what can no longer be used, keeps what still can, and runs once per period
// across workers (a singleton job that schedules its next run).
import { describe, expect, it } from 'vitest';
import { createTestApp, TEST_ADMIN } from '../test/app.ts';
import { dialects } from '../test/db.ts';
import { createSetupToken } from './auth/index.ts';
import { PURGE_JOB, purgeExpired, registerMaintenanceWorkers, schedulePurge } from './maintenance.ts';
import { DEFAULT_ORGANIZATION_ID } from './shared/actor.ts';
import { countRows } from '../test/factories.ts';
import { perSuite } from '../test/suite.ts';

const HOUR = 60 * 60_000;

// A time `ms` from the test's start, as stored.
type At = (ms: number) => string;

describe.each(dialects)('purge of expired sessions and tokens on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));

  const count = (
    table: 'admin_sessions' | 'setup_tokens' | 'login_throttle' | 'user_sessions' | 'user_activation_tokens' | 'admin_mfa_challenges',
  ) => countRows(t.database.db, table);

  // The fixture rows, one helper per table; `at(ms)` is a time relative to the test's start.
  const insertAdminSessions = async (at: At, admin: { id: string }) => {
    const session = (id: string, created: number, expires: number) => ({
      id,
      organization_id: DEFAULT_ORGANIZATION_ID,
      admin_id: admin.id,
      csrf_token: 'x',
      created_at: at(created),
      last_seen_at: at(created),
      expires_at: at(expires),
      client_ip: null,
      user_agent: null,
    });
    await t.database.db
      .insertInto('admin_sessions')
      .values([session('expired', -3 * HOUR, -HOUR), session('too-old', -8 * 24 * HOUR, HOUR)])
      .execute();
  };

  const insertEndedSetupTokens = async (at: At) => {
    await t.database.db
      .insertInto('setup_tokens')
      .values([
        {
          id: 'used',
          organization_id: DEFAULT_ORGANIZATION_ID,
          token_hash: 'h1',
          created_at: at(-HOUR),
          expires_at: at(HOUR),
          used_at: at(-HOUR / 2),
        },
        {
          id: 'expired',
          organization_id: DEFAULT_ORGANIZATION_ID,
          token_hash: 'h2',
          created_at: at(-48 * HOUR),
          expires_at: at(-24 * HOUR),
          used_at: null,
        },
      ])
      .execute();
  };

  const insertLoginCounters = async (at: At) => {
    await t.database.db
      .insertInto('login_throttle')
      .values([
        {
          organization_id: DEFAULT_ORGANIZATION_ID,
          key: 'admin:stale@1.2.3.4',
          failures: 2,
          window_started_at: at(-HOUR),
          locked_until: null,
        },
        {
          organization_id: DEFAULT_ORGANIZATION_ID,
          key: 'admin:locked@1.2.3.4',
          failures: 5,
          window_started_at: at(-HOUR),
          locked_until: at(HOUR),
        },
        {
          organization_id: DEFAULT_ORGANIZATION_ID,
          key: 'admin:recent@1.2.3.4',
          failures: 1,
          window_started_at: at(-60_000),
          locked_until: null,
        },
      ])
      .execute();
  };

  const createUser = async (username: string): Promise<{ id: string }> =>
    (await t.admin({ method: 'POST', url: '/api/v1/users', payload: { username, email: `${username}@example.com` } })).json();

  // One live link per user at most (a unique index): the expired one belongs to the other user.
  const insertActivationLinks = async (at: At, userId: string, otherUserId: string) => {
    const link = (id: string, forUser: string, expires: number, ended: { used?: number; revoked?: number } = {}) => ({
      id,
      organization_id: DEFAULT_ORGANIZATION_ID,
      user_id: forUser,
      token_hash: `t-${id}`,
      sent_to: 'x@example.com',
      sent_by_type: 'admin',
      sent_by_id: null,
      batch_id: null,
      created_at: at(-10 * 24 * HOUR),
      expires_at: at(expires),
      used_at: ended.used === undefined ? null : at(ended.used),
      revoked_at: ended.revoked === undefined ? null : at(ended.revoked),
    });
    await t.database.db
      .insertInto('user_activation_tokens')
      .values([
        link('old-used', userId, HOUR, { used: -8 * 24 * HOUR }),
        link('old-voided', userId, HOUR, { revoked: -8 * 24 * HOUR }),
        link('recently-used', userId, HOUR, { used: -HOUR }),
        link('live', userId, 24 * HOUR),
        link('old-expired', otherUserId, -8 * 24 * HOUR),
      ])
      .execute();
  };

  const insertUserSessions = async (at: At, userId: string) => {
    const userSession = (id: string, expires: number) => ({
      id,
      organization_id: DEFAULT_ORGANIZATION_ID,
      user_id: userId,
      created_at: at(-HOUR),
      last_seen_at: at(-HOUR),
      expires_at: at(expires),
      client_ip: null,
      user_agent: null,
    });
    await t.database.db
      .insertInto('user_sessions')
      .values([userSession('u-expired', -1000), userSession('u-live', HOUR)])
      .execute();
  };

  const insertMfaChallenges = async (at: At, admin: { id: string }) => {
    const challenge = (id: string, expires: number) => ({
      id,
      organization_id: DEFAULT_ORGANIZATION_ID,
      admin_id: admin.id,
      client_ip: null,
      user_agent: null,
      created_at: at(-HOUR),
      expires_at: at(expires),
    });
    await t.database.db
      .insertInto('admin_mfa_challenges')
      .values([challenge('c-expired', -1000), challenge('c-live', 60_000)])
      .execute();
  };

  it('removes expired sessions, ended setup tokens and links and stale login counters, and keeps live ones', async () => {
    const { db } = t.database;
    const now = Date.now();
    const at = (ms: number) => new Date(now + ms).toISOString();
    // Live: the test admin's own session (from createTestApp) and a fresh setup token.
    await createSetupToken({ db, clock: t.deps.clock }, DEFAULT_ORGANIZATION_ID);
    const admin = await db.selectFrom('admins').select('id').where('email', '=', TEST_ADMIN.email).executeTakeFirstOrThrow();
    await insertAdminSessions(at, admin);
    await insertEndedSetupTokens(at);
    await insertLoginCounters(at);
    const user = await createUser('purge.me');
    const other = await createUser('purge.other');
    await insertActivationLinks(at, user.id, other.id);
    await insertUserSessions(at, user.id);
    await insertMfaChallenges(at, admin);

    expect(await purgeExpired(t.deps)).toEqual({
      sessions: 2,
      setupTokens: 2,
      loginThrottle: 1,
      mfaChallenges: 1,
      userSessions: 1,
      activationLinks: 3,
    });
    expect(await count('admin_mfa_challenges')).toBe(1);
    expect(await count('admin_sessions')).toBe(1);
    expect((await t.admin({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200);
    expect(await count('setup_tokens')).toBe(1);
    expect((await db.selectFrom('login_throttle').select('key').execute()).map((r) => r.key).sort()).toEqual([
      'admin:locked@1.2.3.4',
      'admin:recent@1.2.3.4',
    ]);
    expect((await db.selectFrom('user_sessions').select('id').execute()).map((r) => r.id)).toEqual(['u-live']);
    expect((await db.selectFrom('user_activation_tokens').select('id').execute()).map((r) => r.id).sort()).toEqual([
      'live',
      'recently-used',
    ]);
  });

  it('runs as a job that schedules its next run, one queued at a time however many workers ask', async () => {
    registerMaintenanceWorkers(t.deps);
    await schedulePurge(t.deps);
    await schedulePurge(t.deps);
    expect((await t.deps.queue.counts(PURGE_JOB)).queued).toBe(1);
    await t.deps.queue.start();
    for (let i = 0; i < 200 && (await t.deps.queue.counts(PURGE_JOB)).completed < 1; i++) await new Promise((r) => setTimeout(r, 50));
    const counts = await t.deps.queue.counts(PURGE_JOB);
    expect(counts.completed).toBe(1);
    // The next one waits an hour.
    expect(counts.queued).toBe(1);
    await t.deps.queue.stop({ graceMs: 0 });
  });
});
