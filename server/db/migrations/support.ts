// Column groups and index creation that several migrations share. Not a migration itself: migrate.ts
// lists the migrations by name. Frozen like them: a released migration must keep executing the same
// DDL on both dialects, so a helper it uses is never changed afterwards (add a new helper instead).
// No application code here either.
import type { CreateTableBuilder, Kysely } from 'kysely';

type Table = CreateTableBuilder<any, any>;

/** `id`: text primary key. */
const id = (t: Table): Table => t.addColumn('id', 'text', (c) => c.primaryKey());

/** `organization_id`: not null, references organizations. */
export const organization = (t: Table): Table => t.addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'));

/** `id` then `organization_id`. */
export const idAndOrganization = (t: Table): Table => organization(id(t));

/** `application_id`: not null, references applications, deleted with the application. */
export const application = (t: Table): Table =>
  t.addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'));

/** `created_at` and `updated_at`, not null. */
export const createdAndUpdated = (t: Table): Table =>
  t.addColumn('created_at', 'text', (c) => c.notNull()).addColumn('updated_at', 'text', (c) => c.notNull());

/** Who started it: `initiated_by_type` (not null), `initiated_by_id`, `initiated_by_email`. */
export const initiatedBy = (t: Table): Table =>
  t
    .addColumn('initiated_by_type', 'text', (c) => c.notNull())
    .addColumn('initiated_by_id', 'text')
    .addColumn('initiated_by_email', 'text');

/** A run's times: `created_at` (not null), `started_at`, `finished_at`. */
export const runTimes = (t: Table): Table =>
  t
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text');

/** A sign-in session's life: `created_at`, `last_seen_at`, `expires_at` (not null), `client_ip`, `user_agent`. */
export const sessionLife = (t: Table): Table =>
  t
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('client_ip', 'text')
    .addColumn('user_agent', 'text');

/** `name`, `name_lower` (not null) and `description` (not null, default ''): a named resource. */
export const named = (t: Table): Table =>
  t
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_lower', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''));

/** A plain index: one column given as a string, or several in order. */
export async function createIndex(db: Kysely<any>, name: string, table: string, columns: string | string[]): Promise<void> {
  const index = db.schema.createIndex(name).on(table);
  await (typeof columns === 'string' ? index.column(columns) : index.columns(columns)).execute();
}
