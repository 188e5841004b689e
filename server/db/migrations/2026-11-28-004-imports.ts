// Frozen: never import application code here. Links between directory users and application
// accounts, import snapshots (the remote list kept for a short time) and import runs.
import type { Kysely } from 'kysely';
import * as col from './columns.ts';
import { createIndex, createPartialIndex } from './support.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('app_user_links')
    .$call(col.organization)
    .$call(col.application)
    .$call(col.ownedBy('user_id', 'users'))
    .$call(col.requiredText('remote_id'))
    .$call(col.blankText('remote_user_name'))
    .$call(col.requiredText('origin'))
    .$call(col.createdAndUpdated)
    .addPrimaryKeyConstraint('app_user_links_pk', ['application_id', 'remote_id'])
    .addUniqueConstraint('app_user_links_user_uq', ['application_id', 'user_id'])
    .execute();
  await createIndex(db, 'app_user_links_user_idx', 'app_user_links', 'user_id');

  await db.schema
    .createTable('import_snapshots')
    .$call(col.idOrganizationAndApplication)
    .$call(col.requiredText('status'))
    .$call(col.counters('total'))
    .$call(col.optionalText('error'))
    .$call(col.requiredText('created_at', 'expires_at'))
    .execute();
  await createIndex(db, 'import_snapshots_app_idx', 'import_snapshots', ['application_id', 'created_at']);

  await db.schema
    .createTable('import_snapshot_users')
    .$call(col.ownedBy('snapshot_id', 'import_snapshots'))
    .$call(col.requiredText('remote_id'))
    .$call(col.requiredInteger('seq'))
    .$call(col.requiredText('user_name', 'user_name_lower', 'email', 'email_lower', 'firstname', 'lastname', 'displayname'))
    .$call(col.requiredInteger('remote_active'))
    .$call(col.requiredText('attributes', 'status', 'reasons'))
    .$call(col.optionalText('existing_user_id'))
    .$call(col.requiredText('search_text'))
    .addPrimaryKeyConstraint('import_snapshot_users_pk', ['snapshot_id', 'remote_id'])
    .execute();
  for (const column of ['seq', 'user_name_lower', 'email_lower', 'firstname', 'lastname', 'displayname', 'status']) {
    await createIndex(db, `import_snapshot_users_${column}_idx`, 'import_snapshot_users', ['snapshot_id', column, 'remote_id']);
  }

  await db.schema
    .createTable('import_runs')
    .$call(col.idOrganizationAndApplication)
    .$call(col.requiredText('status', 'mode'))
    // JSON array of remote ids when mode is 'selection'; their data comes from this snapshot.
    .$call(col.optionalText('selection', 'snapshot_id'))
    .$call(col.counters('total', 'processed', 'created', 'skipped', 'failed'))
    .$call(col.initiatedBy)
    .$call(col.optionalText('notify_email', 'error'))
    .$call(col.counters('attempt'))
    .$call(col.runTimes)
    .$call(col.requiredText('updated_at'))
    .execute();
  await createIndex(db, 'import_runs_app_idx', 'import_runs', ['organization_id', 'application_id', 'created_at']);
  // One unfinished run per application: a second one is refused by the database itself.
  await createPartialIndex(db, 'import_runs_one_active_uq', 'import_runs', 'application_id', `status in ('queued', 'running')`, {
    unique: true,
  });

  await db.schema
    .createTable('import_run_results')
    .$call(col.ownedBy('run_id', 'import_runs'))
    .$call(col.requiredText('remote_id'))
    .$call(col.requiredInteger('seq'))
    .$call(col.requiredText('user_name', 'email', 'outcome'))
    .$call(col.optionalText('reason', 'user_id'))
    .addPrimaryKeyConstraint('import_run_results_pk', ['run_id', 'remote_id'])
    .execute();
  await createIndex(db, 'import_run_results_seq_idx', 'import_run_results', ['run_id', 'seq']);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['import_run_results', 'import_runs', 'import_snapshot_users', 'import_snapshots', 'app_user_links']) {
    await db.schema.dropTable(t).execute();
  }
}
