// One contract for every JobQueue adapter (embedded on SQLite, embedded on PostgreSQL, pg-boss on
// PostgreSQL): delivery, concurrency, scheduling and retries. Transactions, coalescing, cancel, stop
// and crashes are in queue-lifecycle.contract.test.ts.
import { describe, expect, it } from 'vitest';
import { adapters, contractFixture, sleep, waitFor } from '../../test/job-queues.ts';
import { openDatabase } from '../db/database.ts';
import { type JobContext, PermanentJobError } from './index.ts';
import { backoffDelayMs } from './support.ts';

describe('backoff', () => {
  it('doubles from the base, stays within [half, full] of it, and is capped', () => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const full = 100 * 2 ** (attempt - 1);
      for (let i = 0; i < 50; i++) {
        const d = backoffDelayMs(100, attempt);
        expect(d).toBeGreaterThanOrEqual(full / 2);
        expect(d).toBeLessThanOrEqual(full);
      }
    }
    expect(backoffDelayMs(1000, 60, 5000)).toBeLessThanOrEqual(5000);
  });
});

describe.each(adapters)('JobQueue contract: $label', (adapter) => {
  const t = contractFixture(adapter);
  const { jobName, makeQueue, waitForState } = t;

  it('delivers exactly the enqueued payload, with its id, name and attempt', async () => {
    const q = makeQueue();
    expect(q.kind).toBe(adapter.kind);
    const name = jobName();
    const seen = new Map<string, { payload: unknown; ctx: Omit<JobContext, 'signal'> }>();
    q.work<object>(name, async (payload, ctx) => {
      seen.set(ctx.id, { payload, ctx: { id: ctx.id, name: ctx.name, attempt: ctx.attempt } });
    });
    const payloads = [{ a: 1, nested: { list: [1, 'two', null, 3.5], flag: true } }, { text: 'héllo ✓ "quoted"\n\ttab' }, {}];
    const ids: string[] = [];
    for (const p of payloads) ids.push(await q.enqueue(t.database.db, name, p));
    expect(new Set(ids).size).toBe(3);
    expect(await q.counts(name)).toEqual({ queued: 3, running: 0, completed: 0, failed: 0, cancelled: 0 });
    await q.start();
    await waitFor('3 completed jobs', async () => (await q.counts(name)).completed === 3);
    ids.forEach((id, i) => {
      expect(seen.get(id)).toEqual({ payload: payloads[i], ctx: { id, name, attempt: 1 } });
    });
    expect(await q.get(ids[0])).toEqual({ id: ids[0], name, state: 'completed', attempts: 1, lastError: null, payload: payloads[0] });
    expect(await q.get('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(await q.counts(name)).toEqual({ queued: 0, running: 0, completed: 3, failed: 0, cancelled: 0 });
  });

  it('never runs more handlers at once than the concurrency', async () => {
    const q = makeQueue();
    const name = jobName();
    let active = 0;
    let peak = 0;
    q.work(
      name,
      async () => {
        active++;
        peak = Math.max(peak, active);
        await sleep(80);
        active--;
      },
      { concurrency: 2 },
    );
    for (let i = 0; i < 6; i++) await q.enqueue(t.database.db, name, { i });
    await q.start();
    await waitFor('6 completed jobs', async () => (await q.counts(name)).completed === 6);
    expect(peak).toBeLessThanOrEqual(2);
    expect(peak).toBeGreaterThanOrEqual(1);
  });

  it('never hands one job to two workers on separate connections', async () => {
    const name = jobName();
    const other = openDatabase(t.database.url, { poolSize: 5 });
    const q2 = t.queueOn(other);
    try {
      const q1 = makeQueue();
      const runs = new Map<string, number>();
      const handler = async (_p: object, ctx: JobContext) => {
        runs.set(ctx.id, (runs.get(ctx.id) ?? 0) + 1);
        await sleep(5);
      };
      q1.work(name, handler, { concurrency: 3 });
      q2.work(name, handler, { concurrency: 3 });
      for (let i = 0; i < 30; i++) await q1.enqueue(t.database.db, name, { i });
      await Promise.all([q1.start(), q2.start()]);
      await waitFor('30 completed jobs', async () => (await q1.counts(name)).completed === 30);
      expect(runs.size).toBe(30);
      expect([...runs.values()].filter((n) => n !== 1)).toEqual([]);
    } finally {
      await q2.stop({ graceMs: 1000 });
      await other.close();
    }
  });

  it(
    'never fails the enqueue of a busy key, even when workers take each waiting job the moment it commits',
    { timeout: 60_000 },
    async () => {
      // Many changes enqueue the same coalescing job while two processes' workers keep taking it: an
      // enqueue that loses every race to a worker must still leave a job that runs after its commit.
      const name = jobName();
      // SQLite has one connection per process (a second one in this process would block it on the lock).
      const other = adapter.dialect === 'postgres' ? openDatabase(t.database.url, { poolSize: 10 }) : t.database;
      const q2 = t.queueOn(other);
      try {
        const q1 = makeQueue();
        const handler = async () => {
          await sleep(1);
        };
        q1.work(name, handler, { concurrency: 4 });
        q2.work(name, handler, { concurrency: 4 });
        await Promise.all([q1.start(), q2.start()]);
        const enqueued = await Promise.allSettled(
          Array.from({ length: 400 }, (_, v) =>
            (v % 2 ? other.db : t.database.db)
              .transaction()
              .execute((trx) => (v % 2 ? q2 : q1).enqueue(trx, name, { v }, { singletonKey: 'busy' })),
          ),
        );
        expect(enqueued.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
        const ids = new Set(enqueued.map((r) => (r as PromiseFulfilledResult<string>).value));
        for (const id of ids) await waitForState(q1, id, 'completed');
      } finally {
        await q2.stop({ graceMs: 1000 });
        if (other !== t.database) await other.close();
      }
    },
  );

  it('runs jobs in runAt order and none before its runAt', async () => {
    const q = makeQueue();
    const name = jobName();
    const step = adapter.pollMs * 3;
    const t0 = Date.now();
    const runAt = { a: undefined, b: new Date(t0 + step), c: new Date(t0 + 2 * step) };
    const started: Array<{ key: string; at: number }> = [];
    q.work<{ key: 'a' | 'b' | 'c' }>(name, async ({ key }) => {
      started.push({ key, at: Date.now() });
    });
    // Enqueued latest first, so creation order is the opposite of runAt order.
    await q.enqueue(t.database.db, name, { key: 'c' }, { runAt: runAt.c });
    await q.enqueue(t.database.db, name, { key: 'b' }, { runAt: runAt.b });
    await q.enqueue(t.database.db, name, { key: 'a' });
    await q.start();
    await waitFor('3 completed jobs', async () => (await q.counts(name)).completed === 3);
    expect(started.map((s) => s.key)).toEqual(['a', 'b', 'c']);
    // 50 ms of slack for pg-boss, which compares with the database's clock.
    for (const s of started) {
      const due = runAt[s.key as 'a' | 'b' | 'c'];
      if (due) expect(s.at).toBeGreaterThanOrEqual(due.getTime() - 50);
    }
  });

  it('retries a failing job up to maxAttempts, then fails it keeping the last error', async () => {
    const q = makeQueue();
    const name = jobName();
    const attempts: number[] = [];
    q.work(name, async (_p, ctx) => {
      attempts.push(ctx.attempt);
      throw new Error(`boom ${ctx.attempt}`);
    });
    const id = await q.enqueue(t.database.db, name, { x: 1 }, { maxAttempts: 3, backoffMs: 10 });
    await q.start();
    const job = await waitForState(q, id, 'failed');
    expect(job).toMatchObject({ attempts: 3, lastError: 'boom 3', payload: { x: 1 } });
    expect(attempts).toEqual([1, 2, 3]);
    expect(await q.counts(name)).toMatchObject({ failed: 1, queued: 0, running: 0 });
  });

  it('waits out the backoff before the next attempt, and completes when a retry succeeds', async () => {
    const q = makeQueue();
    const name = jobName();
    const at: number[] = [];
    q.work(name, async (_p, ctx) => {
      at.push(Date.now());
      if (ctx.attempt === 1) throw new Error('first attempt fails');
    });
    // 1 s: the smallest base both adapters honour (pg-boss counts whole seconds); the jittered wait is 0.5-1 s.
    const id = await q.enqueue(t.database.db, name, {}, { maxAttempts: 2, backoffMs: 1000 });
    await q.start();
    expect(await waitForState(q, id, 'completed')).toMatchObject({ attempts: 2, lastError: null });
    expect(at).toHaveLength(2);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(450);
  });

  it('fails at once on a PermanentJobError', async () => {
    const q = makeQueue();
    const name = jobName();
    let calls = 0;
    q.work(name, async () => {
      calls++;
      throw new PermanentJobError('the application rejected the user for good');
    });
    const id = await q.enqueue(t.database.db, name, {}, { maxAttempts: 5, backoffMs: 10 });
    await q.start();
    expect(await waitForState(q, id, 'failed')).toMatchObject({ attempts: 1, lastError: 'the application rejected the user for good' });
    await sleep(adapter.pollMs * 2);
    expect(calls).toBe(1);
  });
});
