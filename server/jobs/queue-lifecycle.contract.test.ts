// One contract for every JobQueue adapter: transactions, coalescing by singletonKey, cancel, stop
// and a killed worker process. Delivery, concurrency, scheduling and retries are in queue.contract.test.ts.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { adapters, contractFixture, gate, sleep, waitFor } from '../../test/job-queues.ts';
import { JobAbortedError } from './index.ts';

const CRASH_WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../test/jobs/crash-worker.ts');

describe.each(adapters)('JobQueue lifecycle contract: $label', (adapter) => {
  const t = contractFixture(adapter);
  const { children, jobName, makeQueue, waitForState } = t;

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
      t.database.db.transaction().execute(async (trx) => {
        rolledBackId = await q.enqueue(trx, name, { tag: 'rolled back' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(rolledBackId).not.toBe('');
    const committedId = await t.database.db.transaction().execute(async (trx) => {
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
    const first = await q.enqueue(t.database.db, name, { v: 1, key: 'k' }, { singletonKey: 'k' });
    const second = await t.database.db.transaction().execute((trx) => q.enqueue(trx, name, { v: 2, key: 'k' }, { singletonKey: 'k' }));
    expect(second).toBe(first);
    const other = await q.enqueue(t.database.db, name, { v: 10, key: 'other' }, { singletonKey: 'other' });
    expect(other).not.toBe(first);
    expect((await q.counts(name)).queued).toBe(2);
    expect((await q.get(first))?.payload).toEqual({ v: 2, key: 'k' });

    await q.start();
    await waitForState(q, first, 'running');
    // The running job is no longer coalesced into: a new one is queued beside it.
    const third = await q.enqueue(t.database.db, name, { v: 3, key: 'k' }, { singletonKey: 'k' });
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
    const running = await q.enqueue(t.database.db, name, { tag: 'running' }, { singletonKey: 'app-1' });
    await q.start();
    await waitForState(q, running, 'running');
    const queued = await q.enqueue(t.database.db, name, { tag: 'queued' }, { singletonKey: 'app-1' });
    const later = await q.enqueue(t.database.db, name, { tag: 'later' }, { singletonKey: 'app-1', runAt: new Date(Date.now() + 60_000) });
    expect(later).toBe(queued);
    const unrelated = await q.enqueue(
      t.database.db,
      name,
      { tag: 'other app' },
      { singletonKey: 'app-2', runAt: new Date(Date.now() + 300) },
    );

    const dropped = await t.database.db.transaction().execute((trx) => q.cancel(trx, name, 'app-1'));
    expect(dropped).toBe(1);
    await waitForState(q, running, 'cancelled');
    expect(abortReason).toBeInstanceOf(JobAbortedError);
    expect((abortReason as JobAbortedError).reason).toBe('cancelled');
    expect((await q.get(queued))?.state).toBe('cancelled');
    await waitForState(q, unrelated, 'completed');
    expect(ran).toEqual(['running', 'other app']);
    expect(await q.cancel(t.database.db, name, 'app-1')).toBe(0);
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
    const a = await q1.enqueue(t.database.db, name, { n: 'a' });
    await q1.start();
    await waitForState(q1, a, 'running');
    const b = await q1.enqueue(t.database.db, name, { n: 'b' });
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
    const id = await q1.enqueue(t.database.db, name, {}, { backoffMs: 0 });
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
    const id = await producer.enqueue(t.database.db, name, { important: true }, { backoffMs: 0 });

    const child = spawn(process.execPath, [CRASH_WORKER, adapter.kind, t.database.url, name, String(adapter.leaseMs)], {
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
      const id = await producer.enqueue(t.database.db, name, {});
      const child = spawn(process.execPath, [CRASH_WORKER, adapter.kind, t.database.url, name, String(10 * 60_000)], {
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
