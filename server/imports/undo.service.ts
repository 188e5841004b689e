// Undoing an import run (issue 14): the undo is itself a run (kind undo) that the import.run job
// executes (undo-run.ts). Here: starting one, in one transaction with the original marked undone by it
// and its import_started event, and the preview the portal's confirmation shows.
import { getApplication } from '../applications/index.ts';
import type { DbContext } from '../db/context.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError, conflict, notFound } from '../shared/errors.ts';
import type { ImportContext } from './context.ts';
import * as repo from './runs.repository.ts';
import { executeInline, insertStartedRun, notifyEmailOf } from './run-start.ts';
import { type ImportRun, newRunRow, optionsOf, type RunProgress, toRun } from './runs.model.ts';
import * as undoRepo from './undo.repository.ts';
import { type UndoPreview, type UndoRequest, undoRequestSchema } from './undo.schemas.ts';

/**
 * Why the run cannot be undone now, if it cannot: it is an undo, a dry run or a groups run; it has not
 * ended; or another undo has taken it back (or is doing so). A failed undo may be tried again:
 * `retrying` is then that undo's id.
 */
async function refusal(ctx: Pick<DbContext, 'db'>, run: repo.RunRow): Promise<{ error?: AppError; retrying: string | null }> {
  if (run.kind === 'undo') return { error: conflict('IMPORT_UNDO_OF_UNDO', 'An undo run cannot be undone'), retrying: null };
  if (run.kind === 'groups')
    return { error: conflict('IMPORT_UNDO_NOT_SUPPORTED', 'Undo of group imports is not supported yet'), retrying: null };
  if (run.dry_run === 1)
    return {
      error: conflict('IMPORT_RUN_NOTHING_TO_UNDO', 'The run was a dry run: it changed nothing, so there is nothing to undo'),
      retrying: null,
    };
  if (run.status === 'queued' || run.status === 'running' || run.status === 'paused') {
    const error = conflict('IMPORT_RUN_NOT_FINISHED', `The run is ${run.status}: it can be undone once it has ended`);
    return { error, retrying: null };
  }
  if (!run.undone_by_run_id) return { retrying: null };
  const undo = await repo.findRun(ctx.db, run.organization_id, run.undone_by_run_id);
  if (!undo || undo.status === 'failed') return { retrying: run.undone_by_run_id };
  const error = conflict(
    'IMPORT_RUN_ALREADY_UNDONE',
    undo.status === 'completed' ? `The run was undone by run ${undo.id}` : `Run ${undo.id} is undoing this run`,
  );
  return { error, retrying: null };
}

async function findOriginal(ctx: Pick<DbContext, 'db'>, organizationId: string, runId: string): Promise<repo.RunRow> {
  const run = await repo.findRun(ctx.db, organizationId, runId);
  if (!run) throw notFound('Import run', runId);
  return run;
}

export interface UndoOptions {
  /** Execute it in this process (the CLI), reporting progress; the job only finishes it if this process dies. */
  inline?: boolean;
  onProgress?: (p: RunProgress) => void;
}

/** Starts the undo of a run: the queued undo run, which the import.run job executes (or, inline, the run as it ended). */
export async function startUndo(
  deps: ImportContext,
  actor: Actor,
  runId: string,
  request: UndoRequest = {},
  opts: UndoOptions = {},
): Promise<ImportRun> {
  const input = undoRequestSchema.parse(request);
  const original = await findOriginal(deps, actor.organizationId, runId);
  const { error, retrying } = await refusal(deps, original);
  if (error) throw error;
  const app = await getApplication({ db: deps.db }, actor.organizationId, original.application_id);
  const now = deps.clock.now().toISOString();
  const row = newRunRow({
    applicationId: original.application_id,
    actor,
    mode: 'all',
    kind: 'undo',
    undoOf: original.id,
    total: original.processed,
    now,
    running: opts.inline === true,
    notifyEmail: await notifyEmailOf(deps.db, actor),
    dryRun: input.dryRun,
    options: { link: false, undo: { users: input.users } },
  });
  await insertStartedRun(deps, actor, { id: app.id, name: app.name }, row, {
    inline: opts.inline === true,
    // A dry run changes nothing, the original's mark included.
    within: async (trx) => {
      if (!input.dryRun && !(await undoRepo.markUndone(trx, original.id, row.id, retrying, now)))
        throw conflict('IMPORT_RUN_ALREADY_UNDONE', 'Another undo of this run has just started');
    },
    changes: { undoOf: original.id, users: input.users },
  });
  return opts.inline ? executeInline(deps, row.id, opts.onProgress) : toRun(row);
}

/** What an undo of the run would do, counted (the portal's confirmation), and why it cannot be done now if so. */
export async function undoPreview(ctx: Pick<DbContext, 'db'>, organizationId: string, runId: string): Promise<UndoPreview> {
  const run = await findOriginal(ctx, organizationId, runId);
  const { error } = await refusal(ctx, run);
  // The membership of the run's group that the run gave a created user does not make him provisioned: the undo takes it back.
  const { groupId } = optionsOf(run);
  const created = await undoRepo.countCreatedUsers(ctx.db, organizationId, run.application_id, run.id, groupId);
  const [updated, linked, linkedByUpdate, memberships] = await Promise.all([
    undoRepo.countResults(ctx.db, run.id, 'updated'),
    undoRepo.countResults(ctx.db, run.id, 'linked'),
    undoRepo.countResults(ctx.db, run.id, 'updated', '%"linked":true%'),
    groupId ? undoRepo.countGroupJoins(ctx.db, organizationId, run.id, groupId) : 0,
  ]);
  return {
    runId: run.id,
    created: {
      total: run.created,
      remove: created.present - created.changed - created.provisioned,
      changedSince: created.changed,
      provisioned: created.provisioned,
      gone: Math.max(0, run.created - created.present),
    },
    updated,
    links: linked + linkedByUpdate,
    ...(groupId ? { memberships } : {}),
    ...(error ? { refused: { code: error.code, message: error.message } } : {}),
  };
}
