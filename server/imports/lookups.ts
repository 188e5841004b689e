// The directory lookups a batch of a users run decides with (classify.ts, batch-plan.ts): the database
// as it stands (DIRECTORY), or for a dry run the database as the real run's earlier batches would have
// left it (dry-run-state.ts).
import type { Db } from '../db/database.ts';
import { findUsersByEmployeeIdentifiers, findUsersByIds, findUsersByUsernameOrEmail, type UserRecord } from '../directory/index.ts';
import { links } from '../integrations/index.ts';

/** A directory user as the username and email lookups find him. */
export type UserKeys = Pick<UserRecord, 'id' | 'username_lower' | 'email_lower'>;

export interface DirectoryLookups {
  /** Users whose username or email equals (lower-cased) any of the values. */
  usersByUsernameOrEmail(db: Db, organizationId: string, lowerValues: string[]): Promise<UserKeys[]>;
  /** Users whose employee identifier is one of the values. */
  usersByEmployeeIdentifiers(db: Db, organizationId: string, values: string[]): Promise<Pick<UserRecord, 'id' | 'employee_identifier'>[]>;
  /** `forUpdate`: locked on PostgreSQL until the transaction ends (a read that decides a write). */
  usersByIds(db: Db, organizationId: string, ids: string[], opts?: { forUpdate?: boolean }): Promise<UserRecord[]>;
  /** The links of these users in the application. */
  linksOfUsers(db: Db, applicationId: string, userIds: string[]): Promise<Pick<links.LinkRow, 'user_id' | 'remote_id'>[]>;
}

export const DIRECTORY: DirectoryLookups = {
  usersByUsernameOrEmail: findUsersByUsernameOrEmail,
  usersByEmployeeIdentifiers: findUsersByEmployeeIdentifiers,
  usersByIds: findUsersByIds,
  linksOfUsers: links.findLinksOfUsers,
};
