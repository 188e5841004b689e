// Frozen: never import application code here. A preview snapshot is classified under the match rules
// in force when it was read (issue 14): it remembers them (JSON array, in priority order), so that a
// preview after the rules changed reads the application again instead of showing the old matches.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('import_snapshots').addColumn('match_by', 'text').execute();
}
