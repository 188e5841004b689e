// Frozen: never import application code here. Provisioning: what Roster pushed to each application
// (users, groups, memberships), what is still owed (hints, full reconciles), sync runs, the per-
// application lock and the guardrail pause.
import type { Kysely } from 'kysely';
import * as col from './columns.ts';
import { createIndex } from './support.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await syncStateAndUserTables(db);
  await groupAndSyncTables(db);
}

/** Per-application sync state, pending hints and the users Roster manages. */
async function syncStateAndUserTables(db: Kysely<any>): Promise<void> {
  // One row per application that has ever synced: the lock that makes its syncs run one at a time in
  // every process, a token for an owed full reconcile, the schedule, and the guardrail pause.
  await db.schema
    .createTable('provisioning_state')
    .$call(col.oneRowPerApplication)
    // pause: JSON {syncId, deprovisions, linked, percent, minimum}; null when not paused.
    .$call(col.optionalText('full_token', 'next_full_at', 'lock_owner', 'lock_until', 'pause', 'paused_at'))
    // Deprovisions an admin confirmed; the next sync may do at most this many past the guardrail.
    .$call(col.optionalInteger('confirmed_count'))
    // 'patch' or 'put', learnt when the server refuses one of them.
    .$call(col.optionalText('update_mode', 'last_sync_id'))
    .$call(col.requiredText('updated_at'))
    .execute();

  // Directory changes not yet pushed, written in the transaction of the change. A new token on every
  // change, so a sync deletes only the hints it read.
  await db.schema
    .createTable('provisioning_hints')
    .$call(col.applicationAndOrganization)
    .$call(col.requiredText('kind', 'item_id', 'token', 'created_at'))
    .addPrimaryKeyConstraint('provisioning_hints_pk', ['application_id', 'kind', 'item_id'])
    .execute();

  // Users Roster manages in an application. No foreign key to users: a deleted user's row is the
  // tombstone that lets the next sync deprovision his account (app_user_links goes with the user).
  await db.schema
    .createTable('provisioning_users')
    .$call(col.applicationAndOrganization)
    .$call(col.requiredText('user_id', 'user_name'))
    // pushed_attributes: JSON of the directory attributes last sent (or found equal): updates are decided without a GET.
    .$call(col.optionalText('remote_id', 'pushed_attributes'))
    .$call(col.optionalInteger('pushed_active'))
    .$call(col.requiredText('status'))
    .$call(col.optionalText('last_operation', 'last_error'))
    .$call(col.counters('attempts'))
    // claimed_*: a sync or a one-user sync working on the user holds him until then.
    .$call(col.optionalText('next_attempt_at', 'claimed_by', 'claimed_until', 'last_synced_at'))
    .$call(col.requiredText('updated_at'))
    .addPrimaryKeyConstraint('provisioning_users_pk', ['application_id', 'user_id'])
    .execute();
  await createIndex(db, 'provisioning_users_status_idx', 'provisioning_users', ['application_id', 'status', 'next_attempt_at']);
  await createIndex(db, 'provisioning_users_remote_idx', 'provisioning_users', ['application_id', 'remote_id']);
}

/** Pushed groups and their members, and the sync history. */
async function groupAndSyncTables(db: Kysely<any>): Promise<void> {
  // Groups pushed to an application (the link to the remote group) and the members Roster put there:
  // some servers never return members (P17), so deltas come from what we pushed.
  await db.schema
    .createTable('app_group_links')
    .$call(col.applicationAndOrganization)
    .$call(col.requiredText('group_id', 'group_name'))
    .$call(col.optionalText('remote_id', 'pushed_name'))
    .$call(col.requiredText('origin', 'status'))
    .$call(col.optionalText('last_operation', 'last_error'))
    .$call(col.counters('attempts'))
    .$call(col.createdAndUpdated)
    .addPrimaryKeyConstraint('app_group_links_pk', ['application_id', 'group_id'])
    .execute();

  await db.schema
    .createTable('app_group_link_members')
    .$call(col.application)
    .$call(col.requiredText('group_id', 'remote_user_id'))
    .addPrimaryKeyConstraint('app_group_link_members_pk', ['application_id', 'group_id', 'remote_user_id'])
    .execute();

  await db.schema
    .createTable('provisioning_syncs')
    .$call(col.idOrganizationAndApplication)
    .$call(col.requiredText('kind', 'trigger', 'status'))
    .$call(col.counters('processed'))
    // JSON of counts by outcome.
    .addColumn('counts', 'text', (c) => c.notNull().defaultTo('{}'))
    .$call(col.optionalText('error'))
    .$call(col.initiatedBy)
    .$call(col.runTimes)
    .execute();
  await createIndex(db, 'provisioning_syncs_app_idx', 'provisioning_syncs', ['application_id', 'created_at']);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'provisioning_syncs',
    'app_group_link_members',
    'app_group_links',
    'provisioning_users',
    'provisioning_hints',
    'provisioning_state',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
