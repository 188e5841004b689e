// The delete guardrail on both databases: the limit, the pause committed although the request is
// refused, one email per pause to every admin through the outbox, confirmation, and the figures.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { insertUser } from '../../test/factories.ts';
import { perSuite } from '../../test/suite.ts';
import { createAdmin } from '../auth/index.ts';
import { inTransaction } from '../db/database.ts';
import { scimGuardrailPausedEmail } from '../notifications/index.ts';
import { systemActor } from '../shared/actor.ts';
import {
  checkRemoval,
  commitGuardrailPause,
  GUARDRAIL_RETRY_AFTER_SECONDS,
  type GuardrailContext,
  GuardrailPausedError,
  type RemovalKind,
  removalLimit,
} from './index.ts';

describe('the guardrail limit', () => {
  it('is the larger of the minimum and the share of the users, rounded up; null when off', () => {
    const settings = (deleteGuardrail: { percent: number; minimum: number } | null) => ({
      onDelete: 'suspend' as const,
      groups: true,
      activationEmail: 'off' as const,
      deleteGuardrail,
      rateLimitPerSecond: 100,
    });
    expect(removalLimit(settings({ percent: 10, minimum: 10 }), 50)).toBe(10);
    expect(removalLimit(settings({ percent: 10, minimum: 10 }), 1000)).toBe(100);
    expect(removalLimit(settings({ percent: 10, minimum: 3 }), 41)).toBe(5);
    expect(removalLimit(settings({ percent: 100, minimum: 1 }), 0)).toBe(1);
    expect(removalLimit(settings(null), 1000)).toBeNull();
  });
});

describe.each(dialects)('SCIM source delete guardrail on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect, { PUBLIC_URL: 'https://roster.example.com' }));
  const ctx = (): GuardrailContext => ({ db: t.database.db, clock: t.deps.clock, queue: t.deps.queue, publicUrl: t.deps.config.publicUrl });
  let n = 0;
  const newSource = async (deleteGuardrail: object | null) => {
    const r = await t.admin({
      method: 'POST',
      url: '/api/v1/scim-sources',
      payload: { name: `Guarded ${++n}`, settings: { deleteGuardrail } },
    });
    return r.json() as { id: string; name: string };
  };
  const users: string[] = [];
  /** One SCIM request's transaction as the endpoint runs it: the check, the removal if allowed, the error after commit. */
  const remove = async (sourceId: string, userId = users[0], kind: RemovalKind = 'suspend') => {
    const verdict = await inTransaction(t.database.db, (trx) => checkRemoval({ ...ctx(), db: trx }, { id: sourceId }, userId, kind));
    if (!verdict.allowed) throw verdict.error;
  };
  const source = async (id: string) => (await t.admin({ method: 'GET', url: `/api/v1/scim-sources/${id}` })).json();
  const stats = async (id: string) => (await t.admin({ method: 'GET', url: `/api/v1/scim-sources/${id}/stats` })).json();
  const mails = async (sourceId: string) =>
    (await t.admin({ method: 'GET', url: '/api/v1/mail/outbox?limit=500' }))
      .json()
      .items.filter((m: { relatedId?: string; kind: string }) => m.relatedId === sourceId && m.kind === 'scim_guardrail_paused');
  const confirm = (id: string) => t.admin({ method: 'POST', url: `/api/v1/scim-sources/${id}/guardrail/confirm` });

  // 20 users for the limits below, and a second admin (read-only: every admin hears of a pause).
  beforeAll(async () => {
    for (let i = 0; i < 20; i++) users.push(await insertUser(t.database.db, `guard-${i}`));
    await createAdmin({ db: t.database.db, clock: t.deps.clock }, systemActor(), {
      email: 'second@example.com',
      password: 'another correct horse battery',
      role: 'read_only',
    });
  });

  it('allows removals up to the limit, then pauses, commits the pause and emails every admin once', async () => {
    // 20 users (and the other tests' none): 10% is 2, so the minimum of 3 is the limit.
    const s = await newSource({ percent: 10, minimum: 3 });
    for (let i = 0; i < 3; i++) await remove(s.id, users[i], i === 0 ? 'delete' : 'suspend');
    expect((await stats(s.id)).guardrail).toMatchObject({ enabled: true, removals: 3, limit: 3, pausedAt: null });

    const refused = await remove(s.id, users[3]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GuardrailPausedError);
    const err = refused as GuardrailPausedError;
    expect(err).toMatchObject({
      status: 503,
      code: 'SCIM_SOURCE_PAUSED',
      retryAfterSeconds: GUARDRAIL_RETRY_AFTER_SECONDS,
      sourceId: s.id,
    });
    expect(err.message).toContain('Identity Management > SCIM sources');
    expect((await source(s.id)).guardrail.pausedAt).not.toBeNull();
    const removals = await t.database.db.selectFrom('scim_source_removals').select('user_id').where('source_id', '=', s.id).execute();
    expect(removals.map((r) => r.user_id).sort()).toEqual(users.slice(0, 3).sort());

    const sent = await mails(s.id);
    expect(sent.map((m: { to: string }) => m.to).sort()).toEqual(['admin@example.com', 'second@example.com']);
    expect(sent[0].subject).toContain(s.name);
    expect(sent[0].text).toContain('suspended 3 users within 60 minutes');
    expect(sent[0].text).toContain('suspend guard-3');
    expect(sent[0].text).toContain('Identity Management > SCIM sources');
    expect(sent[0].text).toContain(`https://roster.example.com/scim-sources/${s.id}`);

    const [ev] = (
      await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=scim_source_guardrail_paused&resourceId=${s.id}` })
    ).json().items;
    expect(ev).toMatchObject({ initiatedBy: { type: 'scim_source', id: s.id, name: s.name }, changes: { removals: 3, limit: 3 } });

    // Paused: every further removal is refused, with no new email.
    const again = await remove(s.id, users[4], 'delete').catch((e: unknown) => e);
    expect(again).toBeInstanceOf(GuardrailPausedError);
    expect((again as GuardrailPausedError).pause).toBeUndefined();
    expect(await mails(s.id)).toHaveLength(2);
  });

  it('commits the pause for a caller whose transaction rolled back, once', async () => {
    const s = await newSource({ percent: 1, minimum: 1 });
    await remove(s.id, users[0]);
    const thrown = await inTransaction(t.database.db, async (trx) => {
      const verdict = await checkRemoval({ ...ctx(), db: trx }, { id: s.id }, users[1], 'delete');
      if (!verdict.allowed) throw verdict.error;
    }).catch((e: unknown) => e as GuardrailPausedError);
    expect(thrown).toBeInstanceOf(GuardrailPausedError);
    expect((await source(s.id)).guardrail.pausedAt).toBeNull();
    expect(await mails(s.id)).toHaveLength(0);
    await commitGuardrailPause(ctx(), thrown as GuardrailPausedError);
    await commitGuardrailPause(ctx(), thrown as GuardrailPausedError);
    expect((await source(s.id)).guardrail.pausedAt).not.toBeNull();
    expect(await mails(s.id)).toHaveLength(2);
  });

  it('lets removals through again once an admin confirms; earlier removals no longer count', async () => {
    const s = await newSource({ percent: 1, minimum: 2 });
    const notPaused = await confirm(s.id);
    expect(notPaused.statusCode).toBe(409);
    expect(notPaused.json().error.code).toBe('SCIM_SOURCE_NOT_PAUSED');
    await remove(s.id, users[0]);
    await remove(s.id, users[1]);
    await expect(remove(s.id, users[2])).rejects.toBeInstanceOf(GuardrailPausedError);

    const r = await confirm(s.id);
    expect(r.statusCode).toBe(200);
    expect(r.json().guardrail.pausedAt).toBeNull();
    expect(r.json().guardrail.confirmedAt).not.toBeNull();
    const st = await stats(s.id);
    expect(st.guardrail).toMatchObject({ removals: 0, limit: 2, windowStart: r.json().guardrail.confirmedAt });
    await remove(s.id, users[2]);
    await remove(s.id, users[3]);
    await expect(remove(s.id, users[4])).rejects.toBeInstanceOf(GuardrailPausedError);
    // A second pause is a new pause: the admins hear of it again.
    expect(await mails(s.id)).toHaveLength(4);

    const [ev] = (
      await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=scim_source_guardrail_confirm&resourceId=${s.id}` })
    ).json().items;
    expect(ev).toMatchObject({ initiatedBy: { type: 'admin', id: t.adminActor.id }, resource: { type: 'scim_source', id: s.id } });
  });

  it('counts only the last hour, scales with the users, and does not limit a source without a guardrail', async () => {
    const s = await newSource({ percent: 50, minimum: 1 });
    const old = new Date(Date.now() - 61 * 60_000).toISOString();
    const org = t.adminActor.organizationId;
    const rows = users.map((u) => ({ organization_id: org, source_id: s.id, user_id: u, kind: 'delete' as const, at: old }));
    await t.database.db.insertInto('scim_source_removals').values(rows).execute();
    const limit = (await stats(s.id)).guardrail.limit;
    expect(limit).toBeGreaterThanOrEqual(10);
    for (let i = 0; i < limit; i++) await remove(s.id, users[i % users.length]);
    await expect(remove(s.id)).rejects.toBeInstanceOf(GuardrailPausedError);

    const free = await newSource(null);
    for (let i = 0; i < 30; i++) await remove(free.id, users[i % users.length]);
    expect((await stats(free.id)).guardrail).toMatchObject({ enabled: false, removals: 30, limit: null });
  });
});

describe('the guardrail email', () => {
  it('flattens and escapes what the source named', () => {
    const mail = scimGuardrailPausedEmail({
      sourceName: 'Evil\nBcc: x@example.com <b>',
      removals: 12,
      limit: 12,
      windowMinutes: 60,
      refused: { kind: 'delete', user: '<img src=x>' },
      sourceUrl: 'javascript:alert(1)',
    });
    expect(mail.subject).toBe('Roster paused deletions from the SCIM source Evil Bcc: x@example.com <b>');
    expect(mail.text).toContain('refused its request to delete <img src=x>');
    expect(mail.html).not.toMatch(/<img|<b>|href="javascript/);
    expect(mail.html).toContain('&lt;img src=x&gt;');
  });
});
