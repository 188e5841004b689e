// One batch of an import run in one transaction: the users, their links, their Insights events and
// their results commit together, and the run's counters with them (the checkpoint). No I/O but the
// database, so it also runs in the SQLite writer thread.
import type { Tx } from '../db/database.ts';
import { findUserIdsCreatedByRun, importedUserChanges, insertUsers, newUserRecord, type UserRecord } from '../directory/index.ts';
import { type InsightEventInput, recordMany } from '../insights/index.ts';
import { links } from '../integrations/index.ts';
import type { Actor } from '../shared/actor.ts';
import type { Candidate } from './candidate.ts';
import { type Existing, findExisting } from './classify.ts';
import * as repo from './runs.repository.ts';

/** What a batch needs to know about its run; plain data, so it can cross to a worker thread. */
export interface BatchContext {
  run: repo.RunRow;
  app: { id: string; name: string };
  actor: Actor;
}

const duplicate = (of: string) => `duplicate within the application's list (same username or email as remote user ${of})`;

type Verdict = { outcome: 'failed' | 'skipped'; reason: string; userId?: string };

/**
 * Why a candidate is not created (invalid, a duplicate, or already in the directory), or undefined to
 * create him; `inBatch` remembers the usernames and emails created in this batch.
 */
function verdictOf(
  c: Candidate,
  existing: { userId: string; reason: string } | undefined,
  firstOf: string | undefined,
  inBatch: Map<string, string>,
): Verdict | undefined {
  if (!c.input) return { outcome: 'failed', reason: c.problems.join('; ') };
  if (firstOf && firstOf !== c.remoteId) return { outcome: 'failed', reason: duplicate(firstOf) };
  if (existing) return { outcome: 'skipped', reason: existing.reason, userId: existing.userId };
  const keys = [c.input.username.toLowerCase(), c.input.email.toLowerCase()];
  const dup = keys.map((k) => inBatch.get(k)).find(Boolean);
  if (dup) return { outcome: 'failed', reason: duplicate(dup) };
  for (const k of keys) inBatch.set(k, c.remoteId);
  return undefined;
}

/** The new user, his link to the remote account, and his Insights event. */
function creation(ctx: BatchContext, c: Candidate & { input: NonNullable<Candidate['input']> }, now: string) {
  const { run, app, actor } = ctx;
  const user = newUserRecord(run.organization_id, { ...c.input, state: 'ACTIVE' }, now, {
    applicationId: run.application_id,
    importRunId: run.id,
  });
  const link: links.LinkRow = {
    organization_id: run.organization_id,
    application_id: run.application_id,
    user_id: user.id,
    remote_id: c.remoteId,
    remote_user_name: c.userName,
    origin: 'import',
    created_at: now,
    updated_at: now,
  };
  const event: InsightEventInput = {
    eventType: 'user_create',
    service: 'import',
    actor,
    resource: { type: 'user', id: user.id, username: user.username },
    application: app,
    importRunId: run.id,
    changes: importedUserChanges(user),
    timestamp: now,
  };
  return { user, link, event };
}

/**
 * Which of these users this run created, with the remote id that created each: the users whose
 * source_import_run_id is the run, through their link in the application. Both lookups are by key
 * (users by id, links by (user_id, application_id)), so no per-user result row, nor an index on
 * source_import_run_id, is needed to find them. (A user created by the run whom an admin deleted or
 * unlinked since is no longer found: if the run meets his remote id again, he is imported again.)
 */
async function creatorsInRun(trx: Tx, ctx: BatchContext, existing: Map<string, Existing>): Promise<Map<string, string>> {
  const { run } = ctx;
  const out = new Map<string, string>();
  const ids = [...new Set([...existing.values()].map((e) => e.userId))];
  if (ids.length === 0) return out;
  const mine = await findUserIdsCreatedByRun(trx, run.id, ids);
  if (mine.length === 0) return out;
  for (const l of await links.findLinksOfUsers(trx, run.application_id, mine)) out.set(l.user_id, l.remote_id);
  return out;
}

/**
 * The candidates this run has not answered yet: skipped and failed users have a result row; a created
 * user is linked to the remote id that created him (a resumed run, or a list that repeats a user).
 */
async function unanswered(trx: Tx, ctx: BatchContext, candidates: Candidate[]) {
  const { run } = ctx;
  const done = await repo.findResultRemoteIds(
    trx,
    run.id,
    candidates.map((c) => c.remoteId),
  );
  const fresh = candidates.filter((c) => c.remoteId && !done.has(c.remoteId));
  const existing = await findExisting(trx, run.organization_id, run.application_id, fresh);
  const creators = await creatorsInRun(trx, ctx, existing);
  const todo = fresh.filter((c) => {
    const ex = existing.get(c.remoteId);
    return !ex || creators.get(ex.userId) !== c.remoteId;
  });
  return { todo, existing, creators };
}

/** One batch in one transaction. Returns how many remote users it answered. */
export async function processBatch(trx: Tx, ctx: BatchContext, candidates: Candidate[], firstSeq: number, now: string): Promise<number> {
  const { run } = ctx;
  const { todo, existing, creators } = await unanswered(trx, ctx, candidates);
  if (todo.length === 0) return 0;
  const users: UserRecord[] = [];
  const linkRows: links.LinkRow[] = [];
  const events: InsightEventInput[] = [];
  const results: repo.ResultRow[] = [];
  const created: repo.ResultRow[] = [];
  const inBatch = new Map<string, string>();
  const counts = { processed: 0, created: 0, skipped: 0, failed: 0 };
  let seq = firstSeq;
  for (const c of todo) {
    const ex = existing.get(c.remoteId);
    const verdict = verdictOf(c, ex, ex && creators.get(ex.userId), inBatch);
    let outcome: repo.ResultRow['outcome'] = verdict?.outcome ?? 'created';
    let userId = verdict?.userId ?? null;
    if (!verdict && c.input) {
      const made = creation(ctx, { ...c, input: c.input }, now);
      users.push(made.user);
      linkRows.push(made.link);
      events.push(made.event);
      userId = made.user.id;
    }
    (outcome === 'created' ? created : results).push({
      run_id: run.id,
      remote_id: c.remoteId,
      seq: seq++,
      user_name: c.userName || c.email,
      email: c.email,
      outcome,
      reason: verdict?.reason ?? null,
      user_id: userId,
      detail: null,
      code: null,
    });
    counts.processed++;
    counts[outcome]++;
  }
  await insertUsers(trx, users);
  await links.insertLinks(trx, linkRows);
  // The batch's moment stamps its events, like its users and results.
  await recordMany({ db: trx, clock: { now: () => new Date(now) } }, events);
  await repo.insertResults(trx, results);
  await repo.insertCreated(trx, run.id, created);
  await repo.addRunCounts(trx, run.id, counts, now);
  return counts.processed;
}
