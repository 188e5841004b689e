// Import runs: create only the new users (ACTIVE, password PENDING, bound to nothing, linked to the
// remote id), in batches where a user, its link, its Insights event and its result commit together
// (run-execution.ts). The results table is the checkpoint: a resumed run skips every remote id it
// already answered. Here: starting a run, and reading runs.
import type { DbContext } from '../db/context.ts';
import { getApplication } from '../applications/index.ts';
import { findGroup } from '../directory/index.ts';
import { loadScimConfig } from '../integrations/index.ts';
import type { Actor } from '../shared/actor.ts';
import { decodeCursor, keysetPage } from '../shared/cursor.ts';
import { badRequest, notFound } from '../shared/errors.ts';
import type { ImportContext } from './context.ts';
import { executeInline, insertStartedRun, notifyEmailOf } from './run-start.ts';
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
import type { UpdatableField } from './diff.ts';
import * as snapshots from './snapshot.repository.ts';
import { ensureSnapshot, scimFailure } from './snapshot.service.ts';

export * from './runs.model.ts';
export { executeRun } from './execute.ts';
export { enqueueRunJob, executeInline, INLINE_SAFETY_NET_MS, notifyEmailOf } from './run-start.ts';

/** What a users run does beyond creating the new users (issue 14; see RunOptions). */
export interface RunRequest {
  update?: { fields: UpdatableField[] | 'all' };
  /** Link matching users to their remote accounts (default true). */
  link?: boolean;
  groupId?: string;
  dryRun?: boolean;
  resolve?: { remoteId: string; userId: string }[];
  exclude?: string[];
}

export type CreateRunInput = RunRequest & ({ remoteIds: string[]; all?: undefined } | { all: true; remoteIds?: undefined });

export interface CreatedRun {
  run: ImportRun;
  /** Processed in the request: every result is in `results`. */
  results?: ImportResult[];
}

async function countAtLeast(deps: ImportContext, organizationId: string, applicationId: string, n: number): Promise<number> {
  const cfg = await loadScimConfig({ db: deps.db, secretKey: deps.secretKey }, organizationId, applicationId);
  const client = deps.idm.client(applicationId, cfg.client, cfg.settings);
  let count = 0;
  try {
    for await (const page of client.listUsers({ pageSize: n, signal: deps.idm.signalFor(applicationId) }).pages()) {
      count += page.length;
      if (count >= n) break;
    }
    return count;
  } catch (err) {
    throw scimFailure(err, "counting the application's users");
  } finally {
    await client.close();
  }
}

export interface CreateRunOptions {
  /** Run in this process whatever the size (the CLI), reporting progress. */
  inline?: boolean;
  onProgress?: (p: RunProgress) => void;
  /** A schedule started it (the scheduler's runs); default manual. */
  trigger?: 'manual' | 'schedule';
  /** Scheduled runs: the guardrail's share of the directory (RunOptions.guardrailPercent). */
  guardrailPercent?: number;
  /** Always in the background job, however few users (the scheduler never waits for a run). */
  background?: boolean;
}

/** What a run imports: its selection (checked against the preview's snapshot) or all, and how many users. */
async function whatToImport(
  deps: ImportContext,
  organizationId: string,
  applicationId: string,
  input: CreateRunInput,
  background: boolean,
): Promise<{ selection: string[] | null; snapshotId: string | null; total: number }> {
  if (input.all) {
    // The whole list is read again by the run itself; only learn whether it is small (a run that goes to
    // the background anyway, as the scheduler's do, need not ask: it learns the total from its first page).
    const latest = await snapshots.findLatestSnapshot(deps.db, applicationId);
    const total =
      latest?.status === 'ready' && latest.expires_at > deps.clock.now().toISOString()
        ? latest.total
        : background
          ? 0
          : await countAtLeast(deps, organizationId, applicationId, SYNC_LIMIT);
    return { selection: null, snapshotId: null, total };
  }
  const selection = checkedSelection(input.remoteIds, 'user');
  const snapshot = await ensureSnapshot(deps, organizationId, applicationId);
  const found = new Set((await snapshots.findSnapshotUsers(deps.db, snapshot.id, selection)).map((r) => r.remote_id));
  refuseMissing(selection, found, 'user');
  return { selection, snapshotId: snapshot.id, total: selection.length };
}

export async function createImportRun(
  deps: ImportContext,
  actor: Actor,
  applicationId: string,
  input: CreateRunInput,
  opts: CreateRunOptions = {},
): Promise<CreatedRun> {
  const { db } = deps;
  const app = await getApplication({ db }, actor.organizationId, applicationId);
  await loadScimConfig({ db, secretKey: deps.secretKey }, actor.organizationId, applicationId); // 409 when not configured
  await checkGroup(deps, actor.organizationId, input.groupId);
  const { selection, snapshotId, total } = await whatToImport(deps, actor.organizationId, applicationId, input, opts.background === true);
  const sync = total < SYNC_LIMIT;
  const inline = !opts.background && (sync || opts.inline === true);
  const now = deps.clock.now();
  const row = newRunRow({
    applicationId,
    actor,
    mode: input.all ? 'all' : 'selection',
    total,
    now: now.toISOString(),
    running: inline,
    selection: selection ? JSON.stringify(selection) : null,
    snapshotId,
    notifyEmail: await notifyEmailOf(db, actor),
    trigger: opts.trigger,
    dryRun: input.dryRun,
    options: {
      link: input.link ?? true,
      ...(input.update ? { update: input.update } : {}),
      ...(input.groupId ? { groupId: input.groupId } : {}),
      ...(input.resolve?.length ? { resolve: input.resolve } : {}),
      ...(input.exclude?.length ? { exclude: input.exclude } : {}),
      ...(opts.guardrailPercent !== undefined ? { guardrailPercent: opts.guardrailPercent } : {}),
    },
  });
  await insertStartedRun(deps, actor, { id: app.id, name: app.name }, row, { inline });
  if (!inline) return { run: toRun(row) };
  await executeInline(deps, row.id, opts.onProgress);
  const finished = await repo.findRun(db, actor.organizationId, row.id);
  return { run: toRun(finished!), results: sync ? (await repo.listResults(db, row.id, -1, SYNC_LIMIT * 2)).map(toResult) : undefined };
}

/** The group a run's users are to join must be one of the organization's (400 naming body.groupId). */
async function checkGroup(deps: ImportContext, organizationId: string, groupId: string | undefined): Promise<void> {
  if (groupId === undefined || (await findGroup(deps, organizationId, groupId))) return;
  throw badRequest('VALIDATION_FAILED', `Group ${groupId} does not exist`, [{ path: 'body.groupId', message: 'no such group' }]);
}

/** Whether the run still exists (a run goes with its application). */
export async function runExists(ctx: Pick<DbContext, 'db'>, id: string): Promise<boolean> {
  return (await repo.findRun(ctx.db, null, id)) !== undefined;
}

export async function getRun(ctx: Pick<DbContext, 'db'>, organizationId: string, id: string): Promise<ImportRun> {
  const row = await repo.findRun(ctx.db, organizationId, id);
  if (!row) throw notFound('Import run', id);
  return toRun(row);
}

export async function listRuns(
  ctx: Pick<DbContext, 'db'>,
  organizationId: string,
  q: { applicationId?: string; limit: number; cursor?: string },
) {
  let before: { createdAt: string; id: string } | undefined;
  if (q.cursor) {
    const [createdAt, id] = decodeCursor(q.cursor, ['string', 'string']) as string[];
    before = { createdAt, id };
  }
  const rows = await repo.listRuns(ctx.db, organizationId, q.applicationId, before, q.limit + 1);
  return keysetPage(rows, q.limit, toRun, (l) => [l.created_at, l.id]);
}
