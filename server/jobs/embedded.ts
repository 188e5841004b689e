// The embedded durable queue: the jobs table (SQLite, or PostgreSQL through the same Kysely code) and an
// in-process worker that polls, leases, heartbeats, retries with backoff and hands back on shutdown.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Database, Db } from '../db/database.ts';
import { backoffDelay } from '../shared/backoff.ts';
import { newId } from '../shared/ids.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import * as repo from './embedded.repository.ts';
import type { CreateJobQueueOptions, JobHandler, JobInfo, JobOptions, JobQueue, JobState, WorkOptions } from './queue.ts';
import * as running from './running.ts';
import * as support from './support.ts';
import { DEFAULT_GRACE_MS, DEFAULT_RETENTION_MS, DEFAULT_TIMEOUT_MS, JobAbortedError } from './support.ts';

const DEFAULT_POLL_MS = 200;
const DEFAULT_LEASE_MS = 30_000;
const CLEANUP_EVERY_MS = 60 * 60_000;
const MAX_ERROR_BACKOFF_MS = 30_000;
const LEASE_EXPIRED = 'the worker running this job stopped (its lease expired)';
const RECLAIMED = 'the process running this job stopped (reclaimed on start)';

interface Registration extends running.Registration {
  running: number;
}

interface RunningJob extends running.RunningJob {
  attempts: number;
  /** The handler is over (or timed out): nothing left to heartbeat. */
  done: boolean;
  /** Set when the job is no longer this worker's to settle or heartbeat. */
  lost: boolean;
}

export class EmbeddedJobQueue implements JobQueue {
  readonly kind = 'embedded' as const;
  readonly #database: Database;
  readonly #log: Logger;
  readonly #pollMs: number;
  readonly #leaseMs: number;
  readonly #timeoutMs: number;
  readonly #retentionMs: number;
  readonly #workerId: string;
  readonly #reclaimOnStart: boolean;
  readonly #handlers = new Map<string, Registration>();
  readonly #running = new Map<string, RunningJob>();
  #state: 'idle' | 'running' | 'stopping' = 'idle';
  #loop: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #wakeSleep: (() => void) | undefined;
  #wakePending = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #lastSweep = 0;
  #lastCleanup = 0;

  constructor(database: Database, options: CreateJobQueueOptions = {}) {
    this.#database = database;
    this.#log = (options.logger ?? createLogger('silent')).child({ component: 'jobs', queue: 'embedded' });
    this.#pollMs = Math.max(10, options.pollIntervalMs ?? DEFAULT_POLL_MS);
    this.#leaseMs = Math.max(100, options.leaseMs ?? DEFAULT_LEASE_MS);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.#workerId = options.workerId ?? `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.#reclaimOnStart = options.reclaimOnStart ?? false;
  }

  get #db(): Db {
    return this.#database.db;
  }

  async enqueue<P extends object>(db: Db, name: string, payload: P, options?: JobOptions): Promise<string> {
    support.assertJobName(name);
    const o = support.resolveJobOptions(options);
    const now = new Date().toISOString();
    const job: repo.NewJob = {
      id: newId(),
      organizationId: o.organizationId ?? null,
      name,
      payload: support.serializePayload(payload),
      singletonKey: o.singletonKey ?? null,
      maxAttempts: o.maxAttempts,
      backoffMs: o.backoffMs,
      runAt: o.runAt?.toISOString() ?? now,
      now,
    };
    const id = await this.#insert(db, job, o.runAt !== undefined);
    // Inside a transaction the job is not visible yet: on SQLite the claim queues behind the commit
    // (one connection), on PostgreSQL the next poll finds it.
    if (this.#state === 'running' && this.#handlers.has(name)) this.#wake();
    return id;
  }

  async #insert(db: Db, job: repo.NewJob, runAtGiven: boolean): Promise<string> {
    if (job.singletonKey === null) {
      await repo.insertJob(db, job);
      return job.id;
    }
    // Update-then-insert, again on a lost race: the waiting job can be claimed, or a concurrent
    // enqueue can insert first, between any two statements.
    for (let i = 0; i < 5; i++) {
      const existing = await repo.updateWaitingByKey(db, job, runAtGiven);
      if (existing) return existing;
      if (await repo.insertJob(db, job)) return job.id;
    }
    throw new Error(`Could not enqueue ${job.name} with singletonKey ${job.singletonKey}: it kept changing under us`);
  }

  work<P extends object>(name: string, handler: JobHandler<P>, options: WorkOptions = {}): void {
    this.#handlers.set(name, { ...running.newRegistration(this.#handlers, name, handler, options), running: 0 });
    if (this.#state === 'running') this.#wake();
  }

  async start(): Promise<void> {
    if (this.#stopping) await this.#stopping;
    if (this.#state !== 'idle') return;
    if (this.#reclaimOnStart) {
      const n = await repo.expireLeases(this.#db, { now: new Date().toISOString(), all: true, error: RECLAIMED });
      if (n > 0) this.#log.warn({ jobs: n }, 'reclaimed jobs left running by a previous process');
    }
    this.#state = 'running';
    this.#heartbeat = setInterval(() => void this.#beat(), Math.max(50, Math.floor(this.#leaseMs / 3)));
    this.#heartbeat.unref();
    this.#loop = this.#run();
  }

  stop(options: { graceMs?: number } = {}): Promise<void> {
    if (this.#stopping) return this.#stopping;
    if (this.#state !== 'running') return Promise.resolve();
    this.#stopping = this.#stop(options.graceMs ?? DEFAULT_GRACE_MS).finally(() => {
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  async #stop(graceMs: number): Promise<void> {
    this.#state = 'stopping';
    this.#wake();
    await this.#loop;
    if (!(await running.drain(this.#running, graceMs))) {
      // Their leases run out without a heartbeat and another worker (or the next start) takes them.
      this.#log.warn({ jobs: [...this.#running.keys()] }, 'handlers ignored the abort; their jobs run again after the lease');
      for (const job of this.#running.values()) job.lost = true;
    }
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    this.#state = 'idle';
  }

  async cancel(db: Db, name: string, singletonKey: string): Promise<number> {
    support.assertJobName(name);
    const { waiting } = await repo.cancelByKey(db, name, singletonKey, new Date().toISOString());
    running.abortCancelled(this.#running.values(), name, singletonKey);
    return waiting;
  }

  async counts(name?: string): Promise<Record<JobState, number>> {
    const out: Record<JobState, number> = running.emptyCounts();
    for (const r of await repo.countByState(this.#db, name)) out[repo.toPortState(r.state)] += r.n;
    return out;
  }

  async get(id: string): Promise<JobInfo | undefined> {
    const row = await repo.findJob(this.#db, id);
    if (!row) return undefined;
    return {
      id: row.id,
      name: row.name,
      state: repo.toPortState(row.state),
      attempts: row.attempts,
      lastError: row.last_error,
      payload: JSON.parse(row.payload),
    };
  }

  // --- the worker ---

  #wake(): void {
    const wake = this.#wakeSleep;
    if (wake) {
      this.#wakeSleep = undefined;
      wake();
    } else {
      this.#wakePending = true;
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#wakePending) {
      this.#wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.#wakeSleep = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (this.#state === 'running') {
      try {
        await this.#tick();
        failures = 0;
      } catch (err) {
        failures++;
        this.#log.error({ err }, 'job queue poll failed');
      }
      if (this.#state !== 'running') break;
      // After an error: twice the poll interval, then doubling, up to MAX_ERROR_BACKOFF_MS.
      const afterError = () => backoffDelay(failures, { baseMs: this.#pollMs, maxMs: MAX_ERROR_BACKOFF_MS, jitter: 'none' });
      await this.#sleep(failures ? afterError() : this.#pollMs);
    }
    this.#wakeSleep = undefined;
    this.#wakePending = false;
  }

  async #tick(): Promise<void> {
    const nowMs = Date.now();
    if (nowMs - this.#lastSweep >= Math.max(this.#pollMs, this.#leaseMs / 2)) {
      this.#lastSweep = nowMs;
      const n = await repo.expireLeases(this.#db, { now: new Date(nowMs).toISOString(), error: LEASE_EXPIRED });
      if (n > 0) this.#log.warn({ jobs: n }, 'took back jobs whose worker stopped heartbeating');
    }
    if (nowMs - this.#lastCleanup >= CLEANUP_EVERY_MS) {
      this.#lastCleanup = nowMs;
      await repo.deleteFinishedBefore(this.#db, new Date(nowMs - this.#retentionMs).toISOString());
    }
    for (const reg of this.#handlers.values()) {
      const free = reg.concurrency - reg.running;
      if (free <= 0) continue;
      const now = new Date();
      const claimed = await repo.claimJobs(this.#db, this.#database.dialect, {
        name: reg.name,
        limit: free,
        workerId: this.#workerId,
        now: now.toISOString(),
        lockedUntil: new Date(now.getTime() + this.#leaseMs).toISOString(),
      });
      for (const row of claimed) {
        if (this.#state === 'running') this.#startJob(reg, row);
        else await repo.releaseJob(this.#db, this.#workerId, row, new Date().toISOString());
      }
    }
  }

  #startJob(reg: Registration, row: repo.ClaimedJob): void {
    const controller = new AbortController();
    const job: RunningJob = {
      id: row.id,
      name: row.name,
      singletonKey: row.singleton_key,
      attempts: row.attempts,
      controller,
      finished: Promise.resolve(),
      done: false,
      lost: false,
    };
    reg.running++;
    this.#running.set(job.id, job);
    job.finished = this.#execute(reg, row, job).finally(() => {
      reg.running--;
      this.#running.delete(job.id);
      this.#wake();
    });
  }

  async #execute(reg: Registration, row: repo.ClaimedJob, job: RunningJob): Promise<void> {
    const { controller } = job;
    const log = this.#log.child({ job: job.id, name: job.name, attempt: job.attempts });
    let outcome: { ok: true } | { ok: false; error: unknown };
    let timer: NodeJS.Timeout | undefined;
    const handling = (async () =>
      reg.handler(JSON.parse(row.payload) as object, {
        id: job.id,
        name: job.name,
        attempt: job.attempts,
        signal: controller.signal,
      }))().then(
      () => ({ ok: true }) as const,
      (error: unknown) => ({ ok: false, error }) as const,
    );
    const timedOut = new Promise<{ ok: false; error: unknown }>((resolve) => {
      timer = setTimeout(() => {
        const error = new JobAbortedError('timeout', `job ran longer than ${this.#timeoutMs} ms`);
        controller.abort(error);
        resolve({ ok: false, error });
      }, this.#timeoutMs);
    });
    try {
      outcome = await Promise.race([handling, timedOut]);
    } finally {
      clearTimeout(timer);
      job.done = true;
    }
    try {
      await this.#settle(row, job, outcome, log);
    } catch (err) {
      // The lease runs out and the job runs again: at least once.
      log.error({ err }, 'could not record the outcome of a job');
    }
    // A handler past its timeout still holds its slot until it returns, so concurrency stays a bound on what runs.
    await handling;
  }

  async #settle(row: repo.ClaimedJob, job: RunningJob, outcome: { ok: true } | { ok: false; error: unknown }, log: Logger): Promise<void> {
    if (job.lost) return;
    const held = { id: job.id, attempts: job.attempts };
    const now = new Date();
    const iso = now.toISOString();
    if (outcome.ok) {
      if (await repo.completeJob(this.#db, this.#workerId, held, iso)) log.debug('job completed');
      return;
    }
    const reason = running.abortReason(job.controller);
    const message = support.errorMessage(outcome.error);
    if (reason === 'shutdown') {
      await repo.releaseJob(this.#db, this.#workerId, held, iso);
      return;
    }
    if (reason === 'cancelled') {
      await repo.failJob(this.#db, this.#workerId, held, { error: message, finalState: 'cancelled', now: iso });
      return;
    }
    if (reason === 'lease-lost') return;
    if (support.isPermanent(outcome.error) || row.attempts >= row.max_attempts) {
      log.error({ err: outcome.error }, 'job failed');
      await repo.failJob(this.#db, this.#workerId, held, { error: message, now: iso });
      return;
    }
    const retryAt = new Date(now.getTime() + support.backoffDelayMs(row.backoff_ms, row.attempts)).toISOString();
    log.warn({ err: outcome.error, retryAt }, 'job attempt failed; will retry');
    await repo.failJob(this.#db, this.#workerId, held, { error: message, retryAt, now: iso });
  }

  async #beat(): Promise<void> {
    const held = [...this.#running.values()].filter((j) => !j.done && !j.lost && !j.controller.signal.aborted);
    if (held.length === 0) return;
    const now = Date.now();
    let extended: repo.Held[];
    try {
      extended = await repo.extendLeases(
        this.#db,
        this.#workerId,
        held.map((j) => j.id),
        new Date(now + this.#leaseMs).toISOString(),
        new Date(now).toISOString(),
      );
    } catch (err) {
      // A failed heartbeat says nothing about the leases; the next one may get through.
      this.#log.warn({ err }, 'job heartbeat failed');
      return;
    }
    const ours = new Set(extended.map((h) => `${h.id}:${h.attempts}`));
    // A job that finished while the heartbeat was in flight was settled by its own worker, not lost.
    const missing = held.filter((j) => !j.done && !ours.has(`${j.id}:${j.attempts}`));
    if (missing.length === 0) return;
    const states = await repo
      .findStates(
        this.#db,
        missing.map((j) => j.id),
      )
      .catch(() => new Map<string, repo.DbJobState>());
    for (const job of missing) {
      if (job.done) continue;
      job.lost = true;
      if (states.get(job.id) === 'cancelled') {
        job.controller.abort(new JobAbortedError('cancelled', `job ${job.id} was cancelled`));
      } else {
        this.#log.warn({ job: job.id, name: job.name }, 'lost the lease of a running job; another worker may run it');
        job.controller.abort(new JobAbortedError('lease-lost', `job ${job.id} is no longer held by this worker`));
      }
    }
  }
}
