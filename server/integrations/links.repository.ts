// Links between directory users and their accounts in an application (by the application's SCIM id).
// The one repository of app_user_links: imports write links for imported users, provisioning for the
// accounts it creates or adopts; both come through here.
import type { Db } from '../db/database.ts';
import { deleteRows, findRow, inChunks } from '../db/queries.ts';
import { insertRows } from '../db/insert-rows.ts';
import type { AppUserLinksTable } from '../db/schema.ts';

export type LinkRow = AppUserLinksTable;

export async function insertLinks(db: Db, rows: LinkRow[]): Promise<void> {
  await insertRows(db, 'app_user_links', rows);
}

/** Links in one application whose column is one of the values, 500 values per query. */
async function findLinksIn(db: Db, applicationId: string, column: 'remote_id' | 'user_id', values: string[]): Promise<LinkRow[]> {
  return inChunks(values, 500, (chunk) =>
    db.selectFrom('app_user_links').selectAll().where('application_id', '=', applicationId).where(column, 'in', chunk).execute(),
  );
}

/** Links of the given remote ids in one application. */
export async function findLinksByRemoteIds(
  db: Db,
  applicationId: string,
  remoteIds: string[],
): Promise<Pick<LinkRow, 'remote_id' | 'user_id'>[]> {
  return findLinksIn(db, applicationId, 'remote_id', remoteIds);
}

/** Links of the given users in one application. */
export async function findLinksOfUsers(db: Db, applicationId: string, userIds: string[]): Promise<LinkRow[]> {
  return findLinksIn(db, applicationId, 'user_id', userIds);
}

export async function findLinkByRemoteId(db: Db, applicationId: string, remoteId: string): Promise<LinkRow | undefined> {
  return findRow(db, 'app_user_links', { application_id: applicationId, remote_id: remoteId });
}

export async function listLinkedRemoteIds(db: Db, applicationId: string): Promise<Array<{ remote_id: string }>> {
  return db.selectFrom('app_user_links').select('remote_id').where('application_id', '=', applicationId).execute();
}

export async function insertLink(db: Db, row: LinkRow): Promise<void> {
  await db.insertInto('app_user_links').values(row).execute();
}

export async function deleteLink(db: Db, applicationId: string, userId: string): Promise<void> {
  await deleteRows(db, 'app_user_links', { application_id: applicationId, user_id: userId });
}

export async function deleteLinkByRemoteId(db: Db, applicationId: string, remoteId: string): Promise<void> {
  await deleteRows(db, 'app_user_links', { application_id: applicationId, remote_id: remoteId });
}

/** Deletes the links of these users in one application, 500 users per statement. */
export async function deleteLinksOfUsers(db: Db, applicationId: string, userIds: string[]): Promise<void> {
  await inChunks(userIds, 500, async (chunk) => [
    await deleteRows(db, 'app_user_links', { application_id: applicationId, user_id: chunk }),
  ]);
}

/** Deletes the links of these remote ids in one application, 500 per statement. */
export async function deleteLinksByRemoteIds(db: Db, applicationId: string, remoteIds: string[]): Promise<void> {
  await inChunks(remoteIds, 500, async (chunk) => [
    await deleteRows(db, 'app_user_links', { application_id: applicationId, remote_id: chunk }),
  ]);
}
