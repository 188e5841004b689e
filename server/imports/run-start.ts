// Starting a run of any kind (users: runs.service.ts; groups: group-runs.service.ts): who is emailed,
// the run's row with its import_started event and its job in one transaction (one unfinished run per
// application: a second is 409), and a run worked within the request while its job waits as a safety
// net. Moved out of runs.service.ts for the group runs (issue 14).
import { apiKeyCreatorEmail } from '../auth/index.ts';
import type { Db } from '../db/database.ts';
import { uniqueViolation } from '../db/errors.ts';
import { record } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { conflict } from '../shared/errors.ts';
import type { ImportContext } from './context.ts';
import { executeRun } from './execute.ts';
import { IMPORT_JOB, type RunProgress } from './runs.model.ts';
import * as repo from './runs.repository.ts';

/** A request-time run that dies with its process is finished by this job later. */
export const SAFETY_NET_MS = 5 * 60_000;

/** Who gets the email: the admin, or for an API key the admin who created it. */
export async function notifyEmailOf(db: Db, actor: Actor): Promise<string | null> {
  if (actor.type === 'admin') return actor.email ?? null;
  if (actor.type === 'api_key' && actor.id) return (await apiKeyCreatorEmail({ db }, actor.organizationId, actor.id)) ?? null;
  return actor.email ?? null;
}

/** One job per run (coalesced by key): it runs the import, or resumes it after a crash. */
export function enqueueRunJob(deps: ImportContext, db: Db, runId: string, delayMs: number): Promise<string> {
  return deps.queue.enqueue(
    db,
    IMPORT_JOB,
    { runId },
    {
      runAt: delayMs ? new Date(deps.clock.now().getTime() + delayMs) : undefined,
      singletonKey: `import-run:${runId}`,
      maxAttempts: 20,
      backoffMs: 2000,
    },
  );
}

/**
 * Stores the new run with its import_started event and its job (`inline`: the job waits as the
 * safety net of a run worked in the request). A second unfinished run of the application is 409.
 */
export async function insertStartedRun(
  deps: ImportContext,
  actor: Actor,
  app: { id: string; name: string },
  row: repo.RunRow,
  inline: boolean,
): Promise<void> {
  try {
    await deps.db.transaction().execute(async (trx) => {
      await repo.insertRun(trx, row);
      await record(
        { db: trx, clock: deps.clock },
        {
          eventType: 'import_started',
          service: 'import',
          actor,
          resource: { type: 'import_run', id: row.id },
          application: app,
          importRunId: row.id,
          changes: { mode: row.mode, total: row.total, ...(row.kind === 'users' ? {} : { kind: row.kind }) },
        },
      );
      await enqueueRunJob(deps, trx, row.id, inline ? SAFETY_NET_MS : 0);
    });
  } catch (err) {
    if (uniqueViolation(err))
      throw conflict('IMPORT_ALREADY_RUNNING', 'An import from this application is already running; wait for it to finish');
    throw err;
  }
}

/** Works the run in this process; its job, enqueued with it, is pushed back meanwhile and finishes it if this process dies. */
export async function runWithSafetyNet(deps: ImportContext, runId: string, onProgress?: (p: RunProgress) => void): Promise<void> {
  const heartbeat = setInterval(() => {
    enqueueRunJob(deps, deps.db, runId, SAFETY_NET_MS).catch((err) =>
      deps.logger.warn({ err, runId }, 'could not push back the import safety net'),
    );
  }, SAFETY_NET_MS / 10);
  try {
    await executeRun(deps, runId, { onProgress });
  } finally {
    clearInterval(heartbeat);
  }
}
