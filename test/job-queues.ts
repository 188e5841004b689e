// The JobQueue contract's fixture: every adapter this machine can run, a database per adapter, the
// queues and worker processes a test starts (stopped and killed after it), and patient waits.
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Database, Dialect } from '../server/db/database.ts';
import { type CreateJobQueueOptions, createJobQueue, type JobQueue } from '../server/jobs/index.ts';
import { createTestDatabase, dialects, type TestDatabase } from './db.ts';

export interface Adapter {
  label: string;
  dialect: Dialect;
  kind: 'embedded' | 'pg-boss';
  pollMs: number;
  leaseMs: number;
}

export const adapters = (
  [
    { label: 'embedded on sqlite', dialect: 'sqlite', kind: 'embedded', pollMs: 25, leaseMs: 600 },
    { label: 'embedded on postgres', dialect: 'postgres', kind: 'embedded', pollMs: 25, leaseMs: 600 },
    // pg-boss polls every 500 ms at the fastest and holds heartbeats to 10 s at the least.
    { label: 'pg-boss on postgres', dialect: 'postgres', kind: 'pg-boss', pollMs: 500, leaseMs: 1000 },
  ] satisfies Adapter[]
).filter((a) => dialects.includes(a.dialect));

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A promise the test opens when it chooses. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** Call inside the adapter's describe block: registers its hooks and returns what the tests use. */
export function contractFixture(adapter: Adapter) {
  let database: TestDatabase | undefined;
  let queues: JobQueue[] = [];
  const children = new Set<ChildProcess>();
  let seq = 0;

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

  const fixture = {
    get database(): TestDatabase {
      if (!database) throw new Error('the test database is not open yet');
      return database;
    },
    children,
    jobName: () => `contract.${++seq}`,
    makeQueue: (options: CreateJobQueueOptions = {}) => {
      const q = createJobQueue(fixture.database, {
        kind: adapter.kind,
        connectionString: fixture.database.url,
        pollIntervalMs: adapter.pollMs,
        leaseMs: adapter.leaseMs,
        ...options,
      });
      queues.push(q);
      return q;
    },
    /** A queue over another connection pool, for two workers on one database; the caller stops it. */
    queueOn: (other: Database) =>
      createJobQueue(other, {
        kind: adapter.kind,
        connectionString: fixture.database.url,
        pollIntervalMs: adapter.pollMs,
        leaseMs: adapter.leaseMs,
      }),
    waitForState: (q: JobQueue, id: string, state: string, timeoutMs?: number) =>
      waitFor(
        `job ${id} to be ${state}`,
        async () => {
          const job = await q.get(id);
          return job?.state === state ? job : undefined;
        },
        timeoutMs,
      ),
  };
  return fixture;
}
