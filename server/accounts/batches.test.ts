// Bulk activation emails on both databases: a selection answered at once with counts and reasons,
// every PENDING user as a background job, a job that stops halfway and resumes without sending twice.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { ctxOf, insertUser } from '../../test/factories.ts';
import { eventually } from '../../test/idm.ts';
import { registerWorkers } from '../workers.ts';
import { createActivationBatch, runActivationBatch } from './batches.service.ts';
import { createUser, freshAdmin, STRONG_PASSWORD } from '../../test/accounts.ts';
import { perSuite } from '../../test/suite.ts';

describe.each(dialects)('bulk activation emails on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));

  const bulk = (payload: unknown, inject = t.admin) =>
    inject({ method: 'POST', url: '/api/v1/users/activation-emails', payload: payload as object });
  const liveTokens = async (userIds: string[]) => {
    const rows = await t.database.db
      .selectFrom('user_activation_tokens')
      .select(['user_id'])
      .where('user_id', 'in', userIds)
      .where('revoked_at', 'is', null)
      .execute();
    return rows.map((r) => r.user_id);
  };

  it('sends to a selection at once and says why each skipped user was skipped', async () => {
    const pending = await createUser(t, 'sel.pending');
    const staged = await createUser(t, 'sel.staged', { state: 'STAGED' });
    const suspended = await createUser(t, 'sel.suspended', { state: 'SUSPENDED' });
    const registered = await createUser(t, 'sel.registered');
    await t.admin({ method: 'POST', url: `/api/v1/users/${registered.id}/password`, payload: { password: STRONG_PASSWORD } });
    const recent = await createUser(t, 'sel.recent');
    expect((await t.admin({ method: 'POST', url: `/api/v1/users/${recent.id}/activation-email` })).statusCode).toBe(202);
    const missing = '0190a000-0000-7000-8000-0000000000aa';

    const r = await bulk({ ids: [pending.id, staged.id, suspended.id, registered.id, recent.id, missing, pending.id] });
    expect(r.statusCode, r.body).toBe(200);
    const b = r.json();
    expect(b).toMatchObject({
      status: 'completed',
      total: 6,
      queued: 2,
      skippedCount: 4,
      initiatedBy: { type: 'admin', email: 'admin@example.com' },
    });
    const reasons = Object.fromEntries(b.skipped.map((s: { id: string; reason: string }) => [s.id, s.reason]));
    expect(reasons).toEqual({
      [suspended.id]: 'suspended',
      [registered.id]: 'password_already_set',
      [recent.id]: 'rate_limited',
      [missing]: 'not_found',
    });
    for (const s of b.skipped) expect(s.message.length).toBeGreaterThan(10);
    expect((await liveTokens([pending.id, staged.id])).sort()).toEqual([pending.id, staged.id].sort());
    expect(await liveTokens([suspended.id, registered.id])).toEqual([]);
    const ev = (
      await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=user_activation_email_sent&resourceId=${pending.id}` })
    ).json().items;
    expect(ev[0].changes.batchId).toBe(b.id);
    expect((await t.admin({ method: 'GET', url: `/api/v1/users/activation-emails/${b.id}` })).json()).toEqual(b);
  });

  it('refuses a body with both, neither, or malformed ids, naming the field', async () => {
    for (const [payload, path] of [
      [{}, 'body'],
      [{ ids: ['0190a000-0000-7000-8000-0000000000aa'], filter: {} }, 'body'],
      [{ ids: [] }, 'body.ids'],
      [{ ids: ['nope'] }, 'body.ids.0'],
      [{ filter: { passwordStatus: 'ACTIVE' } }, 'body.filter.passwordStatus'],
      [{ filter: { colour: 'red' } }, 'body.filter.colour'],
    ] as const) {
      const r = await bulk(payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(
        r.json().error.details.map((d: { path: string }) => d.path),
        JSON.stringify(payload),
      ).toContain(path);
    }
  });

  it('emails every PENDING user as a background job when there are 100 or more, and reports the counts', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 118; i++) ids.push(await insertUser(t.database.db, `job.user.${String(i).padStart(3, '0')}`));
    const suspended: string[] = [];
    for (let i = 0; i < 4; i++) suspended.push(await insertUser(t.database.db, `job.suspended.${i}`, { state: 'SUSPENDED' }));
    await insertUser(t.database.db, 'job.registered', { password_status: 'ACTIVE', password_hash: 'scrypt$x' });

    const r = await bulk({ filter: { passwordStatus: 'PENDING', q: 'job.' } });
    expect(r.statusCode, r.body).toBe(202);
    expect(r.json()).toMatchObject({ status: 'queued', total: 122, queued: 0 });
    registerWorkers(t.deps);
    await t.deps.queue.start();
    const done = await eventually(
      async () => {
        const b = (await t.admin({ method: 'GET', url: `/api/v1/users/activation-emails/${r.json().id}` })).json();
        return b.status === 'completed' ? b : undefined;
      },
      30_000,
      'the batch to complete',
    );
    // Later tests run batches by hand: a live worker would run their jobs at the same time.
    await t.deps.queue.stop();
    expect(done).toMatchObject({ total: 122, queued: 118, skippedCount: 4 });
    expect(done.skipped.every((s: { reason: string }) => s.reason === 'suspended')).toBe(true);
    expect((await liveTokens(ids)).length).toBe(118);
    const mails = await sql<{
      n: number;
    }>`select count(*) as n from mail_outbox where kind = 'user_activation' and related_id in (${sql.join(ids)})`.execute(t.database.db);
    expect(Number(mails.rows[0].n)).toBe(118);
  });

  it('resumes a batch that stopped halfway without emailing anyone twice', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 150; i++) ids.push(await insertUser(t.database.db, `resume.user.${String(i).padStart(3, '0')}`));
    const ctrl = new AbortController();
    let sent = 0;
    const queue = {
      ...t.deps.queue,
      enqueue: async (...args: Parameters<typeof t.deps.queue.enqueue>) => {
        // Stops the run once the first chunk's emails are queued, as a shutdown would.
        if (++sent === 100) ctrl.abort();
        return t.deps.queue.enqueue(...args);
      },
    };
    const ctx = { ...ctxOf(t), queue, secretKey: t.deps.secretKey, publicUrl: 'http://localhost', linkTtlMs: 3600_000 };
    const { batch } = await createActivationBatch({ ...ctx, queue: t.deps.queue }, t.adminActor, { ids });
    expect(batch.status).toBe('queued');
    await expect(runActivationBatch(ctx, batch.id, ctrl.signal)).rejects.toThrow();
    const half = await t.database.db
      .selectFrom('activation_email_batches')
      .selectAll()
      .where('id', '=', batch.id)
      .executeTakeFirstOrThrow();
    expect(half).toMatchObject({ status: 'running', queued: 100 });
    const resumed = await runActivationBatch(ctx, batch.id);
    expect(resumed).toMatchObject({ status: 'completed', total: 150, queued: 150, skippedCount: 0 });
    const rows = await t.database.db.selectFrom('user_activation_tokens').select('user_id').where('user_id', 'in', ids).execute();
    expect(rows).toHaveLength(150);
    expect(new Set(rows.map((r) => r.user_id)).size).toBe(150);
    // Running a finished batch again (a job delivered twice) changes nothing.
    await runActivationBatch(ctx, batch.id);
    expect(await t.database.db.selectFrom('user_activation_tokens').select('user_id').where('user_id', 'in', ids).execute()).toHaveLength(
      150,
    );
  });

  it('rate-limits bulk requests per admin: the 11th in 5 minutes gets a 429', async () => {
    const admin = await freshAdmin(t);
    for (let i = 0; i < 10; i++) expect((await bulk({ ids: [] }, admin.inject)).statusCode).toBe(400);
    const r = await bulk({ filter: { passwordStatus: 'PENDING' } }, admin.inject);
    expect(r.statusCode).toBe(429);
    expect(r.json().error).toMatchObject({
      code: 'ACTIVATION_EMAIL_RATE_LIMITED',
      message: expect.stringMatching(/bulk activation email requests: at most 10 in 5 minutes/),
    });
  });
});
