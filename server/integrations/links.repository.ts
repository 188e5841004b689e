// Links between directory users and their accounts in an application (by the application's SCIM id).
import type { Db } from '../db/database.ts';
import { insertRows } from '../db/insert-rows.ts';
import type { AppUserLinksTable } from '../db/schema.ts';

export type LinkRow = AppUserLinksTable;

export async function insertLinks(db: Db, rows: LinkRow[]): Promise<void> {
  await insertRows(db, 'app_user_links', rows);
}

/** Links of the given remote ids in one application. */
export async function findLinksByRemoteIds(
  db: Db,
  applicationId: string,
  remoteIds: string[],
): Promise<Pick<LinkRow, 'remote_id' | 'user_id'>[]> {
  const out: Pick<LinkRow, 'remote_id' | 'user_id'>[] = [];
  for (let i = 0; i < remoteIds.length; i += 500) {
    const chunk = remoteIds.slice(i, i + 500);
    out.push(
      ...(await db
        .selectFrom('app_user_links')
        .select(['remote_id', 'user_id'])
        .where('application_id', '=', applicationId)
        .where('remote_id', 'in', chunk)
        .execute()),
    );
  }
  return out;
}

export async function findLinkOfUser(db: Db, applicationId: string, userId: string): Promise<LinkRow | undefined> {
  return db
    .selectFrom('app_user_links')
    .selectAll()
    .where('application_id', '=', applicationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function deleteLink(db: Db, applicationId: string, userId: string): Promise<void> {
  await db.deleteFrom('app_user_links').where('application_id', '=', applicationId).where('user_id', '=', userId).execute();
}
