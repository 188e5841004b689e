// One contract for every JobQueue adapter: embedded on SQLite, embedded on PostgreSQL, pg-boss on PostgreSQL.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dialects, type TestDatabase } from '../../test/db.ts';
import { type Dialect, openDatabase } from '../db/database.ts';
import { backoffDelayMs } from './support.ts';
import { type CreateJobQueueOptions, createJobQueue, JobAbortedError, type JobContext, type JobQueue, PermanentJobError } from './index.ts';

interface Adapter {
  label: string;
  dialect: Dialect;
  kind: 'embedded' | 'pg-boss';
  pollMs: number;
  leaseMs: number;
}

const adapters = (
  [
    { label: 'embedded on sqlite', dialect: 'sqlite', kind: 'embedded', pollMs: 25, leaseMs: 600 },
    { label: 'embedded on postgres', dialect: 'postgres', kind: 'embedded', pollMs: 25, leaseMs: 600 },
    // pg-boss polls every 500 ms at the fastest and holds heartbeats to 10 s at the least.
    { label: 'pg-boss on postgres', dialect: 'postgres', kind: 'pg-boss', pollMs: 500, leaseMs: 1000 },
  ] satisfies Adapter[]
).filter((a) => dialects.includes(a.dialect));

const CRASH_WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../test/jobs/crash-worker.ts');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

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
  let database: TestDatabase;
  let queues: JobQueue[] = [];
  const children = new Set<ChildProcess>();
  let seq = 0;
  const jobName = () => `contract.${++seq}`;

  beforeAll(async () => {
    database = await createTestDatabase(adapter.dialect);
  });
  afterEach(async () => {
    for (const child of children) child.kill('SIGKILL');
    children.clear();
    await Promise.all(queues.map((q) => q.stop({ graceMs: 0 })));
    queues = [];
  });
  afterAll(async () => {
    await database?.close();
  });

  const makeQueue = (options: CreateJobQueueOptions = {}) => {
    const q = createJobQueue(database, {
      kind: adapter.kind,
      connectionString: database.url,
      pollIntervalMs: adapter.pollMs,
      leaseMs: adapter.leaseMs,
      ...options,
    });
    queues.push(q);
    return q;
  };
  const waitForState = (q: JobQueue, id: string, state: string, timeoutMs?: number) =>
    waitFor(
      `job ${id} to be ${state}`,
      async () => {
        const job = await q.get(id);
        return job?.state === state ? job : undefined;
      },
      timeoutMs,
    );

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
    for (const p of payloads) ids.push(await q.enqueue(database.db, name, p));
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
    for (let i = 0; i < 6; i++) await q.enqueue(database.db, name, { i });
    await q.start();
    await waitFor('6 completed jobs', async () => (await q.counts(name)).completed === 6);
    expect(peak).toBeLessThanOrEqual(2);
    expect(peak).toBeGreaterThanOrEqual(1);
  });

  it('never hands one job to two workers on separate connections', async () => {
    const name = jobName();
    const other = openDatabase(database.url, { poolSize: 5 });
    const q2 = createJobQueue(other, {
      kind: adapter.kind,
      connectionString: database.url,
      pollIntervalMs: adapter.pollMs,
      leaseMs: adapter.leaseMs,
    });
    try {
      const q1 = makeQueue();
      const runs = new Map<string, number>();
      const handler = async (_p: object, ctx: JobContext) => {
        runs.set(ctx.id, (runs.get(ctx.id) ?? 0) + 1);
        await sleep(5);
      };
      q1.work(name, handler, { concurrency: 3 });
      q2.work(name, handler, { concurrency: 3 });
      for (let i = 0; i < 30; i++) await q1.enqueue(database.db, name, { i });
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
      const other = adapter.dialect === 'postgres' ? openDatabase(database.url, { poolSize: 10 }) : database;
      const q2 = createJobQueue(other, {
        kind: adapter.kind,
        connectionString: database.url,
        pollIntervalMs: adapter.pollMs,
        leaseMs: adapter.leaseMs,
      });
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
            (v % 2 ? other.db : database.db)
              .transaction()
              .execute((trx) => (v % 2 ? q2 : q1).enqueue(trx, name, { v }, { singletonKey: 'busy' })),
          ),
        );
        expect(enqueued.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
        const ids = new Set(enqueued.map((r) => (r as PromiseFulfilledResult<string>).value));
        for (const id of ids) await waitForState(q1, id, 'completed');
      } finally {
        await q2.stop({ graceMs: 1000 });
        if (other !== database) await other.close();
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
    await q.enqueue(database.db, name, { key: 'c' }, { runAt: runAt.c });
    await q.enqueue(database.db, name, { key: 'b' }, { runAt: runAt.b });
    await q.enqueue(database.db, name, { key: 'a' });
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
    const id = await q.enqueue(database.db, name, { x: 1 }, { maxAttempts: 3, backoffMs: 10 });
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
    const id = await q.enqueue(database.db, name, {}, { maxAttempts: 2, backoffMs: 1000 });
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
    const id = await q.enqueue(database.db, name, {}, { maxAttempts: 5, backoffMs: 10 });
    await q.start();
    expect(await waitForState(q, id, 'failed')).toMatchObject({ attempts: 1, lastError: 'the application rejected the user for good' });
    await sleep(adapter.pollMs * 2);
    expect(calls).toBe(1);
  });

  it('runs a job enqueued in a transaction only if the transaction commits', async () => {
    const q = makeQueue();
    const name = jobName();
    const ran: string[] = [];
    q.work<{ tag: string }>(name, async ({ tag }) => {
      ran.push(tag);
    });
    await q.start();
    let rolledBackId = '';
    await expect(
      database.db.transaction().execute(async (trx) => {
        rolledBackId = await q.enqueue(trx, name, { tag: 'rolled back' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(rolledBackId).not.toBe('');
    const committedId = await database.db.transaction().execute(async (trx) => {
      const id = await q.enqueue(trx, name, { tag: 'committed' });
      // Still invisible to the workers: give them a few polls to (not) find it.
      await sleep(adapter.pollMs * 2);
      return id;
    });
    await waitForState(q, committedId, 'completed');
    await sleep(adapter.pollMs * 2);
    expect(ran).toEqual(['committed']);
    expect(await q.get(rolledBackId)).toBeUndefined();
    expect(await q.counts(name)).toEqual({ queued: 0, running: 0, completed: 1, failed: 0, cancelled: 0 });
  });

  it('coalesces queued jobs by singletonKey (latest payload wins), but not with a running one', async () => {
    const q = makeQueue();
    const name = jobName();
    const release = gate();
    const ran: Array<{ v: number; key: string }> = [];
    q.work<{ v: number; key: string }>(name, async (p) => {
      ran.push(p);
      if (p.v === 2) await release.opened;
    });
    const first = await q.enqueue(database.db, name, { v: 1, key: 'k' }, { singletonKey: 'k' });
    const second = await database.db.transaction().execute((trx) => q.enqueue(trx, name, { v: 2, key: 'k' }, { singletonKey: 'k' }));
    expect(second).toBe(first);
    const other = await q.enqueue(database.db, name, { v: 10, key: 'other' }, { singletonKey: 'other' });
    expect(other).not.toBe(first);
    expect((await q.counts(name)).queued).toBe(2);
    expect((await q.get(first))?.payload).toEqual({ v: 2, key: 'k' });

    await q.start();
    await waitForState(q, first, 'running');
    // The running job is no longer coalesced into: a new one is queued beside it.
    const third = await q.enqueue(database.db, name, { v: 3, key: 'k' }, { singletonKey: 'k' });
    expect(third).not.toBe(first);
    release.open();
    await waitFor('all jobs completed', async () => (await q.counts(name)).completed === 3);
    expect(ran.filter((r) => r.key === 'k').map((r) => r.v)).toEqual([2, 3]);
  });

  it('cancel() drops queued jobs of a key and aborts the signal of a running one', async () => {
    const q = makeQueue();
    const name = jobName();
    const ran: string[] = [];
    let abortReason: unknown;
    q.work<{ tag: string }>(name, async ({ tag }, ctx) => {
      ran.push(tag);
      if (tag !== 'running') return;
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      abortReason = ctx.signal.reason;
      throw ctx.signal.reason;
    });
    const running = await q.enqueue(database.db, name, { tag: 'running' }, { singletonKey: 'app-1' });
    await q.start();
    await waitForState(q, running, 'running');
    const queued = await q.enqueue(database.db, name, { tag: 'queued' }, { singletonKey: 'app-1' });
    const later = await q.enqueue(database.db, name, { tag: 'later' }, { singletonKey: 'app-1', runAt: new Date(Date.now() + 60_000) });
    expect(later).toBe(queued);
    const unrelated = await q.enqueue(
      database.db,
      name,
      { tag: 'other app' },
      { singletonKey: 'app-2', runAt: new Date(Date.now() + 300) },
    );

    const dropped = await database.db.transaction().execute((trx) => q.cancel(trx, name, 'app-1'));
    expect(dropped).toBe(1);
    await waitForState(q, running, 'cancelled');
    expect(abortReason).toBeInstanceOf(JobAbortedError);
    expect((abortReason as JobAbortedError).reason).toBe('cancelled');
    expect((await q.get(queued))?.state).toBe('cancelled');
    await waitForState(q, unrelated, 'completed');
    expect(ran).toEqual(['running', 'other app']);
    expect(await q.cancel(database.db, name, 'app-1')).toBe(0);
  });

  it('stop() waits for a running handler and leaves unclaimed jobs queued for the next start', async () => {
    const name = jobName();
    const q1 = makeQueue();
    const release = gate();
    let aborted = false;
    let finished = 0;
    q1.work(name, async (_p, ctx) => {
      await release.opened;
      aborted = ctx.signal.aborted;
      finished++;
    });
    const a = await q1.enqueue(database.db, name, { n: 'a' });
    await q1.start();
    await waitForState(q1, a, 'running');
    const b = await q1.enqueue(database.db, name, { n: 'b' });
    const stopped = q1.stop({ graceMs: 10_000 });
    await sleep(100);
    release.open();
    await stopped;
    expect({ finished, aborted }).toEqual({ finished: 1, aborted: false });
    expect((await q1.get(a))?.state).toBe('completed');
    expect((await q1.get(b))?.state).toBe('queued');

    const q2 = makeQueue();
    q2.work(name, async () => {});
    await q2.start();
    await waitForState(q2, b, 'completed');
  });

  it('stop() aborts a handler that outlives the grace, and the job runs again later', async () => {
    const name = jobName();
    const q1 = makeQueue();
    let reason: unknown;
    q1.work(name, async (_p, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      reason = ctx.signal.reason;
      throw ctx.signal.reason;
    });
    const id = await q1.enqueue(database.db, name, {}, { backoffMs: 0 });
    await q1.start();
    await waitForState(q1, id, 'running');
    await q1.stop({ graceMs: 50 });
    expect((reason as JobAbortedError).reason).toBe('shutdown');
    expect((await q1.get(id))?.state).toBe('queued');

    const q2 = makeQueue();
    q2.work(name, async () => {});
    await q2.start();
    await waitForState(q2, id, 'completed');
  });

  it('loses no job when the worker process is killed mid-job', { timeout: 60_000 }, async () => {
    const name = jobName();
    const producer = makeQueue();
    const id = await producer.enqueue(database.db, name, { important: true }, { backoffMs: 0 });

    const child = spawn(process.execPath, [CRASH_WORKER, adapter.kind, database.url, name, String(adapter.leaseMs)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    await waitFor('the child to claim the job', () => out.includes(`claimed ${id} 1`), 30_000).catch((e: Error) => {
      throw new Error(`${e.message}; child stderr: ${err}`);
    });
    expect((await producer.get(id))?.state).toBe('running');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    const q = makeQueue();
    const runs: Array<{ payload: unknown; attempt: number }> = [];
    q.work(name, async (payload, ctx) => {
      runs.push({ payload, attempt: ctx.attempt });
    });
    await q.start();
    await waitForState(q, id, 'completed', 45_000);
    expect(runs).toEqual([{ payload: { important: true }, attempt: 2 }]);
  });

  if (adapter.kind === 'embedded') {
    it("reclaimOnStart takes back a dead process's job at once instead of waiting for its lease", async () => {
      const name = jobName();
      const producer = makeQueue();
      const id = await producer.enqueue(database.db, name, {});
      const child = spawn(process.execPath, [CRASH_WORKER, adapter.kind, database.url, name, String(10 * 60_000)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.add(child);
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
      });
      await waitFor('the child to claim the job', () => out.includes(`claimed ${id} 1`), 30_000);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;

      const q = makeQueue({ reclaimOnStart: true, leaseMs: 10 * 60_000 });
      q.work(name, async () => {});
      await q.start();
      // Well inside the ten-minute lease.
      expect(await waitForState(q, id, 'completed', 10_000)).toMatchObject({ attempts: 2 });
    });
  }
});
