// Frozen: never import application code here. Fewer and narrower B-tree inserts per imported user
// (an import writes 100,000 users; each index a row lands in at a random place costs a page write).
// - Created users' results: one row per chunk of a batch (import_run_created) instead of one row per
//   user; skipped and failed users keep their rows in import_run_results.
// - app_user_links: the unique (application_id, user_id) and the index on user_id were two B-trees for
//   what one unique (user_id, application_id) answers (a user's links, a user's link in an application).
//   On SQLite the table is rebuilt for that (a table constraint cannot be dropped). It stays a rowid
//   table: WITHOUT ROWID would save the append to the table, but its primary key (random remote ids)
//   would then hold whole rows, and an import of 50,000 users wrote 17% more pages that way.
// - SQLite only: the users' sort indexes lose the organization prefix (one organization exists; the
//   queries still filter by it) and the 36-character id, which SQLite's rowid replaces as the
//   tie-break (every SQLite index ends with the rowid). The covering username/search index loses the
//   id too (username is unique in the organization: no tie-break; the search reads rowids from it).
//   PostgreSQL keeps (organization_id, column, id).
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import * as col from './columns.ts';
import { createIndex } from './support.ts';

const SORTED = ['firstname', 'lastname', 'displayname', 'created_at', 'updated_at'];

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('import_run_created')
    .$call(col.ownedBy('run_id', 'import_runs'))
    .$call(col.requiredInteger('first_seq', 'last_seq'))
    // JSON array of [seq, remote id, user name, email, user id], in seq order.
    .$call(col.requiredText('users'))
    .addPrimaryKeyConstraint('import_run_created_pk', ['run_id', 'first_seq'])
    .execute();

  if (postgres) {
    await sql`ALTER TABLE app_user_links DROP CONSTRAINT app_user_links_user_uq`.execute(db);
    await sql`ALTER TABLE app_user_links ADD CONSTRAINT app_user_links_user_app_uq UNIQUE (user_id, application_id)`.execute(db);
    await db.schema.dropIndex('app_user_links_user_idx').execute();
    return;
  }
  await db.schema
    .createTable('app_user_links_new')
    .$call(col.organization)
    .$call(col.application)
    .$call(col.ownedBy('user_id', 'users'))
    .$call(col.requiredText('remote_id'))
    .$call(col.blankText('remote_user_name'))
    .$call(col.requiredText('origin'))
    .$call(col.createdAndUpdated)
    .addPrimaryKeyConstraint('app_user_links_pk', ['application_id', 'remote_id'])
    .addUniqueConstraint('app_user_links_user_app_uq', ['user_id', 'application_id'])
    .execute();
  await sql`INSERT INTO app_user_links_new SELECT organization_id, application_id, user_id, remote_id, remote_user_name, origin,
    created_at, updated_at FROM app_user_links`.execute(db);
  await db.schema.dropTable('app_user_links').execute();
  await sql`ALTER TABLE app_user_links_new RENAME TO app_user_links`.execute(db);

  for (const column of SORTED) {
    await db.schema.dropIndex(`users_org_${column}_idx`).execute();
    await createIndex(db, `users_${column}_idx`, 'users', column);
  }
  await db.schema.dropIndex('users_org_username_id_idx').execute();
  await createIndex(db, 'users_org_username_search_idx', 'users', ['organization_id', 'username_lower', 'search_text']);
}

export async function down(): Promise<void> {
  throw new Error('2026-12-06-002-leaner-import-writes cannot be reverted');
}
