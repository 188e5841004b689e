// An admin's answer to a run that waits: confirm a run the guardrail paused (it is queued again and
// the guardrail lets it through), or cancel a paused or queued run (it ends failed, saying who
// cancelled it, with its event and email as any ending).
import { getApplication } from '../applications/index.ts';
import { onDb } from '../db/context.ts';
import { inTransaction } from '../db/database.ts';
import { record } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { conflict, notFound } from '../shared/errors.ts';
import type { ImportContext } from './context.ts';
import { finishRun, runActor } from './run-lifecycle.ts';
import { type ImportRun, optionsOf, runEvent, toRun } from './runs.model.ts';
import * as repo from './runs.repository.ts';
import { enqueueRunJob } from './run-start.ts';

async function recordRunEvent(
  ctx: Pick<ImportContext, 'db' | 'clock'>,
  actor: Actor,
  run: repo.RunRow,
  eventType: string,
  changes: unknown,
) {
  const app = await getApplication({ db: ctx.db }, run.organization_id, run.application_id);
  await record(ctx, runEvent(eventType, actor, { id: app.id, name: app.name }, run.id, { changes }));
  return { id: app.id, name: app.name };
}

/** The paused run goes on: queued again with guardrailConfirmed, its job enqueued in the same transaction. */
export async function confirmRun(deps: ImportContext, actor: Actor, runId: string): Promise<ImportRun> {
  return inTransaction(deps.db, async (trx) => {
    const run = await repo.findRun(trx, actor.organizationId, runId);
    if (!run) throw notFound('Import run', runId);
    const options = JSON.stringify({ ...optionsOf(run), guardrailConfirmed: true });
    const patch = { status: 'queued' as const, paused_reason: null, options, updated_at: deps.clock.now().toISOString() };
    if (!(await repo.updateRunIn(trx, runId, ['paused'], patch)))
      throw conflict('IMPORT_RUN_NOT_PAUSED', `The import run is ${run.status}, not paused: there is nothing to confirm`);
    await recordRunEvent({ db: trx, clock: deps.clock }, actor, run, 'import_confirmed', { pausedReason: run.paused_reason });
    await enqueueRunJob(deps, trx, runId, 0);
    return toRun({ ...run, ...patch });
  });
}

/** A paused or queued run ends failed, "cancelled by" the admin; what it did so far stays. */
export async function cancelRun(deps: ImportContext, actor: Actor, runId: string): Promise<ImportRun> {
  return inTransaction(deps.db, async (trx) => {
    const run = await repo.findRun(trx, actor.organizationId, runId);
    if (!run) throw notFound('Import run', runId);
    // Takes the run (a conditional write) so that a worker cannot start it meanwhile (startRun's is conditional too).
    if (!(await repo.updateRunIn(trx, runId, ['paused', 'queued'], { updated_at: deps.clock.now().toISOString() }))) {
      throw conflict('IMPORT_RUN_NOT_CANCELLABLE', `The import run is ${run.status}: only a paused or queued run can be cancelled`);
    }
    const app = await recordRunEvent({ db: trx, clock: deps.clock }, actor, run, 'import_cancelled', { status: run.status });
    const who = actor.email ?? actor.name ?? actor.type;
    return finishRun(onDb(deps, trx), { run, app, actor: runActor(run) }, 'failed', `cancelled by ${who}`);
  });
}
