// Executes a run of kind 'undo' (issue 14). Not built yet: the run ends failed saying so.
import type { ImportContext } from './context.ts';
import { finishRun, type RunContext, type RunOpts } from './run-lifecycle.ts';
import type { ImportRun } from './runs.model.ts';

export async function executeUndoRun(deps: ImportContext, ctx: RunContext, _opts: RunOpts): Promise<ImportRun> {
  return finishRun(deps, ctx, 'failed', 'undo runs are not built yet');
}
