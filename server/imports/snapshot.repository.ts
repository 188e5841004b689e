import { type ExpressionBuilder, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { countByColumn, findRow, inChunks, rowsWhere, rowsFiltered, updateRows, type SearchFilter } from '../db/queries.ts';
import { insertRows } from '../db/insert-rows.ts';
import type { DB, ImportSnapshotsTable, ImportSnapshotUsersTable } from '../db/schema.ts';
import { keysetAfter } from '../db/keyset.ts';

export type SnapshotRow = ImportSnapshotsTable;

/** How many users the application has, as far as is known: the rows stored, or its own count if larger. */
export const knownTotal = (s: Pick<SnapshotRow, 'total' | 'remote_total'>): number => Math.max(s.total, s.remote_total ?? 0);
export type SnapshotUserRow = ImportSnapshotUsersTable;

export async function insertSnapshot(db: Db, row: SnapshotRow): Promise<void> {
  await db.insertInto('import_snapshots').values(row).execute();
}

export async function updateSnapshot(db: Db, id: string, patch: Partial<SnapshotRow>): Promise<void> {
  await updateRows(db, 'import_snapshots', { id }, patch);
}

/** A snapshot's run is queued or running: it reads its selection from the snapshot. */
const usedByRun = (eb: ExpressionBuilder<DB, 'import_snapshots'>) =>
  eb.exists(
    eb
      .selectFrom('import_runs')
      .select('import_runs.id')
      .whereRef('import_runs.snapshot_id', '=', 'import_snapshots.id')
      .where('import_runs.status', 'in', ['queued', 'running']),
  );

/** The snapshot, unless an unfinished run uses it. */
export async function deleteUnusedSnapshot(db: Db, id: string): Promise<void> {
  await db
    .deleteFrom('import_snapshots')
    .where('id', '=', id)
    .where((eb) => eb.not(usedByRun(eb)))
    .execute();
}

export async function findSnapshot(db: Db, id: string): Promise<SnapshotRow | undefined> {
  return findRow(db, 'import_snapshots', { id });
}

export async function findLatestSnapshot(db: Db, applicationId: string): Promise<SnapshotRow | undefined> {
  return rowsWhere(db, 'import_snapshots', { application_id: applicationId })
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Snapshots of the application older than `keep`, not used by an unfinished run (a newer one is left:
 * another read took this one's place, e.g. under other match rules, and ends in its own time).
 */
export async function deleteOldSnapshots(db: Db, applicationId: string, keep: Pick<SnapshotRow, 'id' | 'created_at'>): Promise<void> {
  await db
    .deleteFrom('import_snapshots')
    .where('application_id', '=', applicationId)
    .where('id', '!=', keep.id)
    .where('created_at', '<=', keep.created_at)
    .where('status', '!=', 'building')
    .where((eb) => eb.not(usedByRun(eb)))
    .execute();
}

export async function insertSnapshotUsers(db: Db, rows: SnapshotUserRow[]): Promise<void> {
  await insertRows(db, 'import_snapshot_users', rows);
}

export async function findSnapshotUsers(db: Db, snapshotId: string, remoteIds: string[]): Promise<SnapshotUserRow[]> {
  return inChunks(remoteIds, 500, (chunk) =>
    rowsWhere(db, 'import_snapshot_users', { snapshot_id: snapshotId, remote_id: chunk }).selectAll().execute(),
  );
}

/**
 * Rows whose lower-cased user name or email appears earlier (lower seq) in the same snapshot, with
 * the first row that has it. One pass per column with a window over the rows sharing the value (a
 * self-join on "earlier" let SQLite walk every earlier row for each row: minutes at 20,000 users).
 */
export async function findLaterDuplicates(
  db: Db,
  snapshotId: string,
): Promise<{ remote_id: string; first_remote_id: string; field: 'username' | 'email' }[]> {
  const rows: { remote_id: string; first_remote_id: string; field: 'username' | 'email' }[] = [];
  for (const [col, field] of [
    ['user_name_lower', 'username'],
    ['email_lower', 'email'],
  ] as const) {
    const { rows: found } = await sql<{ remote_id: string; first_remote_id: string }>`
      select remote_id, first_remote_id from (
        select remote_id,
          first_value(remote_id) over (partition by ${sql.ref(col)} order by seq) as first_remote_id,
          row_number() over (partition by ${sql.ref(col)} order by seq) as n
        from import_snapshot_users
        where snapshot_id = ${snapshotId} and ${sql.ref(col)} != ''
      ) d
      where n > 1`.execute(db);
    for (const r of found) rows.push({ remote_id: r.remote_id, first_remote_id: r.first_remote_id, field });
  }
  return rows;
}

export async function updateSnapshotUser(db: Db, snapshotId: string, remoteId: string, patch: Partial<SnapshotUserRow>): Promise<void> {
  await updateRows(db, 'import_snapshot_users', { snapshot_id: snapshotId, remote_id: remoteId }, patch);
}

export const PREVIEW_SORT_COLUMNS = {
  userName: 'user_name_lower',
  email: 'email_lower',
  firstname: 'firstname',
  lastname: 'lastname',
  displayname: 'displayname',
  status: 'status',
  remoteOrder: 'seq',
} as const;
export type PreviewSortColumn = (typeof PREVIEW_SORT_COLUMNS)[keyof typeof PREVIEW_SORT_COLUMNS];

export interface PreviewFilter extends SearchFilter {
  snapshotId: string;
  status?: SnapshotUserRow['status'];
}

function filtered(db: Db, f: PreviewFilter) {
  return rowsFiltered(db, 'import_snapshot_users', { snapshot_id: f.snapshotId, status: f.status }, f.searchPattern);
}

export async function listSnapshotUsers(
  db: Db,
  f: PreviewFilter,
  sort: PreviewSortColumn,
  order: 'asc' | 'desc',
  after: { value: string | number; remoteId: string } | undefined,
  limit: number,
): Promise<SnapshotUserRow[]> {
  let q = filtered(db, f).selectAll();
  if (after) {
    const op = order === 'asc' ? '>' : '<';
    q = q.where(keysetAfter([sort, 'remote_id'], op, [after.value, after.remoteId]));
  }
  return q.orderBy(sort, order).orderBy('remote_id', order).limit(limit).execute();
}

export async function countSnapshotUsers(db: Db, f: PreviewFilter): Promise<number> {
  return Number(
    (
      await filtered(db, f)
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
}

export async function countByStatus(db: Db, snapshotId: string): Promise<Record<string, number>> {
  return Object.fromEntries(await countByColumn(db, 'import_snapshot_users', 'status', { snapshot_id: snapshotId }));
}

/** The application's latest snapshot whose read ended (a groups run asks it which remote users the application lists). */
export async function findLatestReadySnapshot(db: Db, applicationId: string): Promise<SnapshotRow | undefined> {
  return rowsWhere(db, 'import_snapshots', { application_id: applicationId, status: 'ready' })
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
