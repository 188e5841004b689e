// Frozen: never import application code here. The memberships a users run with `groupId` added to its
// group (issue 14): the users who were not members yet when the run put them in. Its undo takes back
// those memberships only (a user who was a member before the run stays), and, for the users it created,
// does not count that membership as provisioned somewhere. No foreign key to users: an undo deletes
// the users it reads here.
import type { Kysely } from 'kysely';
import * as col from './columns.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_run_group_joins')
    .$call(col.ownedBy('run_id', 'import_runs'))
    .$call(col.requiredText('user_id'))
    .addPrimaryKeyConstraint('import_run_group_joins_pk', ['run_id', 'user_id'])
    .execute();
}
