// Running (or resuming) a users run: the users are read from the selection's snapshot or from the
// application, gathered into batches, and each batch written in one transaction while the next page
// is read. How it starts, stops and ends is run-lifecycle.ts.
import { analyzeTables, inTransaction } from '../db/database.ts';
import { countUsers } from '../directory/index.ts';
import { loadScimConfig } from '../integrations/index.ts';
import type { ScimUser } from '../scim/index.ts';
import { inSlices } from '../shared/slices.ts';
import type { BatchContext } from './batch.ts';
import type { BatchOutcome } from './batch.ts';
import { batchWriter } from './batch-writer.ts';
import { addRunUsersToGroup } from './run-group.ts';
import { Batcher } from './batcher.ts';
import { type Candidate, toCandidate } from './candidate.ts';
import type { ImportContext } from './context.ts';
import { endOnError, finishRun, type RunContext, type RunOpts, type StopReason, stopChecker, throwIfStopped } from './run-lifecycle.ts';
import { type ImportRun, optionsOf, type RunProgress } from './runs.model.ts';
import * as repo from './runs.repository.ts';
import { matchRulesOf } from './settings.repository.ts';
import * as snapshots from './snapshot.repository.ts';
import { candidateOf, readAhead } from './snapshot.service.ts';

const SELECTION_BATCH = 500;
/** Tables an import grows and then looks up by username, email and remote id. */
const GROWING_TABLES = ['users', 'app_user_links', 'import_run_results', 'import_run_created'] as const;
const ANALYZE_FIRST_AT = 1000;

/**
 * The write side of a run: batches of config.importBatchSize users per transaction (each commit
 * rewrites every index page the batch touched, and new users land all over the username, email and
 * name indexes, so a few large commits write far less than many small ones; a crash redoes at most one
 * batch). At most one batch is being written while the next page is fetched and mapped.
 */
async function runWriter(
  deps: ImportContext,
  ctx: BatchContext,
  checkStop: () => Promise<StopReason>,
  onProgress?: (p: RunProgress) => void,
) {
  const { run } = ctx;
  let seq = (await repo.maxResultSeq(deps.db, run.id)) + 1;
  let processed = run.processed;
  let total = run.total;
  // Planner statistics are refreshed each time the run has doubled what it wrote (PostgreSQL).
  let analyzeAt = Math.max(processed * 2, ANALYZE_FIRST_AT);
  const writer = batchWriter(deps.database, ctx);
  let writing: Promise<void> = Promise.resolve();
  let writeError: unknown;
  const drain = async () => {
    await writing;
    if (writeError) throw writeError;
  };
  const written = async ({ processed: n, updated }: BatchOutcome) => {
    await tellProvisioning(deps, run, updated);
    processed += n;
    onProgress?.({ processed, total: Math.max(total, processed) });
    if (processed < analyzeAt) return;
    analyzeAt = processed * 2;
    // Only a help to the planner: the run goes on without it.
    await analyzeTables(deps.database, GROWING_TABLES).catch((err) =>
      deps.logger.warn({ err, runId: run.id }, 'could not refresh planner statistics'),
    );
  };
  const step = async (candidates: Candidate[]) => {
    await drain();
    throwIfStopped(await checkStop());
    const firstSeq = seq;
    seq += candidates.length;
    writing = writer.write(candidates, firstSeq, deps.clock.now().toISOString()).then(written, (err) => {
      writeError = err;
    });
  };
  const batcher = new Batcher<Candidate>(deps.config.importBatchSize);
  return {
    add: async (candidates: Candidate[]) => {
      const batch = batcher.add(candidates);
      if (batch) await step(batch);
    },
    finish: async () => {
      const last = batcher.take();
      if (last) await step(last);
      await drain();
    },
    /** How many users the application says it has: the run's total from now on (a hint: it only grows). */
    expect: async (n: number) => {
      if (n <= total) return;
      total = n;
      await repo.raiseRunTotal(deps.db, run.id, n, deps.clock.now().toISOString());
    },
    /** Waits for the batch being written, whatever its outcome. */
    settled: () => writing,
    close: () => writer.close(),
  };
}

/** A selection's users, from the snapshot the admin picked them in. */
async function readSelection(deps: ImportContext, run: repo.RunRow, add: (c: Candidate[]) => Promise<void>): Promise<void> {
  const ids: string[] = JSON.parse(run.selection ?? '[]');
  for (let i = 0; i < ids.length; i += SELECTION_BATCH) {
    const chunk = ids.slice(i, i + SELECTION_BATCH);
    const rows = run.snapshot_id ? await snapshots.findSnapshotUsers(deps.db, run.snapshot_id, chunk) : [];
    const byId = new Map(rows.map((r) => [r.remote_id, r]));
    // A snapshot cleaned up under a running import is a bug elsewhere: report per user rather than guess.
    await add(chunk.map((id) => (byId.has(id) ? previewed(byId.get(id)!) : vanished(id))));
  }
}

/** A snapshot row as a candidate, with the version of the directory user the preview matched. */
function previewed(row: snapshots.SnapshotUserRow): Candidate {
  const c = candidateOf(row);
  if (row.existing_user_id && row.existing_version) c.preview = { userId: row.existing_user_id, version: row.existing_version };
  return c;
}

const vanished = (remoteId: string): Candidate => ({
  remoteId,
  userName: '',
  email: '',
  firstname: '',
  lastname: '',
  displayname: '',
  remoteActive: true,
  attributes: {},
  problems: ['the remote user data is no longer available; import again'],
});

/**
 * Every user of the application, read over SCIM; `loaded` gets the connection's generation, `expect`
 * the application's count once its first page has told it (the run's progress is measured against it).
 */
async function readApplication(
  deps: ImportContext,
  run: repo.RunRow,
  signal: AbortSignal,
  loaded: (generation: number) => void,
  writer: { add: (c: Candidate[]) => Promise<void>; expect: (total: number) => Promise<void> },
): Promise<void> {
  const cfg = await loadScimConfig({ db: deps.db, secretKey: deps.secretKey }, run.organization_id, run.application_id);
  loaded(cfg.generation);
  const client = deps.idm.client(run.application_id, cfg.client, cfg.settings);
  try {
    // One page ahead: the listing reads further ahead itself when it pages in parallel, and every page
    // held costs memory while the writer is the slower side.
    const listing = client.listUsers({ signal });
    let told = false;
    for await (const page of readAhead(listing.pages(), 1)) {
      if (!told && listing.stats.totalResults !== undefined) {
        told = true;
        await writer.expect(listing.stats.totalResults);
      }
      await writer.add((await inSlices(page as ScimUser[], (slice) => slice.map(runCandidate))).flat());
    }
  } finally {
    await client.close();
  }
}

/**
 * The updated users' applications provision the new values: the directory's hook, for a batch that has
 * committed (the SQLite writer thread has no job queue, so it cannot be told inside the batch). After a
 * crash between the two, the resumed run tells it again about every user it updated.
 */
async function tellProvisioning(deps: ImportContext, run: repo.RunRow, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  await inTransaction(deps.db, (trx) => deps.changes.usersChanged(trx, run.organization_id, userIds));
}

/**
 * A scheduled run may always change this many users: a share of a small (or empty) directory would
 * otherwise pause every run, so the guardrail is a share with a floor, like inbound SCIM's.
 */
export const GUARDRAIL_MIN_CHANGES = 20;

/**
 * What every batch of the run needs, read once as the run (re)starts: the application's match rules,
 * and for a scheduled run under the guardrail the most users it may change, from the directory's size now.
 */
async function batchContextOf(deps: ImportContext, ctx: RunContext): Promise<BatchContext> {
  const { run } = ctx;
  const rules = await matchRulesOf(deps.db, run.application_id);
  const options = optionsOf(run);
  const base: BatchContext = { run, app: ctx.app, actor: ctx.actor, rules };
  if (options.guardrailPercent === undefined || options.guardrailConfirmed || run.dry_run === 1) return base;
  const directoryUsers = await countUsers(deps.db, { organizationId: run.organization_id });
  const limit = Math.max(GUARDRAIL_MIN_CHANGES, Math.floor((options.guardrailPercent / 100) * directoryUsers));
  return { ...base, guardrail: { limit, directoryUsers, percent: options.guardrailPercent } };
}

/** Runs (or resumes) a users run: the selection's users from the snapshot, or the whole application. */
export async function executeUserRun(deps: ImportContext, ctx: RunContext, opts: RunOpts): Promise<ImportRun> {
  const { run } = ctx;
  // The connection's generation once a run reading the application has loaded it.
  let generation: number | undefined;
  const { signal, stopOf } = stopChecker(deps, run, opts, () => generation);
  // A run that stopped between a batch's commit and telling provisioning: tell it again (hints are idempotent).
  if (run.attempt > 0 && run.updated > 0) await tellProvisioning(deps, run, await repo.findResultUserIds(deps.db, run.id, 'updated'));
  const writer = await runWriter(deps, await batchContextOf(deps, ctx), stopOf, opts.onProgress);
  try {
    if (run.mode === 'selection') await readSelection(deps, run, writer.add);
    else await readApplication(deps, run, signal, (g) => (generation = g), writer);
    await writer.finish();
    // After the last batch: a resumed run adds them again (adding is idempotent).
    await addRunUsersToGroup(deps, ctx);
    return await finishRun(deps, ctx, 'completed', null);
  } catch (err) {
    await writer.settled();
    return endOnError(deps, ctx, err, stopOf);
  } finally {
    await writer.close();
  }
}

/** A candidate as a run needs it: the raw mapped attributes are only for the preview's snapshot. */
function runCandidate(user: ScimUser): Candidate {
  const c = toCandidate(user);
  c.attributes = {};
  return c;
}
