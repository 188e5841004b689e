// Executes (or resumes) a run of kind 'undo' (issue 14): the undone run's results are read in seq
// order, a batch of config.importBatchSize at a time, and each batch is undone in one transaction with
// the undo's results and counters. The counters are the checkpoint: a resumed undo skips the first
// `processed` results of the undone run (its results never change once it has ended). Per result:
// - created: the user is deleted (or suspended, options.undo.users) and his link to the application
//   removed, unless he is gone, has changed since (updated_at after created_at), or is provisioned
//   somewhere (undo.repository.ts): those are skipped with a code, and listed.
// - updated: each field that still holds the value the run set is set back; a link the run made with
//   the update is removed.
// - linked: the link is removed if it still links that remote id to that user.
// - skipped, failed: nothing to undo (counted as processed only).
// First of all, the memberships of the run's group (options.groupId) that the run added
// (import_run_group_joins) and that are still there are removed, through the directory (events,
// provisioning told, so the group's applications deprovision them); a user who was a member before the
// run stays. A created user's membership the run added does not make him `provisioned`. The results of
// the users taken out of the group say so (leftGroup).
// A dry run stores the same results and changes nothing else.
import { inTransaction, type Tx } from '../db/database.ts';
import {
  type BulkChangeMeta,
  deleteUsersInBulk,
  type DirectoryContext,
  type FieldRestore,
  groupMembersAmong,
  removeGroupMembers,
  restoreUserFields,
  suspendUsersInBulk,
} from '../directory/index.ts';
import { type InsightEventInput, recordMany } from '../insights/index.ts';
import { links } from '../integrations/index.ts';
import type { ImportContext } from './context.ts';
import { FIELD_COLUMNS, type UpdatableField } from './diff.ts';
import { endOnError, finishRun, type RunContext, type RunOpts, stopChecker, throwIfStopped } from './run-lifecycle.ts';
import { type ImportRun, optionsOf } from './runs.model.ts';
import * as repo from './runs.repository.ts';
import { findCreatedUsers, findGroupJoins } from './undo.repository.ts';

const REASONS = {
  gone: 'the user no longer exists',
  changed_since_import: 'the user has changed since the import: left alone',
  provisioned: 'the user is linked to another application, in a group bound to one, or provisioned: left alone',
  link_changed: 'the link is no longer the one the import made',
} as const;
type SkipCode = keyof typeof REASONS;

type Outcome = repo.ResultRow['outcome'];

interface Batch {
  trx: Tx;
  ctx: RunContext;
  dir: DirectoryContext;
  meta: BulkChangeMeta;
  /** false: a dry run. */
  write: boolean;
  /** The undone run, and the group it put its users in (options.groupId). */
  undone: { id: string; groupId?: string };
  /** Of the batch's users, those the undone run put in its group. */
  joined: Set<string>;
}

/** The undo's result for one result of the undone run (same remote id and seq). */
function resultOf(b: Batch, r: repo.ResultRow, outcome: Outcome, more: { code?: SkipCode; detail?: object } = {}): repo.ResultRow {
  return {
    run_id: b.ctx.run.id,
    remote_id: r.remote_id,
    seq: r.seq,
    user_name: r.user_name,
    email: r.email,
    outcome,
    reason: more.code ? REASONS[more.code] : null,
    user_id: r.user_id,
    detail: more.detail ? JSON.stringify(more.detail) : null,
    code: more.code ?? null,
  };
}

const unlinkEvent = (b: Batch, userId: string, username: string, remoteId: string): InsightEventInput => ({
  eventType: 'user_unlink',
  service: 'import',
  actor: b.meta.actor,
  resource: { type: 'user', id: userId, username },
  application: b.meta.application,
  importRunId: b.meta.importRunId,
  changes: { remoteId },
  timestamp: b.meta.now,
});

/** Users the run created: deleted or suspended, or skipped with the reason. */
async function undoCreated(b: Batch, rows: repo.ResultRow[], mode: 'delete' | 'suspend'): Promise<repo.ResultRow[]> {
  if (rows.length === 0) return [];
  const { run, app } = b.ctx;
  const ids = rows.map((r) => r.user_id).filter((id): id is string => !!id);
  const find = (some: string[], groupId?: string) => findCreatedUsers(b.trx, run.organization_id, app.id, some, groupId);
  const found = [
    ...(await find(ids.filter((id) => !b.joined.has(id)))),
    // The membership the run gave them is not theirs: it is (or is about to be) taken back.
    ...(await find(
      ids.filter((id) => b.joined.has(id)),
      b.undone.groupId,
    )),
  ];
  const states = new Map(found.map((s) => [s.id, s]));
  const out: repo.ResultRow[] = [];
  const removed = [];
  for (const r of rows) {
    const s = r.user_id ? states.get(r.user_id) : undefined;
    const skip: SkipCode | undefined = !s ? 'gone' : s.changed ? 'changed_since_import' : s.provisioned ? 'provisioned' : undefined;
    if (skip) out.push(resultOf(b, r, 'skipped', { code: skip }));
    else {
      out.push(resultOf(b, r, mode === 'delete' ? 'deleted' : 'suspended'));
      removed.push({ ...s!, remoteId: r.remote_id });
    }
  }
  if (!b.write || removed.length === 0) return out;
  // The link first: provisioning, told about each change, must not take the user as still in this application.
  await links.deleteLinksOfUsers(
    b.trx,
    app.id,
    removed.map((u) => u.id),
  );
  if (mode === 'delete') await deleteUsersInBulk(b.dir, removed, b.meta);
  else {
    await suspendUsersInBulk(b.dir, removed, b.meta);
    await recordMany(
      b.dir,
      removed.map((u) => unlinkEvent(b, u.id, u.username, u.remoteId)),
    );
  }
  return out;
}

/** Removes the links among these (remote id, user) pairs that still link them; answers the remote ids unlinked. */
async function unlinkPairs(b: Batch, pairs: repo.ResultRow[]): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const appId = b.ctx.app.id;
  const found = new Map(
    (
      await links.findLinksByRemoteIds(
        b.trx,
        appId,
        pairs.map((p) => p.remote_id),
      )
    ).map((l) => [l.remote_id, l.user_id]),
  );
  const still = pairs.filter((p) => p.user_id && found.get(p.remote_id) === p.user_id);
  if (b.write && still.length) {
    await links.deleteLinksByRemoteIds(
      b.trx,
      appId,
      still.map((p) => p.remote_id),
    );
    await recordMany(
      b.dir,
      still.map((p) => unlinkEvent(b, p.user_id!, p.user_name, p.remote_id)),
    );
  }
  return new Set(still.map((p) => p.remote_id));
}

interface UpdatedDetail {
  changes?: { field: UpdatableField; before: unknown; after: unknown }[];
  linked?: boolean;
}

const restoresOf = (detail: UpdatedDetail): FieldRestore[] =>
  (detail.changes ?? [])
    .filter((c) => c.field in FIELD_COLUMNS)
    .map((c) => ({ field: c.field, column: FIELD_COLUMNS[c.field], before: c.before, after: c.after }));

/** Users the run updated: the fields that still hold the imported values set back, and the link the update made removed. */
async function undoUpdated(b: Batch, rows: repo.ResultRow[]): Promise<repo.ResultRow[]> {
  if (rows.length === 0) return [];
  const details = rows.map((r) => JSON.parse(r.detail ?? '{}') as UpdatedDetail);
  const items = rows.map((r, i) => ({ userId: r.user_id ?? '', changes: restoresOf(details[i]) }));
  const outcomes = await restoreUserFields(b.dir, items, b.meta, b.write);
  const unlinked = await unlinkPairs(
    b,
    rows.filter((_, i) => details[i].linked === true),
  );
  return rows.map((r, i) => {
    const o = outcomes[i];
    if (!o.found) return resultOf(b, r, 'skipped', { code: 'gone' });
    const detail = {
      // What was set back: from the value the run set (before the undo) to the one it replaced.
      changes: o.restored.map((c) => ({ field: c.field, before: c.after, after: c.before })),
      ...(o.left.length
        ? { left: o.left.map((c) => ({ field: c.field, code: c.why === 'taken' ? 'email_taken' : 'changed_since_import' })) }
        : {}),
    };
    if (o.restored.length) return resultOf(b, r, 'reverted', { detail });
    if (unlinked.has(r.remote_id)) return resultOf(b, r, 'unlinked', { detail });
    return resultOf(b, r, 'skipped', { code: 'changed_since_import', detail });
  });
}

/** Users the run linked: their link removed where it still is the one the run made. */
async function undoLinked(b: Batch, rows: repo.ResultRow[]): Promise<repo.ResultRow[]> {
  const unlinked = await unlinkPairs(b, rows);
  return rows.map((r) => (unlinked.has(r.remote_id) ? resultOf(b, r, 'unlinked') : resultOf(b, r, 'skipped', { code: 'link_changed' })));
}

/**
 * The memberships of the undone run's group that it added and that are still there, removed through
 * the directory; answers the users taken out (a dry run: who would be).
 */
async function leaveGroup(b: Batch): Promise<Set<string>> {
  const { groupId } = b.undone;
  if (!groupId || b.joined.size === 0) return new Set();
  const still = await groupMembersAmong(b.dir, b.ctx.run.organization_id, groupId, [...b.joined]);
  if (!b.write || still.length === 0) return new Set(still);
  return new Set(await removeGroupMembers(b.dir, b.meta.actor, groupId, still));
}

/** The result says that its user was taken out of the undone run's group. */
const leftGroup = (r: repo.ResultRow): repo.ResultRow => ({
  ...r,
  detail: JSON.stringify({ ...(r.detail ? (JSON.parse(r.detail) as object) : {}), leftGroup: true }),
});

type Undone = Batch['undone'];

/** One batch of the undone run's results, undone in one transaction with the undo's results and counters. */
async function undoBatch(deps: ImportContext, ctx: RunContext, undone: Undone, batch: repo.ResultRow[], mode: 'delete' | 'suspend') {
  await inTransaction(deps.db, async (trx) => {
    const now = deps.clock.now().toISOString();
    const ids = batch.map((r) => r.user_id).filter((id): id is string => !!id);
    const b: Batch = {
      trx,
      ctx,
      dir: { db: trx, clock: deps.clock, changes: deps.changes },
      meta: { actor: ctx.actor, application: ctx.app, importRunId: ctx.run.id, now },
      write: ctx.run.dry_run !== 1,
      undone,
      joined: undone.groupId ? await findGroupJoins(trx, undone.id, ids) : new Set(),
    };
    const left = await leaveGroup(b);
    const of = (outcome: Outcome) => batch.filter((r) => r.outcome === outcome);
    const results = [
      ...(await undoCreated(b, of('created'), mode)),
      ...(await undoUpdated(b, of('updated'))),
      ...(await undoLinked(b, of('linked'))),
    ].map((r) => (r.user_id && left.has(r.user_id) ? leftGroup(r) : r));
    await repo.insertResults(trx, results);
    const skipped = results.filter((r) => r.outcome === 'skipped').length;
    const failed = results.filter((r) => r.outcome === 'failed').length;
    await repo.addRunCounts(
      trx,
      ctx.run.id,
      { processed: batch.length, reverted: results.length - skipped - failed, skipped, failed },
      now,
    );
  });
}

/** The seq after which a resumed undo goes on: past the first `done` results of the undone run. */
async function resumeAfter(deps: ImportContext, originalId: string, done: number): Promise<number> {
  let after = -1;
  for (let left = done; left > 0;) {
    const rows = await repo.listResults(deps.db, originalId, after, Math.min(left, 5000));
    if (rows.length === 0) break;
    after = rows[rows.length - 1].seq;
    left -= rows.length;
  }
  return after;
}

export async function executeUndoRun(deps: ImportContext, ctx: RunContext, opts: RunOpts): Promise<ImportRun> {
  const { run } = ctx;
  // An undo reads no application: only deactivation (or a shutdown) stops it.
  const { stopOf } = stopChecker(deps, run, opts, () => undefined);
  try {
    const original = run.undo_of_run_id ? await repo.findRun(deps.db, run.organization_id, run.undo_of_run_id) : undefined;
    if (!original) return await finishRun(deps, ctx, 'failed', 'The run to undo no longer exists');
    const mode = optionsOf(run).undo?.users ?? 'delete';
    const undone = { id: original.id, groupId: optionsOf(original).groupId };
    let processed = run.processed;
    let after = await resumeAfter(deps, original.id, processed);
    for (;;) {
      throwIfStopped(await stopOf());
      const batch = await repo.listResults(deps.db, original.id, after, deps.config.importBatchSize);
      if (batch.length === 0) break;
      await undoBatch(deps, ctx, undone, batch, mode);
      after = batch[batch.length - 1].seq;
      processed += batch.length;
      opts.onProgress?.({ processed, total: Math.max(run.total, processed) });
    }
    return await finishRun(deps, ctx, 'completed', null);
  } catch (err) {
    return endOnError(deps, ctx, err, stopOf);
  }
}
