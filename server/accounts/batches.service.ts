// Bulk activation emails, for a selection of users or for every user matching a filter (e.g. password
// PENDING). Small batches run within the request; large ones as a job. Users are taken in id order in
// chunks, and each chunk (links, emails, Insights events and the batch's counts and cursor) commits
// together, so a job that dies and runs again goes on where it stopped and emails nobody twice.
import { inTransaction, type Tx } from '../db/database.ts';
import type { DbContext } from '../db/context.ts';
import { onDb } from '../db/context.ts';
import {
  countUsersByPasswordStatus,
  listUsersByPasswordStatus,
  listUsersInIdOrder,
  type PasswordStatusFilter,
  type UserRecord,
} from '../directory/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { Actor } from '../shared/actor.ts';
import { likeContains } from '../shared/cursor.ts';
import { AppError, badRequest, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import * as repo from './accounts.repository.ts';
import {
  type ActivationContext,
  issueActivation,
  mapLiveLinkRace,
  recentSendsByUser,
  refusalFor,
  type SkipReason,
} from './activation.service.ts';

/** Fewer users than this are emailed within the request. */
const BULK_SYNC_LIMIT = 100;
export const BULK_MAX_IDS = 10_000;
export const ACTIVATION_BATCH_JOB = 'accounts.activation-emails';
export const BATCH_MAX_ATTEMPTS = 5;
const CHUNK = 100;
/** The skipped users kept for the answer; the count stays exact beyond this. */
const SKIPPED_KEPT = 1000;

export interface BulkFilter {
  passwordStatus: 'PENDING' | 'EXPIRED';
  state?: 'STAGED' | 'ACTIVE' | 'SUSPENDED';
  q?: string;
}

export type BulkInput = { ids: string[]; filter?: undefined } | { filter: BulkFilter; ids?: undefined };

export interface SkippedUser {
  id: string;
  reason: SkipReason;
  message: string;
}

export interface ActivationBatch {
  id: string;
  status: repo.BatchRow['status'];
  total: number;
  queued: number;
  skippedCount: number;
  skipped: SkippedUser[];
  initiatedBy: { type: string; id: string | null; email?: string };
  createdAt: string;
  finishedAt: string | null;
  error?: string;
}

function toBatch(r: repo.BatchRow): ActivationBatch {
  const b: ActivationBatch = {
    id: r.id,
    status: r.status,
    total: r.total,
    queued: r.queued,
    skippedCount: r.skipped,
    skipped: JSON.parse(r.skipped_items) as SkippedUser[],
    initiatedBy: { type: r.initiated_by_type, id: r.initiated_by_id },
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
  if (r.initiated_by_email) b.initiatedBy.email = r.initiated_by_email;
  if (r.error) b.error = r.error;
  return b;
}

export interface BulkContext extends ActivationContext {
  queue: JobQueue;
}

const filterOf = (organizationId: string, f: BulkFilter): PasswordStatusFilter => ({
  organizationId,
  passwordStatus: f.passwordStatus,
  state: f.state,
  searchPattern: f.q?.trim() ? likeContains(f.q.trim().toLowerCase()) : undefined,
});

/** Creates the batch; runs it now when it is small ({batch, inline: true}), else queues its job. */
export async function createActivationBatch(
  ctx: BulkContext,
  actor: Actor,
  input: BulkInput,
): Promise<{ batch: ActivationBatch; inline: boolean }> {
  const { db } = ctx;
  const now = ctx.clock.now().toISOString();
  let total: number;
  let selection: string;
  if (input.ids) {
    const ids = [...new Set(input.ids)].sort();
    if (ids.length === 0)
      throw badRequest('EMPTY_SELECTION', 'Select at least one user', [{ path: 'body.ids', message: 'must not be empty' }]);
    if (ids.length > BULK_MAX_IDS) {
      throw badRequest('SELECTION_TOO_LARGE', `At most ${BULK_MAX_IDS} users can be selected; use a filter for more`, [
        { path: 'body.ids', message: `at most ${BULK_MAX_IDS}` },
      ]);
    }
    total = ids.length;
    selection = JSON.stringify(ids);
  } else {
    total = await countUsersByPasswordStatus(db, filterOf(actor.organizationId, input.filter));
    selection = JSON.stringify(input.filter);
  }
  const inline = total < BULK_SYNC_LIMIT;
  const row: repo.BatchRow = {
    id: newId(),
    organization_id: actor.organizationId,
    status: inline ? 'running' : 'queued',
    mode: input.ids ? 'ids' : 'filter',
    selection,
    total,
    queued: 0,
    skipped: 0,
    skipped_items: '[]',
    cursor: null,
    initiated_by_type: actor.type,
    initiated_by_id: actor.id,
    initiated_by_email: actor.email ?? null,
    client_ip: actor.clientIp ?? null,
    error: null,
    created_at: now,
    started_at: inline ? now : null,
    finished_at: null,
    updated_at: now,
  };
  await inTransaction(db, async (trx) => {
    await repo.insertBatch(trx, row);
    if (!inline)
      await ctx.queue.enqueue(
        trx,
        ACTIVATION_BATCH_JOB,
        { batchId: row.id },
        { maxAttempts: BATCH_MAX_ATTEMPTS, backoffMs: 5_000, organizationId: row.organization_id },
      );
  });
  if (!inline) return { batch: toBatch(row), inline };
  return { batch: await runActivationBatch(ctx, row.id), inline };
}

export async function getActivationBatch({ db }: Pick<DbContext, 'db'>, organizationId: string, id: string): Promise<ActivationBatch> {
  const row = await repo.findBatch(db, organizationId, id);
  if (!row) throw notFound('Activation email batch', id);
  return toBatch(row);
}

const actorOfBatch = (b: repo.BatchRow): Actor => ({
  type: b.initiated_by_type as Actor['type'],
  id: b.initiated_by_id,
  email: b.initiated_by_email,
  organizationId: b.organization_id,
  clientIp: b.client_ip,
});

/** The next users after the cursor, with the selected ids that no longer exist. */
async function nextChunk(trx: Tx, b: repo.BatchRow): Promise<{ users: UserRecord[]; missing: string[]; last: string | null }> {
  if (b.mode === 'ids') {
    const ids = (JSON.parse(b.selection) as string[]).filter((id) => b.cursor === null || id > b.cursor).slice(0, CHUNK);
    const users = await listUsersInIdOrder(trx, b.organization_id, ids);
    const found = new Set(users.map((u) => u.id));
    return { users, missing: ids.filter((id) => !found.has(id)), last: ids.at(-1) ?? null };
  }
  const users = await listUsersByPasswordStatus(trx, filterOf(b.organization_id, JSON.parse(b.selection) as BulkFilter), b.cursor, CHUNK);
  return { users, missing: [], last: users.at(-1)?.id ?? null };
}

/** Runs (or resumes) a batch to the end. Safe to run again: a finished batch is returned as it is. */
export async function runActivationBatch(ctx: ActivationContext, batchId: string, signal?: AbortSignal): Promise<ActivationBatch> {
  const { clock } = ctx;
  for (;;) {
    signal?.throwIfAborted();
    const done = await inTransaction(ctx.db, async (trx) => {
      const b = await repo.findBatchById(trx, batchId);
      if (!b) throw notFound('Activation email batch', batchId);
      if (b.status === 'completed' || b.status === 'failed') return toBatch(b);
      const now = clock.now();
      const { users, missing, last } = await nextChunk(trx, b);
      if (last === null) {
        await repo.updateBatch(trx, b.id, { status: 'completed', finished_at: now.toISOString(), updated_at: now.toISOString() });
        return toBatch({ ...b, status: 'completed', finished_at: now.toISOString() });
      }
      const actor = actorOfBatch(b);
      const skipped: SkippedUser[] = missing.map((id) => ({ id, reason: 'not_found', message: `User ${id} was not found` }));
      const sends = await recentSendsByUser(
        { db: trx },
        users.map((u) => u.id),
        now,
      );
      let queued = 0;
      for (const user of users) {
        const refusal = refusalFor(user, sends.get(user.id) ?? [], now);
        if (refusal) {
          skipped.push({ id: user.id, reason: refusal.reason, message: refusal.message });
          continue;
        }
        await issueActivation(onDb(ctx, trx), actor, user, b.id);
        queued++;
      }
      const kept = JSON.parse(b.skipped_items) as SkippedUser[];
      const skippedItems = JSON.stringify([...kept, ...skipped.sort((x, y) => (x.id < y.id ? -1 : 1))].slice(0, SKIPPED_KEPT));
      await repo.updateBatch(trx, b.id, {
        status: 'running',
        started_at: b.started_at ?? now.toISOString(),
        queued: b.queued + queued,
        skipped: b.skipped + skipped.length,
        skipped_items: skippedItems,
        cursor: last,
        updated_at: now.toISOString(),
      });
      return undefined;
    }).catch(mapLiveLinkRaceUnlessApp);
    if (done) return done;
  }
}

function mapLiveLinkRaceUnlessApp(err: unknown): never {
  if (err instanceof AppError) throw err;
  mapLiveLinkRace(err);
}

/** The job's last attempt failed: the batch says so, with what it did until then. */
export async function failActivationBatch({ db }: Pick<DbContext, 'db'>, batchId: string, error: string, now: string): Promise<void> {
  const b = await repo.findBatchById(db, batchId);
  if (!b || b.status === 'completed' || b.status === 'failed') return;
  await repo.updateBatch(db, batchId, { status: 'failed', error: error.slice(0, 1000), finished_at: now, updated_at: now });
}
