// Frozen: never import application code here. Provisioning: what Roster pushed to each application
// (users, groups, memberships), what is still owed (hints, full reconciles), sync runs, the per-
// application lock and the guardrail pause.
import type { Kysely } from 'kysely';
import { application, createIndex, createdAndUpdated, idAndOrganization, initiatedBy, organization, runTimes } from './support.ts';

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
    .addColumn('application_id', 'text', (c) => c.primaryKey().references('applications.id').onDelete('cascade'))
    .$call(organization)
    .addColumn('full_token', 'text')
    .addColumn('next_full_at', 'text')
    .addColumn('lock_owner', 'text')
    .addColumn('lock_until', 'text')
    // JSON {syncId, deprovisions, linked, percent, minimum}; null when not paused.
    .addColumn('pause', 'text')
    .addColumn('paused_at', 'text')
    // Deprovisions an admin confirmed; the next sync may do at most this many past the guardrail.
    .addColumn('confirmed_count', 'integer')
    // 'patch' or 'put', learnt when the server refuses one of them.
    .addColumn('update_mode', 'text')
    .addColumn('last_sync_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // Directory changes not yet pushed, written in the transaction of the change. A new token on every
  // change, so a sync deletes only the hints it read.
  await db.schema
    .createTable('provisioning_hints')
    .$call(application)
    .$call(organization)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('provisioning_hints_pk', ['application_id', 'kind', 'item_id'])
    .execute();

  // Users Roster manages in an application. No foreign key to users: a deleted user's row is the
  // tombstone that lets the next sync deprovision his account (app_user_links goes with the user).
  await db.schema
    .createTable('provisioning_users')
    .$call(application)
    .$call(organization)
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('remote_id', 'text')
    // JSON of the directory attributes last sent (or found equal): updates are decided without a GET.
    .addColumn('pushed_attributes', 'text')
    .addColumn('pushed_active', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('last_operation', 'text')
    .addColumn('last_error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    // A sync or a one-user sync working on the user holds him until then.
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', 'text')
    .addColumn('last_synced_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
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
    .$call(application)
    .$call(organization)
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('remote_id', 'text')
    .addColumn('pushed_name', 'text')
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('last_operation', 'text')
    .addColumn('last_error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .$call(createdAndUpdated)
    .addPrimaryKeyConstraint('app_group_links_pk', ['application_id', 'group_id'])
    .execute();

  await db.schema
    .createTable('app_group_link_members')
    .$call(application)
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('remote_user_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('app_group_link_members_pk', ['application_id', 'group_id', 'remote_user_id'])
    .execute();

  await db.schema
    .createTable('provisioning_syncs')
    .$call(idAndOrganization)
    .$call(application)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('processed', 'integer', (c) => c.notNull().defaultTo(0))
    // JSON of counts by outcome.
    .addColumn('counts', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('error', 'text')
    .$call(initiatedBy)
    .$call(runTimes)
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
