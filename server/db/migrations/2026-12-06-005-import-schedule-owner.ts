// Frozen: never import application code here. A scheduled import runs as the admin who saved the
// schedule (the run's Insights events name him, its email goes to him): who that was, beside the
// schedule in import_settings.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  for (const column of ['schedule_set_by_type', 'schedule_set_by_id', 'schedule_set_by_email']) {
    await db.schema.alterTable('import_settings').addColumn(column, 'text').execute();
  }
}
