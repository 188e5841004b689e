// The import preview reads the application's users once over SCIM into a snapshot kept for a short
// time, then searches, sorts and pages on Roster's side.
import { analyzeTables } from '../db/database.ts';
import { connectionKey, describeFailure, loadScimConfig } from '../integrations/index.ts';
import { type ScimClient, ScimClientError, type ScimUser } from '../scim/index.ts';
import { decodeCursor, likeContains, keysetPage } from '../shared/cursor.ts';
import { AppError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { Batcher } from './batcher.ts';
import { type Candidate, type RemoteNames, toCandidate, validate } from './candidate.ts';
import { findExisting } from './classify.ts';
import type { ImportContext } from './context.ts';
import type { PreviewItem } from './imports.schemas.ts';
import * as repo from './snapshot.repository.ts';

const SNAPSHOT_TTL_MS = 10 * 60_000;
const BUILD_WAIT_MS = 5 * 60_000;

/** Who a stored row is: remote id, userName, email and names. */
const namesOf = (r: repo.SnapshotUserRow): RemoteNames => ({
  remoteId: r.remote_id,
  userName: r.user_name,
  email: r.email,
  firstname: r.firstname,
  lastname: r.lastname,
  displayname: r.displayname,
});

function toPreviewItem(r: repo.SnapshotUserRow): PreviewItem {
  const item: PreviewItem = {
    ...namesOf(r),
    attributes: JSON.parse(r.attributes),
    remoteActive: r.remote_active === 1,
    status: r.status,
    reasons: JSON.parse(r.reasons),
  };
  if (r.existing_user_id) item.existingUserId = r.existing_user_id;
  return item;
}

/** The stored row back as a candidate, re-validated (rules may have changed since the snapshot). */
export function candidateOf(r: repo.SnapshotUserRow): Candidate {
  return validate({
    ...namesOf(r),
    remoteActive: r.remote_active === 1,
    attributes: JSON.parse(r.attributes),
    problems: [],
  });
}

function snapshotRow(
  snapshotId: string,
  seq: number,
  c: Candidate,
  existing: { userId: string; reason: string } | undefined,
): repo.SnapshotUserRow {
  const status = c.problems.length ? 'invalid' : existing ? 'exists' : 'new';
  const reasons = c.problems.length ? c.problems : existing ? [existing.reason] : [];
  return {
    snapshot_id: snapshotId,
    remote_id: c.remoteId,
    seq,
    user_name: c.userName,
    user_name_lower: c.userName.toLowerCase(),
    email: c.email,
    email_lower: c.email.toLowerCase(),
    firstname: c.firstname,
    lastname: c.lastname,
    displayname: c.displayname,
    remote_active: c.remoteActive ? 1 : 0,
    attributes: JSON.stringify(c.attributes),
    status,
    reasons: JSON.stringify(reasons),
    existing_user_id: existing?.userId ?? null,
    search_text: [c.userName, c.email, c.firstname, c.lastname, c.displayname].filter(Boolean).join(' ').toLowerCase(),
  };
}

/** Reads pages ahead while the caller processes the current one (fetching overlaps writing). */
export async function* readAhead<T>(pages: AsyncIterable<T>, depth = 2): AsyncGenerator<T> {
  const it = pages[Symbol.asyncIterator]();
  const queue: Promise<IteratorResult<T>>[] = [];
  const fill = () => {
    while (queue.length < depth) {
      const p = it.next();
      // A page fetched ahead may fail before it is awaited; it is awaited (and its error thrown) in turn.
      p.catch(() => {});
      queue.push(p);
    }
  };
  fill();
  try {
    for (;;) {
      const r = await queue.shift()!;
      if (r.done) return;
      fill();
      yield r.value;
    }
  } finally {
    // Settle what was requested ahead so no rejection is left unhandled.
    await Promise.allSettled(queue);
    await it.return?.();
  }
}

/** Turns SCIM and transport failures into one plain 502 for the API. */
export function scimFailure(err: unknown, step: string): AppError {
  if (err instanceof AppError) return err;
  const p = describeFailure(err, step);
  return new AppError('SCIM_REQUEST_FAILED', 502, p.message, [{ code: p.code }]);
}

/**
 * Aborts when no page has arrived for `ms` (the preview is interactive: an application that stops
 * answering must end it with a clear timeout, not hold it through every retry).
 */
function stallGuard(ms: number): { signal: AbortSignal; progress: () => void; dispose: () => void } {
  const controller = new AbortController();
  const expire = () =>
    controller.abort(
      new ScimClientError('TIMEOUT', `The application sent no page of users for ${Math.round(ms / 1000)} s, so the preview was stopped.`),
    );
  let timer = setTimeout(expire, ms);
  return {
    signal: controller.signal,
    progress: () => {
      clearTimeout(timer);
      timer = setTimeout(expire, ms);
    },
    dispose: () => clearTimeout(timer),
  };
}

async function build(
  deps: ImportContext,
  organizationId: string,
  applicationId: string,
  client: ScimClient,
  connection: string,
  deactivated: AbortSignal,
  stallMs: number,
): Promise<repo.SnapshotRow> {
  const { db } = deps;
  const now = deps.clock.now();
  const snapshot: repo.SnapshotRow = {
    id: newId(),
    organization_id: organizationId,
    application_id: applicationId,
    status: 'building',
    total: 0,
    error: null,
    connection_key: connection,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + SNAPSHOT_TTL_MS).toISOString(),
  };
  await repo.insertSnapshot(db, snapshot);
  let seq = 0;
  // Pages are written in batches, each in one transaction, as an import run writes them.
  const write = (candidates: Candidate[]) =>
    db.transaction().execute(async (trx) => {
      const existing = await findExisting(trx, organizationId, applicationId, candidates);
      await repo.insertSnapshotUsers(
        trx,
        candidates.map((c) => snapshotRow(snapshot.id, seq++, c, existing.get(c.remoteId))),
      );
    });
  const batcher = new Batcher<Candidate>(deps.config.importBatchSize);
  const stall = stallGuard(stallMs);
  const signal = AbortSignal.any([deactivated, stall.signal]);
  try {
    for await (const page of readAhead(client.listUsers({ signal }).pages())) {
      stall.progress();
      const batch = batcher.add((page as ScimUser[]).map(toCandidate));
      if (batch) await write(batch);
    }
    stall.dispose();
    const last = batcher.take();
    if (last) await write(last);
    await analyzeTables(deps.database, ['import_snapshot_users']).catch((err) =>
      deps.logger.warn({ err, applicationId }, 'could not refresh planner statistics'),
    );
    // The first occurrence of a username or email in the application's list can be imported; later ones cannot.
    const duplicates = await repo.findLaterDuplicates(db, snapshot.id);
    if (duplicates.length) {
      await db.transaction().execute(async (trx) => {
        for (const d of duplicates) {
          const [row] = await repo.findSnapshotUsers(trx, snapshot.id, [d.remote_id]);
          const reasons = new Set<string>(row.status === 'invalid' ? JSON.parse(row.reasons) : []);
          reasons.add(`duplicate ${d.field} within the application's list (same as remote user ${d.first_remote_id})`);
          await repo.updateSnapshotUser(trx, snapshot.id, d.remote_id, {
            status: 'invalid',
            reasons: JSON.stringify([...reasons]),
            existing_user_id: null,
          });
        }
      });
    }
    const done = { status: 'ready' as const, total: seq, expires_at: new Date(deps.clock.now().getTime() + SNAPSHOT_TTL_MS).toISOString() };
    await repo.updateSnapshot(db, snapshot.id, done);
    await repo.deleteOldSnapshots(db, applicationId, snapshot.id);
    return { ...snapshot, ...done };
  } catch (err) {
    stall.dispose();
    const failure = scimFailure(err, "listing the application's users");
    await repo.updateSnapshot(db, snapshot.id, { status: 'failed', error: failure.message });
    await repo.deleteOldSnapshots(db, applicationId, snapshot.id);
    throw failure;
  }
}

/**
 * A ready snapshot of the application's users: the current one, or a new one when expired, listed
 * through another connection than today's (the address or credentials changed), or `refresh`.
 */
export async function ensureSnapshot(
  deps: ImportContext,
  organizationId: string,
  applicationId: string,
  opts: { refresh?: boolean } = {},
): Promise<repo.SnapshotRow> {
  const { db } = deps;
  // Also the organization's check that the application is its own.
  const cfg = await loadScimConfig({ db, secretKey: deps.secretKey }, organizationId, applicationId);
  const inFlight = deps.snapshots.building.get(applicationId);
  if (inFlight) return inFlight;
  const connection = connectionKey(deps.secretKey, cfg.client);
  const latest = await repo.findLatestSnapshot(db, applicationId);
  const current = latest?.connection_key === connection;
  const now = deps.clock.now().toISOString();
  if (current && latest?.status === 'ready' && latest.expires_at > now && !opts.refresh) return latest;
  if (current && latest?.status === 'building' && Date.parse(latest.created_at) > deps.clock.now().getTime() - BUILD_WAIT_MS) {
    // Another process is reading the application: wait for it instead of reading twice.
    for (let waited = 0; waited < BUILD_WAIT_MS; waited += 250) {
      await new Promise((r) => setTimeout(r, 250));
      const s = await repo.findSnapshot(db, latest.id);
      if (s?.status === 'ready') return s;
      if (!s || s.status === 'failed') break;
    }
  }
  const client = deps.idm.client(applicationId, cfg.client, cfg.settings);
  // Two attempts' worth of silence ends the preview; retries of a server that never answers would take minutes.
  const p = build(
    deps,
    organizationId,
    applicationId,
    client,
    connection,
    deps.idm.signalFor(applicationId),
    cfg.settings.requestTimeoutMs * 2,
  ).finally(() => {
    deps.snapshots.building.delete(applicationId);
    void client.close();
  });
  deps.snapshots.building.set(applicationId, p);
  return p;
}

export interface PreviewQuery {
  q?: string;
  status?: 'new' | 'exists' | 'invalid';
  sort: keyof typeof repo.PREVIEW_SORT_COLUMNS;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string;
}

/** A ready snapshot never changes: its counts per status are counted once. */
async function statusCountsOf(ctx: PreviewContext, snapshot: repo.SnapshotRow): Promise<Record<string, number>> {
  const known = ctx.snapshots.countsOf(snapshot.id);
  if (known) return known;
  const counts = await repo.countByStatus(ctx.db, snapshot.id);
  if (snapshot.status === 'ready') ctx.snapshots.keepCounts(snapshot.id, counts);
  return counts;
}

export type PreviewContext = Pick<ImportContext, 'db' | 'snapshots'>;

export async function queryPreview(ctx: PreviewContext, snapshot: repo.SnapshotRow, query: PreviewQuery) {
  const { db } = ctx;
  const sort = repo.PREVIEW_SORT_COLUMNS[query.sort];
  const q = query.q?.trim().toLowerCase();
  const filter: repo.PreviewFilter = { snapshotId: snapshot.id, searchPattern: q ? likeContains(q) : undefined, status: query.status };
  let after: { value: string | number; remoteId: string } | undefined;
  if (query.cursor) {
    const [key, snapshotId, value, remoteId] = decodeCursor(query.cursor, [
      'string',
      'string',
      sort === 'seq' ? 'number' : 'string',
      'string',
    ]);
    if (key !== `${query.sort}:${query.order}` || snapshotId !== snapshot.id) {
      throw new AppError(
        'INVALID_CURSOR',
        400,
        'cursor belongs to another sort order or an older snapshot: start again from the first page',
        [{ path: 'cursor', message: 'invalid cursor' }],
      );
    }
    after = { value, remoteId: String(remoteId) };
  }
  const counts = await statusCountsOf(ctx, snapshot);
  const [rows, total] = await Promise.all([
    repo.listSnapshotUsers(db, filter, sort, query.order, after, query.limit + 1),
    // Only a search needs counting; without one the total comes from the counts per status.
    filter.searchPattern
      ? repo.countSnapshotUsers(db, filter)
      : query.status
        ? (counts[query.status] ?? 0)
        : Object.values(counts).reduce((a, b) => a + b, 0),
  ]);
  return {
    ...keysetPage(rows, query.limit, toPreviewItem, (l) => [`${query.sort}:${query.order}`, snapshot.id, l[sort], l.remote_id]),
    total,
    counts: { new: counts.new ?? 0, exists: counts.exists ?? 0, invalid: counts.invalid ?? 0 },
    snapshot: { id: snapshot.id, createdAt: snapshot.created_at, expiresAt: snapshot.expires_at, total: snapshot.total },
  };
}
