// Frozen: never import application code here. A preview snapshot remembers which connection (address,
// credentials, headers) listed it, as a keyed hash, so that a preview after the connection changed
// lists the application again instead of showing what the old address answered.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('import_snapshots').addColumn('connection_key', 'text').execute();
}
