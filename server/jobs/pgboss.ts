// The pg-boss adapter: PostgreSQL, any number of worker processes. pg-boss keeps its own schema
// (`pgboss`) and connection pool; jobs enqueued in a caller's transaction go through that transaction.
import type { ConstructorOptions, JobResult, JobWithMetadata, PgBoss, SendOptions } from 'pg-boss';
import type { Database, Db } from '../db/database.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import type { CreateJobQueueOptions, JobHandler, JobInfo, JobOptions, JobQueue, JobState, WorkOptions } from './queue.ts';
import { jobInfo, kyselyExecutor, readCounts, readJobTable, SCHEMA } from './pgboss-table.ts';
import * as running from './running.ts';
import type { RunningJob } from './running.ts';
import * as support from './support.ts';
import { DEFAULT_GRACE_MS, DEFAULT_RETENTION_MS, DEFAULT_TIMEOUT_MS, JobAbortedError, type JobAbortReason } from './support.ts';

const DEFAULT_POLL_MS = 2000;
const DEFAULT_LEASE_MS = 30_000;
/** Queued jobs are never dropped for waiting too long (pg-boss deletes them after 14 days by default). */
const QUEUED_RETENTION_SECONDS = 10 * 365 * 24 * 3600;

type Registration = running.Registration;

type PgBossQueueOptions = CreateJobQueueOptions & { connectionString: string };

/** The queue's options in pg-boss's terms. */
interface Settings {
  /** What pg-boss is opened with. */
  boss: ConstructorOptions;
  pollSeconds: number;
  /** How long a job may run and is kept: set on every queue, and on every job as well. */
  lifetime: { heartbeatSeconds: number; expireInSeconds: number; retentionSeconds: number; deleteAfterSeconds: number };
}

function settingsOf(options: PgBossQueueOptions): Settings {
  const leaseSeconds = Math.ceil((options.leaseMs ?? DEFAULT_LEASE_MS) / 1000);
  // pg-boss refuses heartbeats under 10 s. A dead worker's job is failed (and retried) by the next
  // supervise pass after its heartbeat is that stale, so passes run at half the lease.
  const superviseSeconds = Math.min(60, Math.max(1, Math.ceil(leaseSeconds / 2)));
  return {
    boss: {
      connectionString: options.connectionString,
      schema: SCHEMA,
      max: options.poolSize ?? 10,
      application_name: 'roster-jobs',
      schedule: false,
      supervise: true,
      superviseIntervalSeconds: superviseSeconds,
      monitorIntervalSeconds: superviseSeconds,
      // A commit wakes idle workers in every process at once; polling stays as the floor.
      useListenNotify: true,
    },
    pollSeconds: Math.max(0.5, (options.pollIntervalMs ?? DEFAULT_POLL_MS) / 1000),
    lifetime: {
      heartbeatSeconds: Math.max(10, leaseSeconds),
      expireInSeconds: Math.min(24 * 3600, Math.max(1, Math.ceil((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000))),
      retentionSeconds: QUEUED_RETENTION_SECONDS,
      deleteAfterSeconds: Math.max(1, Math.round((options.retentionMs ?? DEFAULT_RETENTION_MS) / 1000)),
    },
  };
}

export class PgBossJobQueue implements JobQueue {
  readonly kind = 'pg-boss' as const;
  readonly #database: Database;
  readonly #log: Logger;
  readonly #settings: Settings;
  readonly #handlers = new Map<string, Registration>();
  readonly #running = new Map<string, RunningJob>();
  #boss: Promise<PgBoss> | undefined;
  #queues = new Map<string, Promise<void>>();
  #started = false;
  #shuttingDown = false;
  #stopping: Promise<void> | undefined;

  constructor(database: Database, options: PgBossQueueOptions) {
    this.#database = database;
    this.#log = (options.logger ?? createLogger('silent')).child({ component: 'jobs', queue: 'pg-boss' });
    this.#settings = settingsOf(options);
  }

  #ready(): Promise<PgBoss> {
    this.#boss ??= this.#open().catch((err: unknown) => {
      this.#boss = undefined;
      throw err;
    });
    return this.#boss;
  }

  async #open(): Promise<PgBoss> {
    // Loaded on first use: a SQLite deployment never pays for it.
    const { PgBoss } = await import('pg-boss');
    const boss = new PgBoss(this.#settings.boss);
    boss.on('error', (err) => this.#log.error({ err }, 'pg-boss error'));
    boss.on('warning', (w) => this.#log.warn({ data: w.data }, w.message));
    this.#queues = new Map();
    await boss.start();
    return boss;
  }

  #queue(boss: PgBoss, name: string): Promise<void> {
    let created = this.#queues.get(name);
    if (!created) {
      // ON CONFLICT DO NOTHING inside pg-boss: every process may create the queue it uses.
      created = boss.createQueue(name, { notify: true, ...this.#settings.lifetime }).catch((err: unknown) => {
        this.#queues.delete(name);
        throw err;
      });
      this.#queues.set(name, created);
    }
    return created;
  }

  #sendOptions(o: support.ResolvedJobOptions): SendOptions {
    // pg-boss counts retry delays in whole seconds and, with retryBackoff, waits
    // retryDelay * 2^retryCount * (1/2 + random/2): our formula, at a coarser grain.
    const retryDelay = Math.round(o.backoffMs / 1000);
    return {
      retryLimit: o.maxAttempts - 1,
      retryDelay,
      retryBackoff: retryDelay > 0,
      ...(retryDelay > 0 ? { retryDelayMax: support.MAX_BACKOFF_MS / 1000 } : {}),
      ...(o.runAt ? { startAfter: o.runAt } : {}),
      // Per job as well as per queue: a queue created earlier with other settings does not decide.
      ...this.#settings.lifetime,
    };
  }

  async enqueue<P extends object>(db: Db, name: string, payload: P, options?: JobOptions): Promise<string> {
    support.assertJobName(name);
    const o = support.resolveJobOptions(options);
    support.serializePayload(payload);
    const boss = await this.#ready();
    await this.#queue(boss, name);
    // A plain handle: pg-boss's own pool, autocommit (and its own transaction for an upsert).
    const conn = db.isTransaction ? { db: kyselyExecutor(db) } : {};
    if (o.singletonKey !== undefined) {
      // upsert: updates the newest waiting job of the key (its row lock keeps it from being fetched
      // until the caller commits) or inserts one; a unique index settles concurrent inserts.
      // When a concurrent enqueue of the key wins and a worker fetches that job at once, upsert
      // answers without an id and without writing: trying again inserts a fresh waiting job.
      for (let attempt = 0; attempt < 3; attempt++) {
        const r = await boss.upsert(name, payload, { ...this.#sendOptions(o), singletonKey: o.singletonKey, ...conn });
        if (r.jobs[0]) return r.jobs[0];
      }
      // Under a stream of enqueues of one key every attempt can lose that race. The caller's change
      // must not fail for it: a plain send (outside the upsert index) always inserts, at the cost
      // of one extra run, and keeps the key so cancel() still finds it.
      this.#log.debug({ job: name }, 'coalescing lost to concurrent workers three times; queued a separate job');
    }
    const id = await boss.send(name, payload, {
      ...this.#sendOptions(o),
      ...(o.singletonKey !== undefined ? { singletonKey: o.singletonKey } : {}),
      ...conn,
    });
    if (!id) throw new Error(`pg-boss did not enqueue ${name}`);
    return id;
  }

  work<P extends object>(name: string, handler: JobHandler<P>, options: WorkOptions = {}): void {
    const reg = running.newRegistration(this.#handlers, name, handler, options);
    this.#handlers.set(name, reg);
    if (this.#started) {
      this.#ready()
        .then((boss) => this.#startWorker(boss, reg))
        .catch((err: unknown) => this.#log.error({ err, name }, 'could not start a job worker'));
    }
  }

  async start(): Promise<void> {
    if (this.#stopping) await this.#stopping;
    if (this.#started) return;
    this.#started = true;
    try {
      const boss = await this.#ready();
      for (const reg of this.#handlers.values()) await this.#startWorker(boss, reg);
    } catch (err) {
      this.#started = false;
      throw err;
    }
  }

  async #startWorker(boss: PgBoss, reg: Registration): Promise<void> {
    await this.#queue(boss, reg.name);
    await boss.work(
      reg.name,
      {
        batchSize: 1,
        localConcurrency: reg.concurrency,
        includeMetadata: true,
        // Lets a PermanentJobError skip the remaining retries ('deadletter' fails terminally).
        perJobResults: true,
        pollingIntervalSeconds: this.#settings.pollSeconds,
        notifyPollingIntervalSeconds: this.#settings.pollSeconds,
      },
      (jobs: JobWithMetadata<object>[]) => Promise.all(jobs.map((job) => this.#run(boss, reg, job))),
    );
  }

  async #run(boss: PgBoss, reg: Registration, job: JobWithMetadata<object>): Promise<JobResult> {
    const controller = new AbortController();
    let finish = () => {};
    const entry: RunningJob = {
      id: job.id,
      name: reg.name,
      singletonKey: job.singletonKey,
      controller,
      finished: new Promise<void>((resolve) => {
        finish = resolve;
      }),
    };
    this.#running.set(job.id, entry);
    let done = false;
    // pg-boss aborts job.signal when the handler overran expireInSeconds, the claim was lost (another
    // process cancelled it, or the heartbeat lapsed), and at shutdown; also after every completion.
    const fromPgBoss = () => {
      if (done || controller.signal.aborted) return;
      const reason: JobAbortReason = this.#shuttingDown
        ? 'shutdown'
        : /no longer active/.test(String((job.signal.reason as Error | undefined)?.message))
          ? 'lease-lost'
          : 'timeout';
      const abort = (r: JobAbortReason) => controller.abort(new JobAbortedError(r, `job ${job.id}: ${r}`));
      if (reason !== 'lease-lost') return abort(reason);
      void this.#state(job.id).then(
        (s) => abort(s === 'cancelled' ? 'cancelled' : 'lease-lost'),
        () => abort('lease-lost'),
      );
    };
    job.signal.addEventListener('abort', fromPgBoss, { once: true });
    try {
      await reg.handler(job.data, { id: job.id, name: reg.name, attempt: job.retryCount + 1, signal: controller.signal });
      return { id: job.id, status: 'completed' };
    } catch (err) {
      const output = { message: support.errorMessage(err), name: err instanceof Error ? err.name : 'Error' };
      if (running.abortReason(controller) === 'cancelled') {
        // Fenced to this attempt; a no-op when cancel() already committed.
        await boss
          .cancel(reg.name, [{ id: job.id, retryCount: job.retryCount }])
          .catch((e: unknown) => this.#log.warn({ err: e }, 'could not cancel a job'));
        return { id: job.id, status: 'failed', output };
      }
      if (support.isPermanent(err)) return { id: job.id, status: 'deadletter', output };
      this.#log.warn({ err, job: job.id, name: reg.name }, 'job attempt failed');
      return { id: job.id, status: 'failed', output };
    } finally {
      done = true;
      job.signal.removeEventListener('abort', fromPgBoss);
      this.#running.delete(job.id);
      finish();
      if (!this.#shuttingDown) this.#nudge(boss, reg.name);
    }
  }

  /**
   * A pg-boss worker waits out its polling interval even after a fetch that found work, which
   * would hold each worker to one job per interval. Waking the queue's workers when a job ends
   * makes them fetch again at once while there is a backlog; an empty fetch goes back to polling.
   */
  #nudge(boss: PgBoss, name: string): void {
    for (const w of boss.getWipData()) if (w.name === name) boss.notifyWorker(w.id);
  }

  stop(options: { graceMs?: number } = {}): Promise<void> {
    this.#stopping ??= this.#stop(options.graceMs ?? DEFAULT_GRACE_MS).finally(() => {
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  async #stop(graceMs: number): Promise<void> {
    const boss = await this.#boss?.catch(() => undefined);
    this.#started = false;
    if (!boss) return;
    this.#shuttingDown = true;
    try {
      // Stop fetching; running handlers go on and their outcome is still recorded.
      await Promise.all([...this.#handlers.keys()].map((name) => boss.offWork(name, { wait: false }).catch(() => {})));
      await running.drain(this.#running, graceMs);
      // Whatever still runs is failed by pg-boss ('pg-boss shut down while active') and retried.
      await boss.stop({ graceful: true, timeout: 1000, close: true });
    } finally {
      this.#boss = undefined;
      this.#shuttingDown = false;
    }
  }

  async cancel(db: Db, name: string, singletonKey: string): Promise<number> {
    support.assertJobName(name);
    const boss = await this.#ready();
    const exec = db.isTransaction ? kyselyExecutor(db) : boss.getDb();
    const { rows } = await exec.executeSql(
      `SELECT id, state FROM ${SCHEMA}.job WHERE name = $1 AND singleton_key = $2 AND state IN ('created', 'retry', 'active')`,
      [name, singletonKey],
    );
    const found = rows as Array<{ id: string; state: string }>;
    if (found.length > 0) {
      // Active ones too: their worker, here or in another process, loses the claim and is aborted at its next heartbeat.
      await boss.cancel(
        name,
        found.map((r) => r.id),
        db.isTransaction ? { db: exec } : {},
      );
    }
    running.abortCancelled(this.#running.values(), name, singletonKey);
    return found.filter((r) => r.state !== 'active').length;
  }

  counts(name?: string): Promise<Record<JobState, number>> {
    return readCounts(this.#database, name);
  }

  get(id: string): Promise<JobInfo | undefined> {
    return jobInfo(this.#database, id);
  }

  async #state(id: string): Promise<string | undefined> {
    const rows = await readJobTable(this.#database, `SELECT state::text AS state FROM ${SCHEMA}.job WHERE id = $1::uuid`, [id]);
    return (rows[0] as { state: string } | undefined)?.state;
  }
}
