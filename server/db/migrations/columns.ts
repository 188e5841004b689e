// Column groups that several migrations share (imported as `col`). Not a migration itself: migrate.ts
// lists the migrations by name. Frozen like them: a released migration must keep executing the same
// DDL on both dialects, so a helper it uses must keep producing the same DDL (add a new helper instead).
// No application code here either.
import type { ColumnDefinitionBuilder, CreateTableBuilder } from 'kysely';

type Table = CreateTableBuilder<any, any>;
/** Adds columns to a table being created: passed to `$call`. */
type Columns = (t: Table) => Table;

/** Columns of one type and one definition, in the order named. */
const columnsOf =
  (type: 'text' | 'integer', define?: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder) =>
  (...names: string[]): Columns =>
  (t) =>
    names.reduce((table, name) => table.addColumn(name, type, define), t);

/** Text columns, nullable. */
export const optionalText = columnsOf('text');

/** Text columns, not null. */
export const requiredText = columnsOf('text', (c) => c.notNull());

/** Text columns, not null, default '' (optional attributes stored as empty strings). */
export const blankText = columnsOf('text', (c) => c.notNull().defaultTo(''));

/** Text columns holding a JSON array: not null, default '[]'. */
export const jsonList = columnsOf('text', (c) => c.notNull().defaultTo('[]'));

/** Integer columns, nullable. */
export const optionalInteger = columnsOf('integer');

/** Integer columns, not null. */
export const requiredInteger = columnsOf('integer', (c) => c.notNull());

/** Counters: integer, not null, default 0. */
export const counters = columnsOf('integer', (c) => c.notNull().defaultTo(0));

/** Several column groups, in order. */
const all =
  (...groups: Columns[]): Columns =>
  (t) =>
    groups.reduce((table, group) => group(table), t);

/** `column`: not null, references `table`.id, deleted with that row. */
export const ownedBy =
  (column: string, table: string): Columns =>
  (t) =>
    t.addColumn(column, 'text', (c) => c.notNull().references(`${table}.id`).onDelete('cascade'));

/** `id`: text primary key. */
export const id: Columns = (t) => t.addColumn('id', 'text', (c) => c.primaryKey());

/** `organization_id`: not null, references organizations. */
export const organization: Columns = (t) => t.addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id'));

/** `id` then `organization_id`. */
export const idAndOrganization = all(id, organization);

/** `application_id`: not null, references applications, deleted with the application. */
export const application = ownedBy('application_id', 'applications');

/** `application_id` then `organization_id`: an application's rows. */
export const applicationAndOrganization = all(application, organization);

/** `id`, `organization_id`, then `application_id`: an application's rows that have ids of their own. */
export const idOrganizationAndApplication = all(idAndOrganization, application);

/** One row per application: `application_id` as primary key, deleted with the application, then `organization_id`. */
export const oneRowPerApplication: Columns = (t) =>
  organization(t.addColumn('application_id', 'text', (c) => c.primaryKey().references('applications.id').onDelete('cascade')));

/** `created_at` and `updated_at`, not null. */
export const createdAndUpdated = requiredText('created_at', 'updated_at');

/** Who started it: `initiated_by_type` (not null), `initiated_by_id`, `initiated_by_email`. */
export const initiatedBy = all(requiredText('initiated_by_type'), optionalText('initiated_by_id', 'initiated_by_email'));

/** A run's times: `created_at` (not null), `started_at`, `finished_at`. */
export const runTimes = all(requiredText('created_at'), optionalText('started_at', 'finished_at'));

/** A single-use link's life: `created_at`, `expires_at` (not null), `used_at`. */
export const singleUseLife = all(requiredText('created_at', 'expires_at'), optionalText('used_at'));

/** A sign-in session's life: `created_at`, `last_seen_at`, `expires_at` (not null), `client_ip`, `user_agent`. */
export const sessionLife = all(requiredText('created_at', 'last_seen_at', 'expires_at'), optionalText('client_ip', 'user_agent'));

/** `name`, `name_lower` (not null) and `description` (not null, default ''): a named resource. */
export const named = all(requiredText('name', 'name_lower'), blankText('description'));
