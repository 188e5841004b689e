// Starting a groups run (and any other kind that wants it): the run's row with its import_started
// event (none for a dry run) and its job in one transaction; one unfinished run per application, a
// second is 409. createImportRun (runs.service.ts) does the same inline and could call it.
import { uniqueViolation } from '../db/errors.ts';
import { record } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { conflict } from '../shared/errors.ts';
import type { ImportContext } from './context.ts';
import * as repo from './runs.repository.ts';
import { enqueueRunJob, INLINE_SAFETY_NET_MS } from './runs.service.ts';

/**
 * Stores the new run with its import_started event and its job (`inline`: the job waits as the
 * safety net of a run worked in the request). A second unfinished run of the application is 409.
 * A dry run leaves no trace but its results (and the job that computes them).
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
      if (row.dry_run !== 1)
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
      await enqueueRunJob(deps, trx, row.id, inline ? INLINE_SAFETY_NET_MS : 0);
    });
  } catch (err) {
    if (uniqueViolation(err))
      throw conflict('IMPORT_ALREADY_RUNNING', 'An import from this application is already running; wait for it to finish');
    throw err;
  }
}
