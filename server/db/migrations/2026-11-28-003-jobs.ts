// Frozen: never import application code here, never edit after release. Runs on SQLite and PostgreSQL.
// The embedded job queue (server/jobs/embedded.ts). On PostgreSQL with pg-boss the table stays empty.
import { type Kysely, sql } from 'kysely';
import { createIndex, createdAndUpdated } from './support.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organization_id', 'text', (c) => c.references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    // JSON text: SQLite has no json type, and the payload is only ever read whole.
    .addColumn('payload', 'text', (c) => c.notNull())
    // queued | retry (waiting again after a failed or interrupted attempt) | running | completed | failed | cancelled
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('singleton_key', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('backoff_ms', 'integer', (c) => c.notNull())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('last_error', 'text')
    .$call(createdAndUpdated)
    .addColumn('finished_at', 'text')
    .execute();
  // The claim: due jobs of one name in run_at order. The predicates are literals so that SQLite,
  // which cannot match a bound parameter against a partial index, uses these indexes.
  await db.schema
    .createIndex('jobs_due_idx')
    .on('jobs')
    .columns(['name', 'run_at', 'id'])
    .where(sql.raw<boolean>(`state in ('queued', 'retry')`))
    .execute();
  await db.schema.createIndex('jobs_lease_idx').on('jobs').column('locked_until').where(sql.raw<boolean>(`state = 'running'`)).execute();
  // Coalescing: at most one fresh queued job per name and key, race-free across transactions.
  await db.schema
    .createIndex('jobs_singleton_uq')
    .unique()
    .on('jobs')
    .columns(['name', 'singleton_key'])
    .where(sql.raw<boolean>(`state = 'queued' and singleton_key is not null`))
    .execute();
  await db.schema
    .createIndex('jobs_key_idx')
    .on('jobs')
    .columns(['name', 'singleton_key', 'created_at'])
    .where(sql.raw<boolean>('singleton_key is not null'))
    .execute();
  await createIndex(db, 'jobs_name_state_idx', 'jobs', ['name', 'state']);
  await db.schema
    .createIndex('jobs_finished_idx')
    .on('jobs')
    .column('finished_at')
    .where(sql.raw<boolean>('finished_at is not null'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('jobs').execute();
}
