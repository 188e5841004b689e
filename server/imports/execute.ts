// Runs (or resumes) an import run of any kind until it completes, fails or pauses. Throws only when it
// should be retried later (shutdown, database trouble); every other ending is recorded on the run and
// emailed (run-lifecycle.ts).
import type { ImportContext } from './context.ts';
import { executeGroupRun } from './group-run.ts';
import { executeUserRun } from './run-execution.ts';
import { type RunOpts, startRun } from './run-lifecycle.ts';
import type { ImportRun } from './runs.model.ts';
import { executeUndoRun } from './undo-run.ts';

export async function executeRun(deps: ImportContext, runId: string, opts: RunOpts = {}): Promise<ImportRun> {
  const started = await startRun(deps, runId);
  if (!('run' in started)) return started;
  if (started.run.kind === 'groups') return executeGroupRun(deps, started, opts);
  if (started.run.kind === 'undo') return executeUndoRun(deps, started, opts);
  return executeUserRun(deps, started, opts);
}
