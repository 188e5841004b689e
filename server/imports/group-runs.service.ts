// Starting a groups run (issue 14): the selected groups of the application (checked against its
// group list, remote-groups.ts) or all of them. Fewer than 100 groups are imported within the request
// and answered with every result; more go on in the background. The run itself (group-run.ts) reads
// the groups again for their current members.
import { getApplication } from '../applications/index.ts';
import { loadScimConfig } from '../integrations/index.ts';
import type { Actor } from '../shared/actor.ts';
import type { ImportContext } from './context.ts';
import { readGroupList } from './remote-groups.ts';
import { insertStartedRun } from './run-start.ts';
import { executeInline, notifyEmailOf } from './run-start.ts';
import {
  type ImportResult,
  type ImportRun,
  checkedSelection,
  newRunRow,
  refuseMissing,
  type RunProgress,
  SYNC_LIMIT,
  toResult,
  toRun,
} from './runs.model.ts';
import * as repo from './runs.repository.ts';

export type GroupRunInput = { dryRun?: boolean } & ({ remoteIds: string[]; all?: undefined } | { all: true; remoteIds?: undefined });

/** What a groups run imports: its selection (every id in the application's list) or all, and how many groups. */
async function groupsToImport(
  deps: ImportContext,
  organizationId: string,
  applicationId: string,
  input: GroupRunInput,
): Promise<{ selection: string[] | null; total: number }> {
  const selection = input.all ? null : checkedSelection(input.remoteIds, 'group');
  const { groups } = await readGroupList(deps, organizationId, applicationId);
  if (!selection) return { selection, total: groups.length };
  refuseMissing(selection, new Set(groups.map((g) => g.remoteId)), 'group');
  return { selection, total: selection.length };
}

export interface CreatedGroupRun {
  run: ImportRun;
  /** Processed in the request: every result is in `results`. */
  results?: ImportResult[];
}

export async function createGroupImportRun(
  deps: ImportContext,
  actor: Actor,
  applicationId: string,
  input: GroupRunInput,
  opts: { inline?: boolean; onProgress?: (p: RunProgress) => void } = {},
): Promise<CreatedGroupRun> {
  const { db } = deps;
  const app = await getApplication({ db }, actor.organizationId, applicationId);
  await loadScimConfig({ db, secretKey: deps.secretKey }, actor.organizationId, applicationId); // 409 when not configured
  const { selection, total } = await groupsToImport(deps, actor.organizationId, applicationId, input);
  const sync = total < SYNC_LIMIT;
  // The CLI works the run in its own process whatever the size, reporting progress.
  const inline = sync || opts.inline === true;
  const row = newRunRow({
    applicationId,
    actor,
    mode: selection ? 'selection' : 'all',
    kind: 'groups',
    total,
    now: deps.clock.now().toISOString(),
    running: inline,
    selection: selection ? JSON.stringify(selection) : null,
    notifyEmail: await notifyEmailOf(db, actor),
    dryRun: input.dryRun,
    options: { link: false },
  });
  await insertStartedRun(deps, actor, { id: app.id, name: app.name }, row, { inline });
  if (!inline) return { run: toRun(row) };
  const finished = await executeInline(deps, row.id, opts.onProgress);
  return { run: finished, results: sync ? (await repo.listResults(db, row.id, -1, SYNC_LIMIT * 2)).map(toResult) : undefined };
}
