// The bulk activation-email job: runs (or resumes) one batch. At least once is safe: the batch's
// cursor commits with each chunk's emails, so a second run sends nothing twice.
import type { Db } from '../db/database.ts';
import type { JobContext, JobQueue } from '../jobs/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { ActivationContext } from './activation.service.ts';
import { ACTIVATION_BATCH_JOB, BATCH_MAX_ATTEMPTS, failActivationBatch, runActivationBatch } from './batches.service.ts';

export interface ActivationBatchPayload {
  batchId: string;
}

/** What activation emails use of the server's deps (the API's single sends and this job). */
export interface ActivationJobDeps {
  database: { db: Db };
  queue: JobQueue;
  secretKey: Buffer;
  clock: Clock;
  config: { publicUrl: string; activationLinkTtlHours: number };
}

export const activationContextOf = (deps: ActivationJobDeps): ActivationContext => ({
  db: deps.database.db,
  queue: deps.queue,
  secretKey: deps.secretKey,
  publicUrl: deps.config.publicUrl,
  linkTtlMs: deps.config.activationLinkTtlHours * 60 * 60_000,
  clock: deps.clock,
});

async function handleActivationBatchJob(deps: ActivationJobDeps, payload: ActivationBatchPayload, ctx: JobContext): Promise<void> {
  const { db } = deps.database;
  try {
    await runActivationBatch(activationContextOf(deps), payload.batchId, ctx.signal);
  } catch (err) {
    if (!ctx.signal.aborted && ctx.attempt >= BATCH_MAX_ATTEMPTS) {
      await failActivationBatch({ db }, payload.batchId, err instanceof Error ? err.message : String(err), deps.clock.now().toISOString());
    }
    throw err;
  }
}

export function registerAccountWorkers(deps: ActivationJobDeps): void {
  deps.queue.work<ActivationBatchPayload>(ACTIVATION_BATCH_JOB, (payload, ctx) => handleActivationBatchJob(deps, payload, ctx), {
    concurrency: 1,
  });
}
