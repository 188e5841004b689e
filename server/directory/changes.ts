// What the directory tells the modules above it (provisioning) about a change, inside the change's
// transaction. The directory cannot import those modules; deps.ts passes the implementation in.
import type { Db } from '../db/database.ts';

export interface DirectoryChanges {
  /** A user's attributes or state changed, or he is about to be deleted (call before the delete). */
  userChanged(db: Db, organizationId: string, userId: string): Promise<void>;
  /** The same for many users at once (a bulk change, e.g. an import's updates): a few queries, not one per user. */
  usersChanged(db: Db, organizationId: string, userIds: string[]): Promise<void>;
  /** A user joined or left a group. */
  membershipChanged(db: Db, organizationId: string, groupId: string, userId: string): Promise<void>;
  /** Many users joined or left one group: what membershipChanged tells for each, the group's applications read once. */
  membershipsChanged(db: Db, organizationId: string, groupId: string, userIds: string[]): Promise<void>;
  groupChanged(db: Db, organizationId: string, groupId: string): Promise<void>;
  /** Call before the delete. */
  groupDeleted(db: Db, organizationId: string, groupId: string): Promise<void>;
}
