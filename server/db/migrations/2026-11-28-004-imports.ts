// Frozen: never import application code here. Links between directory users and application
// accounts, import snapshots (the remote list kept for a short time) and import runs.
import { type Kysely, sql } from 'kysely';
import { application, createIndex, createdAndUpdated, idAndOrganization, initiatedBy, organization, runTimes } from './support.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await linkAndSnapshotTables(db);
  await importRunTables(db);
}

/** Links between users and application accounts, and import snapshots. */
async function linkAndSnapshotTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('app_user_links')
    .$call(organization)
    .$call(application)
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('remote_id', 'text', (c) => c.notNull())
    .addColumn('remote_user_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('origin', 'text', (c) => c.notNull())
    .$call(createdAndUpdated)
    .addPrimaryKeyConstraint('app_user_links_pk', ['application_id', 'remote_id'])
    .addUniqueConstraint('app_user_links_user_uq', ['application_id', 'user_id'])
    .execute();
  await createIndex(db, 'app_user_links_user_idx', 'app_user_links', 'user_id');

  await db.schema
    .createTable('import_snapshots')
    .$call(idAndOrganization)
    .$call(application)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await createIndex(db, 'import_snapshots_app_idx', 'import_snapshots', ['application_id', 'created_at']);

  await db.schema
    .createTable('import_snapshot_users')
    .addColumn('snapshot_id', 'text', (c) => c.notNull().references('import_snapshots.id').onDelete('cascade'))
    .addColumn('remote_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('user_name_lower', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_lower', 'text', (c) => c.notNull())
    .addColumn('firstname', 'text', (c) => c.notNull())
    .addColumn('lastname', 'text', (c) => c.notNull())
    .addColumn('displayname', 'text', (c) => c.notNull())
    .addColumn('remote_active', 'integer', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reasons', 'text', (c) => c.notNull())
    .addColumn('existing_user_id', 'text')
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_snapshot_users_pk', ['snapshot_id', 'remote_id'])
    .execute();
  for (const col of ['seq', 'user_name_lower', 'email_lower', 'firstname', 'lastname', 'displayname', 'status']) {
    await db.schema
      .createIndex(`import_snapshot_users_${col}_idx`)
      .on('import_snapshot_users')
      .columns(['snapshot_id', col, 'remote_id'])
      .execute();
  }
}

/** Import runs and their results. */
async function importRunTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_runs')
    .$call(idAndOrganization)
    .$call(application)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    // JSON array of remote ids when mode is 'selection'; their data comes from this snapshot.
    .addColumn('selection', 'text')
    .addColumn('snapshot_id', 'text')
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('processed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .$call(initiatedBy)
    .addColumn('notify_email', 'text')
    .addColumn('error', 'text')
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .$call(runTimes)
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await createIndex(db, 'import_runs_app_idx', 'import_runs', ['organization_id', 'application_id', 'created_at']);
  // One unfinished run per application: a second one is refused by the database itself.
  await db.schema
    .createIndex('import_runs_one_active_uq')
    .on('import_runs')
    .column('application_id')
    .unique()
    .where(sql<boolean>`status in ('queued', 'running')`)
    .execute();

  await db.schema
    .createTable('import_run_results')
    .addColumn('run_id', 'text', (c) => c.notNull().references('import_runs.id').onDelete('cascade'))
    .addColumn('remote_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('user_id', 'text')
    .addPrimaryKeyConstraint('import_run_results_pk', ['run_id', 'remote_id'])
    .execute();
  await createIndex(db, 'import_run_results_seq_idx', 'import_run_results', ['run_id', 'seq']);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['import_run_results', 'import_runs', 'import_snapshot_users', 'import_snapshots', 'app_user_links']) {
    await db.schema.dropTable(t).execute();
  }
}
