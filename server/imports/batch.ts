// One batch of an import run in one transaction: the users, their links, their Insights events and
// their results commit together, and the run's counters with them (the checkpoint). No I/O but the
// database, so it also runs in the SQLite writer thread.
import type { Tx } from '../db/database.ts';
import {
  fieldUpdate,
  findUserIdsCreatedByRun,
  importedUserChanges,
  insertUsers,
  newUserRecord,
  type UpdatableColumn,
  type UserFieldUpdate,
  type UserRecord,
  updateUserFields,
} from '../directory/index.ts';
import { type InsightEventInput, recordMany } from '../insights/index.ts';
import { links } from '../integrations/index.ts';
import type { Actor } from '../shared/actor.ts';
import { type Answer, planBatch, type Step, userIdsOf, type Valid } from './batch-plan.ts';
import type { Candidate } from './candidate.ts';
import { type Classification, classifyCandidates, type MatchRule } from './classify.ts';
import { FIELD_COLUMNS, type FieldChange } from './diff.ts';
import type { DryRunState } from './dry-run-state.ts';
import { DIRECTORY } from './lookups.ts';
import { optionsOf, RunPaused, type RunOptions } from './runs.model.ts';
import * as repo from './runs.repository.ts';

/** What a batch needs to know about its run; plain data, so it can cross to a worker thread. */
export interface BatchContext {
  run: repo.RunRow;
  app: { id: string; name: string };
  actor: Actor;
  /** The application's match rules, read once when the run starts. */
  rules: MatchRule[];
  /** Scheduled runs not yet confirmed: the most users the run may create and update together. */
  guardrail?: { limit: number; directoryUsers: number; percent: number };
}

const linkRow = (ctx: BatchContext, userId: string, c: Candidate, now: string): links.LinkRow => ({
  organization_id: ctx.run.organization_id,
  application_id: ctx.run.application_id,
  user_id: userId,
  remote_id: c.remoteId,
  remote_user_name: c.userName,
  origin: 'import',
  created_at: now,
  updated_at: now,
});

/** An Insights event of the run about one user. */
const userEvent = (
  ctx: BatchContext,
  eventType: string,
  user: Pick<UserRecord, 'id' | 'username'>,
  changes: Record<string, unknown>,
  now: string,
): InsightEventInput => ({
  eventType,
  service: 'import',
  actor: ctx.actor,
  resource: { type: 'user', id: user.id, username: user.username },
  application: ctx.app,
  importRunId: ctx.run.id,
  changes,
  timestamp: now,
});

/** Everything a batch writes, gathered before the first write. */
class Writes {
  readonly users: UserRecord[] = [];
  readonly links: links.LinkRow[] = [];
  readonly updates: UserFieldUpdate[] = [];
  readonly events: InsightEventInput[] = [];
  readonly results: repo.ResultRow[] = [];
  readonly created: repo.ResultRow[] = [];
  readonly counts = { processed: 0, created: 0, linked: 0, updated: 0, skipped: 0, failed: 0 };
  readonly ctx: BatchContext;
  readonly dryRun: boolean;
  readonly now: string;
  #seq: number;
  constructor(ctx: BatchContext, firstSeq: number, now: string) {
    this.ctx = ctx;
    this.dryRun = ctx.run.dry_run === 1;
    this.#seq = firstSeq;
    this.now = now;
  }

  result(c: Candidate, outcome: repo.ResultRow['outcome'], o: { reason?: string; userId?: string; code?: string; detail?: unknown } = {}) {
    // A dry run's created users have no row of their own: their result is a plain row, without user.
    const row: repo.ResultRow = {
      run_id: this.ctx.run.id,
      remote_id: c.remoteId,
      seq: this.#seq++,
      user_name: c.userName || c.email,
      email: c.email,
      outcome,
      reason: o.reason ?? null,
      user_id: o.userId ?? null,
      detail: o.detail === undefined ? null : JSON.stringify(o.detail),
      code: o.code ?? null,
    };
    (outcome === 'created' && !this.dryRun ? this.created : this.results).push(row);
    this.counts.processed++;
    this.counts[outcome as keyof Writes['counts']]++;
  }

  create(c: Valid): void {
    if (this.dryRun) return this.result(c, 'created');
    const { run } = this.ctx;
    const user = newUserRecord(run.organization_id, { ...c.input, state: 'ACTIVE' }, this.now, {
      applicationId: run.application_id,
      importRunId: run.id,
    });
    this.users.push(user);
    this.links.push(linkRow(this.ctx, user.id, c, this.now));
    this.events.push(userEvent(this.ctx, 'user_create', user, importedUserChanges(user), this.now));
    this.result(c, 'created', { userId: user.id });
  }

  link(c: Valid, user: UserRecord): void {
    if (!this.dryRun) {
      this.links.push(linkRow(this.ctx, user.id, c, this.now));
      this.events.push(userEvent(this.ctx, 'user_link', user, { remoteId: c.remoteId, remoteUserName: c.userName }, this.now));
    }
  }

  update(c: Valid, user: UserRecord, changes: FieldChange[], link: boolean): void {
    if (link) this.link(c, user);
    if (!this.dryRun) {
      const mapped = newUserRecord(user.organization_id, { ...c.input, state: 'ACTIVE' }, this.now);
      const columns: Partial<Record<UpdatableColumn, string>> = {};
      for (const ch of changes) {
        const col = FIELD_COLUMNS[ch.field];
        columns[col] = mapped[col];
      }
      this.updates.push(fieldUpdate(user, columns, this.now));
      const diff = Object.fromEntries(changes.map((ch) => [ch.field, { from: ch.current, to: ch.remote }]));
      this.events.push(userEvent(this.ctx, 'user_update', user, diff, this.now));
    }
    const detail = {
      changes: changes.map((ch) => ({ field: ch.field, before: ch.current, after: ch.remote })),
      ...(link ? { linked: true } : {}),
    };
    this.result(c, 'updated', { userId: user.id, detail });
  }

  step(s: Step): void {
    if (s.do === 'create') return this.create(s.c);
    if (s.do === 'update') return this.update(s.c, s.user, s.changes, s.link);
    if (s.do === 'link') {
      this.link(s.c, s.user);
      return this.result(s.c, 'linked', { userId: s.user.id });
    }
    const a: Answer = s;
    this.result(a.c, a.outcome, { reason: a.reason, userId: a.userId, code: a.code });
  }

  async write(trx: Tx): Promise<void> {
    const { run } = this.ctx;
    await insertUsers(trx, this.users);
    await links.insertLinks(trx, this.links);
    await updateUserFields(trx, run.organization_id, this.updates);
    // The batch's moment stamps its events, like its users and results.
    await recordMany({ db: trx, clock: { now: () => new Date(this.now) } }, this.events);
    await repo.insertResults(trx, this.results);
    await repo.insertCreated(trx, run.id, this.created);
    await repo.addRunCounts(trx, run.id, this.counts, this.now);
  }
}

/**
 * Which of these users this run created, with the remote id that created each: the users whose
 * source_import_run_id is the run, through their link in the application. Both lookups are by key
 * (users by id, links by (user_id, application_id)), so no per-user result row, nor an index on
 * source_import_run_id, is needed to find them. (A user created by the run whom an admin deleted or
 * unlinked since is no longer found: if the run meets his remote id again, he is imported again.)
 */
async function creatorsInRun(
  trx: Tx,
  ctx: BatchContext,
  classes: Map<string, Classification>,
  dry: DryRunState | undefined,
): Promise<Map<string, string>> {
  const { run } = ctx;
  const out = new Map<string, string>();
  const ids = [...new Set([...classes.values()].flatMap(userIdsOf))];
  if (dry) return dry.creatorsOf(ids); // a dry run created no one: its stand-ins
  if (ids.length === 0) return out;
  const mine = await findUserIdsCreatedByRun(trx, run.id, ids);
  if (mine.length === 0) return out;
  for (const l of await links.findLinksOfUsers(trx, run.application_id, mine)) out.set(l.user_id, l.remote_id);
  return out;
}

/**
 * The candidates this run has not answered yet: other users have a result row (a dry run's created
 * users too); a created user is linked to the remote id that created him (a resumed run, or a list
 * that repeats a user). Excluded remote ids are left out before anything, with no result.
 */
async function unanswered(trx: Tx, ctx: BatchContext, options: RunOptions, candidates: Candidate[], dry: DryRunState | undefined) {
  const { run } = ctx;
  const excluded = new Set(options.exclude ?? []);
  const included = excluded.size ? candidates.filter((c) => !excluded.has(c.remoteId)) : candidates;
  const done = await repo.findResultRemoteIds(
    trx,
    run.id,
    included.map((c) => c.remoteId),
  );
  const fresh = included.filter((c) => c.remoteId && !done.has(c.remoteId));
  const classes = await classifyCandidates(trx, run.organization_id, run.application_id, ctx.rules, fresh, dry ?? DIRECTORY);
  const creators = await creatorsInRun(trx, ctx, classes, dry);
  const todo = fresh.filter((c) => {
    const cls = classes.get(c.remoteId);
    return !cls || !userIdsOf(cls).some((id) => creators.get(id) === c.remoteId);
  });
  return { todo, classes, creators };
}

/**
 * The guardrail of a scheduled run: before anything of the batch is written, the users the run has
 * created and updated so far plus this batch's must stay within the limit, else the run pauses.
 */
async function checkGuardrail(trx: Tx, ctx: BatchContext, steps: Step[]): Promise<void> {
  const g = ctx.guardrail;
  if (!g) return;
  const would = steps.filter((s) => s.do === 'create' || s.do === 'update').length;
  if (would === 0) return;
  const row = await repo.findRun(trx, null, ctx.run.id);
  const n = (row?.created ?? 0) + (row?.updated ?? 0) + would;
  if (n <= g.limit) return;
  const share = Math.round((n * 1000) / Math.max(g.directoryUsers, 1)) / 10;
  throw new RunPaused(`would change ${n} of ${g.directoryUsers} directory users (${share}%), over the guardrail of ${g.percent}%`);
}

/** What a committed batch tells the run: how many remote users it answered, and which directory users it updated. */
export interface BatchOutcome {
  processed: number;
  /** Their other applications must hear of it (run-execution.ts tells provisioning once the batch has committed). */
  updated: string[];
}

/**
 * One batch in one transaction. A dry run's batches decide against `dry` (dry-run-state.ts: what its
 * earlier batches would have written), which the writer keeps from batch to batch: it is loaded from
 * the run's results before the writer's first batch and takes each batch's results once written. (A
 * batch that fails ends the run's attempt, and the writer and its state with it.)
 */
export async function processBatch(
  trx: Tx,
  ctx: BatchContext,
  candidates: Candidate[],
  firstSeq: number,
  now: string,
  dry?: DryRunState,
): Promise<BatchOutcome> {
  const { run } = ctx;
  if (run.dry_run === 1 && !dry) throw new Error("a dry run's batches need its state (dryRunStateOf)");
  await dry?.load(trx);
  const options = optionsOf(run);
  const { todo, classes, creators } = await unanswered(trx, ctx, options, candidates, dry);
  if (todo.length === 0) return { processed: 0, updated: [] };
  const resolve = new Map((options.resolve ?? []).map((r) => [r.remoteId, r.userId]));
  const steps = await planBatch(trx, run, options, todo, { classes, creators, names: new Map(), resolve, dir: dry ?? DIRECTORY });
  await checkGuardrail(trx, ctx, steps);
  const writes = new Writes(ctx, firstSeq, now);
  for (const s of steps) writes.step(s);
  await writes.write(trx);
  dry?.absorb(writes.results);
  return { processed: writes.counts.processed, updated: writes.updates.map((u) => u.id) };
}
