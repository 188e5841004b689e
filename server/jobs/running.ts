// What both adapters do alike with the handlers they run: registering one, telling why a handler's
// signal was aborted, aborting a cancelled key's running jobs, and draining at shutdown.
import type { JobHandler, JobState, WorkOptions } from './queue.ts';
import { assertJobName, type JobAbortReason, JobAbortedError, settledWithin } from './support.ts';

/** After the grace, aborted handlers get this long to unwind before stop() goes on without them. */
const ABORT_SETTLE_MS = 1000;

export interface Registration {
  name: string;
  handler: JobHandler<object>;
  concurrency: number;
}

/** A handler running in this process. */
export interface RunningJob {
  id: string;
  name: string;
  singletonKey: string | null;
  controller: AbortController;
  /** Resolves once the handler has returned and its outcome is recorded (or given up on). */
  finished: Promise<void>;
}

/** Checks a handler before the caller records it: one per job name, a whole concurrency of at least 1. */
export function newRegistration<P extends object>(
  handlers: ReadonlyMap<string, unknown>,
  name: string,
  handler: JobHandler<P>,
  options: WorkOptions,
): Registration {
  assertJobName(name);
  if (handlers.has(name)) throw new Error(`A handler for job ${name} is already registered`);
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be an integer >= 1');
  return { name, handler: handler as JobHandler<object>, concurrency };
}

/** Why the queue aborted a handler's signal; undefined while it is not aborted. */
export function abortReason(controller: AbortController): JobAbortReason | undefined {
  const { signal } = controller;
  return signal.aborted ? (signal.reason as JobAbortedError | undefined)?.reason : undefined;
}

/** cancel() reaches the running jobs of the key too: their signals abort with 'cancelled'. */
export function abortCancelled(running: Iterable<RunningJob>, name: string, singletonKey: string): void {
  for (const job of running) {
    if (job.name === name && job.singletonKey === singletonKey) {
      job.controller.abort(new JobAbortedError('cancelled', `job ${job.id} was cancelled`));
    }
  }
}

/**
 * At shutdown: waits up to `graceMs` for the running handlers, then aborts them ('shutdown') and
 * waits ABORT_SETTLE_MS more. True when every handler ended.
 */
export async function drain(running: Map<string, RunningJob>, graceMs: number): Promise<boolean> {
  const finished = () => [...running.values()].map((job) => job.finished);
  if (await settledWithin(finished(), graceMs)) return true;
  for (const job of running.values()) job.controller.abort(new JobAbortedError('shutdown', 'the job queue is stopping'));
  return settledWithin(finished(), ABORT_SETTLE_MS);
}

export function emptyCounts(): Record<JobState, number> {
  return { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
}
