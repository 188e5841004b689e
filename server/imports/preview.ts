// The preview's pages: searched, sorted and paged on Roster's side from the snapshot, whether it is
// read whole or still being read (then the page and the counts are of the users read so far, and the
// answer says how far the read has come). Each item says how it stands (snapshot-match.ts): for
// `exists` the rule that matched and the fields whose remote value differs, for `conflict` the
// directory users the rules found.
import { decodeCursor, keysetPage, likeContains } from '../shared/cursor.ts';
import { AppError } from '../shared/errors.ts';
import type { MatchRule } from './classify.ts';
import type { ImportContext } from './context.ts';
import { estimateImport } from './estimate.ts';
import type { PreviewItem, PreviewSnapshot } from './imports.schemas.ts';
import * as repo from './snapshot.repository.ts';
import { failedRead, namesOf, snapshotWithSettings } from './snapshot.service.ts';

export interface PreviewQuery {
  q?: string;
  status?: repo.SnapshotUserRow['status'];
  sort: keyof typeof repo.PREVIEW_SORT_COLUMNS;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string;
}

export type PreviewContext = Pick<ImportContext, 'db' | 'snapshots'>;

function toPreviewItem(r: repo.SnapshotUserRow): PreviewItem {
  const item: PreviewItem = {
    ...namesOf(r),
    attributes: JSON.parse(r.attributes),
    remoteActive: r.remote_active === 1,
    status: r.status,
    reasons: JSON.parse(r.reasons),
  };
  if (r.existing_user_id) item.existingUserId = r.existing_user_id;
  if (r.existing_user_id && r.match_by) item.match = { by: r.match_by as MatchRule, userId: r.existing_user_id };
  if (r.candidates) item.candidates = JSON.parse(r.candidates);
  if (r.changes) item.changes = JSON.parse(r.changes);
  return item;
}

/** A ready snapshot never changes: its counts per status are counted once. */
async function statusCountsOf(ctx: PreviewContext, snapshot: repo.SnapshotRow): Promise<Record<string, number>> {
  const known = ctx.snapshots.countsOf(snapshot.id);
  if (known) return known;
  const counts = await repo.countByStatus(ctx.db, snapshot.id);
  if (snapshot.status === 'ready') ctx.snapshots.keepCounts(snapshot.id, counts);
  return counts;
}

/** How far the read has come. While reading, `read` is what the counts counted (rows stored since the snapshot row was read count too). */
function snapshotOf(s: repo.SnapshotRow, counted: number): PreviewSnapshot {
  const read = s.status === 'ready' ? s.total : Math.max(s.total, counted);
  const out: PreviewSnapshot = {
    id: s.id,
    createdAt: s.created_at,
    expiresAt: s.expires_at,
    status: s.status === 'building' ? 'reading' : s.status,
    read,
    total: s.status === 'ready' ? s.total : Math.max(read, s.remote_total ?? 0),
  };
  if (s.status === 'failed' && s.error) out.error = s.error;
  return out;
}

function afterOf(query: PreviewQuery, snapshotId: string, sort: repo.PreviewSortColumn) {
  if (!query.cursor) return undefined;
  const [key, cursorSnapshot, value, remoteId] = decodeCursor(query.cursor, [
    'string',
    'string',
    sort === 'seq' ? 'number' : 'string',
    'string',
  ]);
  if (key !== `${query.sort}:${query.order}` || cursorSnapshot !== snapshotId) {
    throw new AppError(
      'INVALID_CURSOR',
      400,
      'cursor belongs to another sort order or an older snapshot: start again from the first page',
      [{ path: 'cursor', message: 'invalid cursor' }],
    );
  }
  return { value, remoteId: String(remoteId) };
}

export async function queryPreview(ctx: PreviewContext, snapshot: repo.SnapshotRow, query: PreviewQuery) {
  const { db } = ctx;
  const sort = repo.PREVIEW_SORT_COLUMNS[query.sort];
  const q = query.q?.trim().toLowerCase();
  const filter: repo.PreviewFilter = { snapshotId: snapshot.id, searchPattern: q ? likeContains(q) : undefined, status: query.status };
  const after = afterOf(query, snapshot.id, sort);
  const counts = await statusCountsOf(ctx, snapshot);
  const counted = Object.values(counts).reduce((a, b) => a + b, 0);
  const [rows, total] = await Promise.all([
    repo.listSnapshotUsers(db, filter, sort, query.order, after, query.limit + 1),
    // Only a search needs counting; without one the total comes from the counts per status.
    filter.searchPattern ? repo.countSnapshotUsers(db, filter) : query.status ? (counts[query.status] ?? 0) : counted,
  ]);
  return {
    ...keysetPage(rows, query.limit, toPreviewItem, (l) => [`${query.sort}:${query.order}`, snapshot.id, l[sort], l.remote_id]),
    total,
    counts: { new: counts.new ?? 0, exists: counts.exists ?? 0, conflict: counts.conflict ?? 0, invalid: counts.invalid ?? 0 },
    // While reading, duplicates within the list are not marked yet: they are once the read ends.
    complete: snapshot.status === 'ready',
    snapshot: snapshotOf(snapshot, counted),
  };
}

export interface PreviewRequest extends PreviewQuery {
  refresh?: boolean;
  /** The snapshot the caller is watching: when its read failed, the answer is that failure. */
  snapshotId?: string;
}

/** A page of the preview with the expected duration of importing all of it (the API's answer). */
export async function previewPage(deps: ImportContext, organizationId: string, applicationId: string, request: PreviewRequest) {
  const { refresh, snapshotId, ...query } = request;
  if (snapshotId && !refresh) {
    const watched = await repo.findSnapshot(deps.db, snapshotId);
    if (watched?.status === 'failed' && watched.application_id === applicationId && watched.organization_id === organizationId) {
      throw failedRead(watched);
    }
  }
  const { snapshot, settings } = await snapshotWithSettings(deps, organizationId, applicationId, { refresh });
  const page = await queryPreview(deps, snapshot, query);
  const { pageSize, rateLimitPerSecond } = settings;
  return { ...page, estimate: estimateImport({ users: page.snapshot.total, pageSize, rateLimitPerSecond, readsApplication: true }) };
}
