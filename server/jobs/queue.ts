// The job queue port. Two adapters: the embedded queue (a jobs table, SQLite or PostgreSQL) and pg-boss
// (PostgreSQL, several worker processes). Both pass queue.contract.test.ts.
import type { Db } from '../db/database.ts';
import type { Logger } from '../shared/logger.ts';

export type { JobAbortReason } from './support.ts';

export interface JobOptions {
  /** Not before. */
  runAt?: Date;
  /** Default 5. */
  maxAttempts?: number;
  /** Base delay, default 1000: base * 2^(attempt-1), capped at 1 h, jittered. pg-boss counts whole seconds (below 500 ms: no delay). */
  backoffMs?: number;
  /**
   * At most one QUEUED (not yet running) job with this name+key: a second enqueue returns the
   * existing job's id, and that job takes the latest payload and options (the last write wins).
   */
  singletonKey?: string;
  /** Recorded by the embedded queue (jobs.organization_id), for operators; pg-boss ignores it. */
  organizationId?: string;
}

export interface JobContext {
  id: string;
  name: string;
  /** Starts at 1. */
  attempt: number;
  /** Aborted when the queue stops, the job is cancelled, its lease is lost or it runs past the timeout; the reason is a JobAbortedError. */
  signal: AbortSignal;
}

export type JobHandler<P> = (payload: P, ctx: JobContext) => Promise<void>;

export interface WorkOptions {
  /** Default 1. */
  concurrency?: number;
}

export type JobState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface JobInfo {
  id: string;
  name: string;
  state: JobState;
  /** Attempts started so far. */
  attempts: number;
  lastError: string | null;
  payload: unknown;
}

export interface JobQueue {
  readonly kind: 'embedded' | 'pg-boss';
  /** Enqueue in the caller's transaction (or autocommit with the plain handle): the job exists iff the caller commits. */
  enqueue<P extends object>(db: Db, name: string, payload: P, options?: JobOptions): Promise<string>;
  work<P extends object>(name: string, handler: JobHandler<P>, options?: WorkOptions): void;
  /** Begin processing registered handlers (a process may enqueue without ever starting: API-only role). */
  start(): Promise<void>;
  /** Stop claiming, wait for running handlers up to graceMs (default 10 s), then abort their signals; never lose a job. */
  stop(options?: { graceMs?: number }): Promise<void>;
  /**
   * Drop queued (not running) jobs of `name` whose singletonKey equals `key` (used when an integration
   * is deactivated). Returns how many. Running ones are marked cancelled too: their signal is aborted
   * at once in this process, and at their next heartbeat in another.
   */
  cancel(db: Db, name: string, singletonKey: string): Promise<number>;
  /** For tests, progress UIs and ops: counts by state, and one job's state. */
  counts(name?: string): Promise<Record<JobState, number>>;
  get(id: string): Promise<JobInfo | undefined>;
}

export interface CreateJobQueueOptions {
  /** Default: embedded on SQLite, pg-boss on PostgreSQL. */
  kind?: 'embedded' | 'pg-boss';
  logger?: Logger;
  /** How often an idle worker looks for due jobs. Embedded default 200 ms; pg-boss default 2 s, at least 500 ms. */
  pollIntervalMs?: number;
  /**
   * How long a claimed job stays claimed without a heartbeat: a job whose worker died runs again
   * after about this long. Default 30 s. pg-boss: heartbeatSeconds, at least 10 s.
   */
  leaseMs?: number;
  /** Names this process in the jobs it holds (embedded locked_by). Default host:pid:random. */
  workerId?: string;
  /**
   * Embedded: on start(), take back every job left running at once instead of waiting for its lease.
   * Only for a process that knows it is the sole worker (the server in single-process SQLite mode).
   */
  reclaimOnStart?: boolean;
  /** Longest a handler may run: then its signal is aborted and the attempt fails. Default 1 h (pg-boss: at most 24 h). */
  timeoutMs?: number;
  /** How long completed, failed and cancelled jobs are kept. Default 7 days. */
  retentionMs?: number;
  /** pg-boss: the PostgreSQL URL (Database does not expose it). Required for pg-boss. */
  connectionString?: string;
  /** pg-boss: size of its own connection pool. Default 10. */
  poolSize?: number;
}
