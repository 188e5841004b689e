// The user half of a sync: plan batch by batch, run the operations concurrently, hold deprovisions
// back when the guardrail says so, and hand back what never ran (for the deactivation events).
import { listUserIdsInScope } from '../applications/index.ts';
import { links } from '../integrations/index.ts';
import * as accounts from './accounts.repository.ts';
import { applyUserOp } from './apply-users.ts';
import type { SyncContext, SyncCounts, Unfinished } from './context.ts';
import { describe, isSystemic } from './errors.ts';
import { persistUserResult, unfinishedOf, type Persisted } from './persist.ts';
import { isDeprovision, planUser, type Candidate, type PlanOptions, type RemoteView, type UserOp } from './plan.ts';
import { batchesOf, drain, runPool } from './pool.ts';

const BATCH = 250;
const CLAIM_MS = 10 * 60_000;
/** This many application-side failures in a row (401, unreachable, 5xx...) stop the sync. */
const BREAKER_LIMIT = 5;

export interface UsersPhase {
  ctx: SyncContext;
  full: boolean;
  /** The application's users by remote id (full reconcile with a successful listing). */
  remote?: Map<string, RemoteView>;
  /** Users to look at in an incremental sync; `retry` ones are failures due again. */
  hinted: string[];
  retry: string[];
  owner: string;
  counts: SyncCounts;
  unfinished: Unfinished[];
  /** Stops the sync (all its operations) with a reason. */
  stop(reason: 'unreachable', message: string): void;
  onProcessed(): void;
  guardrail(deprovisions: number): Promise<'proceed' | 'hold'>;
}

export async function loadCandidates(ctx: Pick<SyncContext, 'db' | 'organizationId' | 'application'>, ids: string[]): Promise<Candidate[]> {
  const app = ctx.application.id;
  const [users, inScope, accountRows, linkRows] = await Promise.all([
    accounts.findDirectoryUsers(ctx.db, ctx.organizationId, ids),
    accounts.findUsersInScope(ctx.db, app, ids),
    accounts.findAccounts(ctx.db, app, ids),
    links.findLinksOfUsers(ctx.db, app, ids),
  ]);
  const byId = <T>(rows: T[], key: (r: T) => string) => new Map(rows.map((r) => [key(r), r]));
  const u = byId(users, (r) => r.id);
  const a = byId(accountRows, (r) => r.user_id);
  const l = byId(linkRows, (r) => r.user_id);
  return ids.map((userId) => ({ userId, user: u.get(userId), inScope: inScope.has(userId), account: a.get(userId), link: l.get(userId) }));
}

async function* idBatches(next: (afterId?: string) => Promise<string[]>): AsyncGenerator<string[]> {
  let after: string | undefined;
  for (;;) {
    const ids = await next(after);
    if (ids.length === 0) return;
    yield ids;
    after = ids[ids.length - 1];
  }
}

/** Account rows for new users, then a claim, so a one-user sync never works on the same user at once. */
async function claimForSync(ctx: SyncContext, owner: string, ops: UserOp[]): Promise<UserOp[]> {
  if (ctx.signal.aborted || ops.length === 0) return ops;
  const app = ctx.application.id;
  const now = ctx.clock.now();
  const iso = now.toISOString();
  await accounts.insertMissingAccounts(
    ctx.db,
    ops
      .filter((o) => !o.candidate.account)
      .map((o) =>
        accounts.pendingAccount(app, ctx.organizationId, o.candidate.userId, o.candidate.user?.username ?? o.candidate.userId, iso),
      ),
  );
  const held = await accounts.claimAccounts(
    ctx.db,
    app,
    ops.map((o) => o.candidate.userId),
    owner,
    iso,
    new Date(now.getTime() + CLAIM_MS).toISOString(),
  );
  return ops.filter((o) => held.has(o.candidate.userId));
}

function countOutcome(c: SyncCounts, persisted: Persisted): void {
  switch (persisted.outcome) {
    case 'created':
      c.created++;
      break;
    case 'linked':
      c.linked++;
      break;
    case 'updated':
      c.updated++;
      break;
    case 'deprovisioned':
      c.deprovisioned++;
      break;
    case 'deleted':
    case 'removed':
      c.deleted++;
      break;
    case 'failed':
      if (persisted.errorCode === 'ORPHANED_ACCOUNT') c.orphaned++;
      else c.failed++;
      break;
    default:
      break;
  }
}

export async function runUsersPhase(p: UsersPhase): Promise<void> {
  const { ctx } = p;
  const app = ctx.application.id;
  const deprovisions: UserOp[] = [];
  let failuresInARow = 0;

  const prepare = (ops: UserOp[]) => claimForSync(ctx, p.owner, ops);

  const execute = async (op: UserOp) => {
    const result = await applyUserOp(ctx, op);
    if (result.kind === 'aborted') {
      p.unfinished.push(unfinishedOf(op));
      return;
    }
    let persisted: Persisted;
    try {
      persisted = await persistUserResult(ctx, op, result);
    } catch (err) {
      ctx.logger.error({ err, applicationId: app, userId: op.candidate.userId }, 'could not record a provisioning result');
      persisted = await persistUserResult(ctx, op, { kind: 'failed', error: err }).catch((): Persisted => ({ outcome: 'failed' }));
    }
    countOutcome(p.counts, persisted);
    p.onProcessed();
    if (result.kind === 'failed' && isSystemic(result.error)) {
      if (++failuresInARow >= BREAKER_LIMIT)
        p.stop('unreachable', `The sync stopped after ${BREAKER_LIMIT} failures in a row: ${describe(result.error).message}`);
    } else if (result.kind !== 'failed') {
      failuresInARow = 0;
    }
  };

  // Twice the HTTP slots: while some operations write their results, others keep the slots busy.
  const limit = ctx.settings.concurrency * 2;
  const options = (retryOrphaned: boolean): PlanOptions => ({ deprovision: ctx.settings.deprovision, remote: p.remote, retryOrphaned });

  /** Plans a batch of users: present-side operations are returned to run now, deprovisions kept for later. */
  const planBatch = async (ids: string[], retryOrphaned: (id: string) => boolean): Promise<UserOp[]> => {
    const now: UserOp[] = [];
    for (const c of await loadCandidates(ctx, ids)) {
      const op = planUser(c, options(retryOrphaned(c.userId)));
      if (!op) continue;
      if (isDeprovision(op)) deprovisions.push(op);
      else now.push(op);
    }
    return prepare(now);
  };

  async function* presentSource(): AsyncGenerator<UserOp[]> {
    if (p.full) {
      const scope = idBatches((afterId) => listUserIdsInScope(ctx, ctx.organizationId, app, { limit: BATCH, afterId }));
      for await (const ids of scope) yield await planBatch(ids, () => false);
      const outOfScope = idBatches((afterId) => accounts.listAccountsOutOfScope(ctx.db, app, BATCH, afterId));
      for await (const ids of outOfScope) yield await planBatch(ids, () => false);
    } else {
      const hinted = new Set(p.hinted);
      const ids = [...new Set([...p.hinted, ...p.retry])];
      for await (const chunk of batchesOf(ids, BATCH)) yield await planBatch(chunk, (id) => hinted.has(id));
    }
  }

  const present = await runPool(presentSource(), limit, ctx.signal, execute, BATCH / 2);
  if (ctx.signal.aborted) {
    // Planning the rest reads the database only; it tells which operations were still to come.
    p.unfinished.push(...[...present.notStarted, ...(await drain(present.rest))].filter((o) => o.kind !== 'forget').map(unfinishedOf));
    p.unfinished.push(...deprovisions.map(unfinishedOf));
    return;
  }
  if (deprovisions.length === 0) return;
  if ((await p.guardrail(deprovisions.length)) === 'hold') {
    p.counts.held += deprovisions.length;
    return;
  }
  async function* claimed(): AsyncGenerator<UserOp[]> {
    for await (const batch of batchesOf(deprovisions, BATCH)) yield await prepare(batch);
  }
  const rest = await runPool(claimed(), limit, ctx.signal, execute, BATCH / 2);
  if (ctx.signal.aborted) p.unfinished.push(...[...rest.notStarted, ...(await drain(rest.rest))].map(unfinishedOf));
}
