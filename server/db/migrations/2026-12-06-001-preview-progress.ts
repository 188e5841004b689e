// Frozen: never import application code here. A preview snapshot is answered from while it is still
// being read: it records the application's own count of users (totalResults, when the application
// says it) for the progress shown, and when the process reading it last stored a page, so that another
// process can tell a read going on from one whose process died.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('import_snapshots').addColumn('remote_total', 'integer').execute();
  await db.schema.alterTable('import_snapshots').addColumn('read_at', 'text').execute();
}
