// Frozen: never import application code here, never edit after release. Runs on SQLite and PostgreSQL.
// The embedded job queue (server/jobs/embedded.ts). On PostgreSQL with pg-boss the table stays empty.
import type { Kysely } from 'kysely';
import * as col from './columns.ts';
import { createIndex, createPartialIndex } from './support.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .$call(col.id)
    .addColumn('organization_id', 'text', (c) => c.references('organizations.id').onDelete('cascade'))
    // payload: JSON text (SQLite has no json type, and the payload is only ever read whole).
    // state: queued | retry (waiting again after a failed or interrupted attempt) | running | completed | failed | cancelled
    .$call(col.requiredText('name', 'payload', 'state'))
    .$call(col.optionalText('singleton_key'))
    .$call(col.counters('attempts'))
    .$call(col.requiredInteger('max_attempts', 'backoff_ms'))
    .$call(col.requiredText('run_at'))
    .$call(col.optionalText('locked_by', 'locked_until', 'last_error'))
    .$call(col.createdAndUpdated)
    .$call(col.optionalText('finished_at'))
    .execute();
  // The claim: due jobs of one name in run_at order.
  await createPartialIndex(db, 'jobs_due_idx', 'jobs', ['name', 'run_at', 'id'], `state in ('queued', 'retry')`);
  await createPartialIndex(db, 'jobs_lease_idx', 'jobs', 'locked_until', `state = 'running'`);
  // Coalescing: at most one fresh queued job per name and key, race-free across transactions.
  const freshPerKey = `state = 'queued' and singleton_key is not null`;
  await createPartialIndex(db, 'jobs_singleton_uq', 'jobs', ['name', 'singleton_key'], freshPerKey, { unique: true });
  await createPartialIndex(db, 'jobs_key_idx', 'jobs', ['name', 'singleton_key', 'created_at'], 'singleton_key is not null');
  await createIndex(db, 'jobs_name_state_idx', 'jobs', ['name', 'state']);
  await createPartialIndex(db, 'jobs_finished_idx', 'jobs', 'finished_at', 'finished_at is not null');
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('jobs').execute();
}
