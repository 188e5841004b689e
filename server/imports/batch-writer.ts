// Writes an import's batches, one transaction each. The next page is fetched and mapped while a batch
// is written. PostgreSQL's driver is asynchronous, so that overlaps on the main thread. node:sqlite is
// synchronous: a batch written on the main thread stops its event loop (no page is fetched, no request
// answered) for as long as SQLite takes, so large batches go to a writer thread with its own
// connection (batch-thread.ts). Small ones stay here: a thread costs its start-up and memory, and a
// batch of a few hundred users is written in milliseconds.
import { Worker } from 'node:worker_threads';
import type { Database } from '../db/database.ts';
import { sqliteConnectionOf } from '../db/sqlite-adapter.ts';
import { type BatchContext, type BatchOutcome, processBatch } from './batch.ts';
import type { Candidate } from './candidate.ts';
import { dryRunStateOf } from './dry-run-state.ts';
import { RunPaused } from './runs.model.ts';
import { inSlices } from '../shared/slices.ts';

/** A batch this large or larger starts the writer thread (SQLite): it holds the write lock long enough to stall the loop. */
export const THREAD_MIN_BATCH = 500;

/**
 * The thread's own heap, kept small on purpose: it holds one batch (3,000 users by default, a few
 * megabytes) and its rows. A runaway ends the thread (the run is retried), not the process.
 */
const THREAD_LIMITS = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 4, stackSizeMb: 4 };

export interface ThreadData {
  file: string;
}
export interface ThreadRequest {
  id: number;
  /** The batch's candidates: slices of them, each a JSON array in UTF-8. */
  payload: Uint8Array[];
  firstSeq: number;
  now: string;
}
export interface ThreadReply {
  id: number;
  outcome?: BatchOutcome;
  error?: { name?: string; message: string; stack?: string; code?: string; errcode?: number; errstr?: string };
}

export interface BatchWriter {
  /** Resolves with what the batch did, once it has committed. One batch at a time. */
  write(candidates: Candidate[], firstSeq: number, now: string): Promise<BatchOutcome>;
  /** Whether batches go to the writer thread (it starts with the first large batch). */
  readonly threaded: boolean;
  /** Ends the writer thread, if one started; the writer is not used afterwards. */
  close(): Promise<void>;
}

/** The database file a writer thread can open beside this connection, or undefined (PostgreSQL, in memory). */
function sqliteFileOf(database: Database): string | undefined {
  const connection = database.dialect === 'sqlite' ? sqliteConnectionOf(database.db) : undefined;
  const file = connection?.raw.location();
  return file ? file : undefined;
}

export function batchWriter(database: Database, ctx: BatchContext): BatchWriter {
  const file = sqliteFileOf(database);
  let thread: WriterThread | undefined;
  // A dry run's state for the batches written here; the thread keeps its own from the results written before it.
  const dry = dryRunStateOf(ctx.run);
  return {
    get threaded() {
      return thread !== undefined;
    },
    write: (candidates, firstSeq, now) => {
      if (!thread && file && candidates.length >= THREAD_MIN_BATCH) thread = new WriterThread(file, ctx);
      if (thread) return thread.write(candidates, firstSeq, now);
      return database.db.transaction().execute((trx) => processBatch(trx, ctx, candidates, firstSeq, now, dry));
    },
    close: async () => thread?.close(),
  };
}

/** An error from the thread, with the fields storageProblem() and uniqueViolation() read; the guardrail's pause as itself. */
function threadError(e: NonNullable<ThreadReply['error']>): Error {
  if (e.name === 'RunPaused') return new RunPaused(e.message);
  const err = Object.assign(new Error(e.message), { code: e.code, errcode: e.errcode, errstr: e.errstr });
  if (e.name) err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

class WriterThread {
  readonly #worker: Worker;
  readonly #encoder = new TextEncoder();
  #pending: { id: number; resolve: (o: BatchOutcome) => void; reject: (err: Error) => void } | undefined;
  #nextId = 0;
  /** Why the thread can take no more batches (it failed or ended), once it cannot. */
  #gone: Error | undefined;

  constructor(file: string, ctx: BatchContext) {
    this.#worker = new Worker(new URL('./batch-thread.ts', import.meta.url), {
      workerData: { file, ctx },
      resourceLimits: THREAD_LIMITS,
    });
    this.#worker.on('message', (reply: ThreadReply) => {
      const p = this.#pending;
      if (!p || p.id !== reply.id) return;
      this.#pending = undefined;
      if (reply.error) p.reject(threadError(reply.error));
      else p.resolve(reply.outcome ?? { processed: 0, updated: [] });
    });
    // A thread that dies (out of its memory limit, a crash) fails the batch it held: the run is retried.
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the import's writer thread ended (exit code ${code})`)));
  }

  #fail(err: Error): void {
    this.#gone ??= err;
    const p = this.#pending;
    this.#pending = undefined;
    p?.reject(err);
  }

  async write(candidates: Candidate[], firstSeq: number, now: string): Promise<BatchOutcome> {
    return this.#send(await this.#serialize(candidates), firstSeq, now);
  }

  /**
   * The batch, a slice at a time (in one piece it stops the event loop for tens of milliseconds), each
   * slice one UTF-8 buffer. Apart from write() so that nothing holds the candidates while the thread writes.
   */
  async #serialize(candidates: Candidate[]): Promise<Uint8Array<ArrayBuffer>[]> {
    if (this.#gone) throw this.#gone;
    if (this.#pending) throw new Error('the writer thread takes one batch at a time');
    return inSlices(candidates, (slice) => this.#encoder.encode(JSON.stringify(slice)));
  }

  /** The buffers are moved to the thread, not copied. */
  #send(payload: Uint8Array<ArrayBuffer>[], firstSeq: number, now: string): Promise<BatchOutcome> {
    if (this.#gone) return Promise.reject(this.#gone); // it ended while the batch was serialized
    const id = ++this.#nextId;
    return new Promise<BatchOutcome>((resolve, reject) => {
      this.#pending = { id, resolve, reject };
      this.#worker.postMessage(
        { id, payload, firstSeq, now } satisfies ThreadRequest,
        payload.map((p) => p.buffer),
      );
    });
  }

  async close(): Promise<void> {
    if (this.#gone) return;
    this.#gone = new Error('the writer thread was closed');
    const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    this.#worker.postMessage('close');
    await exited;
  }
}
