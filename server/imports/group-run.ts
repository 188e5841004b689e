// Executes a run of kind 'groups' (issue 14): reads the application's groups again (their members as
// they are now), then imports the selected ones (or all) one at a time, each in one transaction with
// its result row, the checkpoint a resumed run skips. A new group is created through the directory
// (group_create naming the application and the run) with the members Roster knows: the remote members
// linked to a Roster user in this application (imported or linked by this or an earlier run), added
// through the directory's membership service, so provisioning follows. The other members are reported
// as unplaced, saying whether the application's user list (its latest read preview) has them at all.
// A group named like a Roster group (any letter case) is skipped; an invalid one fails. A dry run only
// stores the results. Deactivation stops the run between groups.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from '../db/database.ts';
import { inTransaction } from '../db/database.ts';
import { addGroupMembers, createGroup, type DirectoryContext } from '../directory/index.ts';
import { links } from '../integrations/index.ts';
import { isScimClientError, isScimError } from '../scim/index.ts';
import { AppError } from '../shared/errors.ts';
import type { ImportContext } from './context.ts';
import type { ImportResult } from './imports.schemas.ts';
import { type ClassifiedGroup, classifyGroups, readGroupList } from './remote-groups.ts';
import { endOnError, finishRun, type RunContext, type RunOpts, type StopReason, stopChecker, throwIfStopped } from './run-lifecycle.ts';
import type { ImportRun } from './runs.model.ts';
import * as repo from './runs.repository.ts';
import { findLatestReadySnapshot, findSnapshotUsers } from './snapshot.repository.ts';
import { scimFailure } from './snapshot.service.ts';

export const UNPLACED = {
  notListed: "not in the application's user list",
  notLinked: 'not imported into Roster (no linked user)',
  group: 'a group, not a user (Roster groups do not nest)',
} as const;

type Members = NonNullable<ImportResult['members']>;

/** A group's result before it is numbered: the row's fields that depend on the group. */
interface GroupOutcome {
  outcome: 'created' | 'skipped' | 'failed';
  reason?: string;
  code?: string;
  groupId?: string;
  members?: Members;
}

/** The groups the run still has to answer, in the order of its selection (or the application's). */
async function groupsLeft(deps: ImportContext, run: repo.RunRow, classified: ClassifiedGroup[]) {
  const byId = new Map(classified.map((c) => [c.item.remoteId, c]));
  const ids = run.selection ? (JSON.parse(run.selection) as string[]) : classified.map((c) => c.item.remoteId);
  // All: the application may list more groups now than when the run was started.
  await repo.raiseRunTotal(deps.db, run.id, ids.length, deps.clock.now().toISOString());
  const answered = await repo.findResultRemoteIds(deps.db, run.id, ids);
  // A selected group the application no longer lists is answered by its id alone.
  const todo: Array<ClassifiedGroup | string> = ids.filter((id) => !answered.has(id)).map((id) => byId.get(id) ?? id);
  return { todo, total: Math.max(ids.length, run.total), done: answered.size };
}

/** Which remote members are Roster users (linked in this application), and why the others are not placed. */
async function placeMembers(
  db: Db,
  applicationId: string,
  c: ClassifiedGroup,
): Promise<{ userIds: string[]; unplaced: Members['unplaced'] }> {
  const users = c.group.members.filter((m) => m.type?.toLowerCase() !== 'group');
  const linked = new Map(
    (
      await links.findLinksByRemoteIds(
        db,
        applicationId,
        users.map((m) => m.value),
      )
    ).map((l) => [l.remote_id, l.user_id]),
  );
  const notLinked = users.filter((m) => !linked.has(m.value));
  const snapshot = notLinked.length ? await findLatestReadySnapshot(db, applicationId) : undefined;
  const listed = snapshot
    ? new Set(
        (
          await findSnapshotUsers(
            db,
            snapshot.id,
            notLinked.map((m) => m.value),
          )
        ).map((r) => r.remote_id),
      )
    : undefined;
  const unplaced = c.group.members
    .filter((m) => !linked.has(m.value))
    .map((m) => {
      const reason =
        m.type?.toLowerCase() === 'group' ? UNPLACED.group : listed && !listed.has(m.value) ? UNPLACED.notListed : UNPLACED.notLinked;
      return { remoteId: m.value, ...(m.display ? { display: m.display } : {}), reason };
    });
  return { userIds: [...new Set(linked.values())], unplaced };
}

/** Creates the group with its known members (a dry run only counts them). */
async function createWithMembers(deps: ImportContext, ctx: RunContext, trx: Db, c: ClassifiedGroup): Promise<GroupOutcome> {
  const { userIds, unplaced } = await placeMembers(trx, ctx.app.id, c);
  if (ctx.run.dry_run === 1) return { outcome: 'created', members: { added: userIds.length, unplaced } };
  const dir: DirectoryContext = { db: trx, clock: deps.clock, changes: deps.changes };
  const group = await createGroup(dir, ctx.actor, { name: c.name }, { application: ctx.app, importRunId: ctx.run.id });
  const added = await addGroupMembers(dir, ctx.actor, group.id, userIds);
  return { outcome: 'created', groupId: group.id, members: { added: added.length, unplaced } };
}

/** What the run does with one group (in the group's transaction). */
async function importGroup(deps: ImportContext, ctx: RunContext, trx: Db, c: ClassifiedGroup | string): Promise<GroupOutcome> {
  if (typeof c === 'string') return { outcome: 'failed', reason: "no longer in the application's group list", code: 'not_found' };
  if (c.item.status === 'invalid') return { outcome: 'failed', reason: c.item.reasons.join('; '), code: 'invalid' };
  if (c.item.status === 'exists') return { outcome: 'skipped', reason: c.item.reasons[0], code: 'exists', groupId: c.item.existingGroupId };
  return createWithMembers(deps, ctx, trx, c);
}

/** Stores one group's result and counts it, in the group's transaction. */
async function storeResult(deps: ImportContext, trx: Db, runId: string, seq: number, c: ClassifiedGroup | string, o: GroupOutcome) {
  await repo.insertResults(trx, [
    {
      run_id: runId,
      remote_id: typeof c === 'string' ? c : c.item.remoteId,
      seq,
      user_name: typeof c === 'string' ? '' : c.item.displayName,
      email: '',
      outcome: o.outcome,
      reason: o.reason ?? null,
      user_id: o.groupId ?? null,
      detail: o.members ? JSON.stringify({ members: o.members }) : null,
      code: o.code ?? null,
    },
  ]);
  const counts = { processed: 1, created: 0, skipped: 0, failed: 0, [o.outcome]: 1 };
  await repo.addRunCounts(trx, runId, counts, deps.clock.now().toISOString());
}

/** One group and its result in one transaction; a name taken meanwhile (a concurrent create) makes it skipped. */
async function answerGroup(deps: ImportContext, ctx: RunContext, seq: number, c: ClassifiedGroup | string): Promise<void> {
  try {
    await inTransaction(deps.db, async (trx) => storeResult(deps, trx, ctx.run.id, seq, c, await importGroup(deps, ctx, trx, c)));
  } catch (err) {
    if (!(err instanceof AppError && err.code === 'GROUP_NAME_TAKEN') || typeof c === 'string') throw err;
    const taken = { outcome: 'skipped' as const, reason: `a Roster group named '${c.name}' already exists`, code: 'exists' };
    await inTransaction(deps.db, (trx) => storeResult(deps, trx, ctx.run.id, seq, c, taken));
  }
}

/** The application failing ends the run saying it was reading its groups (unless the run was told to stop). */
async function endGroupRun(deps: ImportContext, ctx: RunContext, err: unknown, stopOf: () => Promise<StopReason>): Promise<ImportRun> {
  if ((isScimError(err) || isScimClientError(err)) && (await stopOf().catch(() => 'shutdown')) === undefined)
    return finishRun(deps, ctx, 'failed', scimFailure(err, "reading the application's groups").message);
  return endOnError(deps, ctx, err, stopOf);
}

export async function executeGroupRun(deps: ImportContext, ctx: RunContext, opts: RunOpts): Promise<ImportRun> {
  const { run } = ctx;
  let generation: number | undefined;
  const { signal, stopOf } = stopChecker(deps, run, opts, () => generation);
  try {
    const list = await readGroupList(deps, run.organization_id, run.application_id, {
      fresh: true,
      signal,
      loaded: (g) => (generation = g),
    });
    const { todo, total, done } = await groupsLeft(deps, run, await classifyGroups(deps, run.organization_id, list.groups));
    let seq = await repo.maxResultSeq(deps.db, run.id);
    let processed = done;
    for (const c of todo) {
      // On SQLite every query resolves at once: without a turn of the event loop between groups the
      // process would answer nothing else (not even the deactivation) until the run ends.
      await nextTurn();
      throwIfStopped(await stopOf());
      await answerGroup(deps, ctx, ++seq, c);
      opts.onProgress?.({ processed: ++processed, total });
    }
    return await finishRun(deps, ctx, 'completed', null);
  } catch (err) {
    return endGroupRun(deps, ctx, err, stopOf);
  }
}
