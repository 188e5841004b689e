// Frozen: never import application code here, never edit after release. Runs on SQLite and PostgreSQL.
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import {
  application,
  createIndex,
  createdAndUpdated,
  idAndOrganization,
  initiatedBy,
  named,
  organization,
  sessionLife,
} from './support.ts';

const DEFAULT_ORGANIZATION_ID = '00000000-0000-7000-8000-000000000001';

export async function up(db: Kysely<any>): Promise<void> {
  await adminTables(db);
  await directoryTables(db);
  await insightTables(db);
}

/** The organization, its admins, their sessions, sign-in throttling, setup tokens and API keys. */
async function adminTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db
    .insertInto('organizations')
    .values({ id: DEFAULT_ORGANIZATION_ID, name: 'Default', created_at: new Date().toISOString() })
    .execute();

  await db.schema
    .createTable('admins')
    .$call(idAndOrganization)
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_lower', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .$call(createdAndUpdated)
    .addColumn('last_login_at', 'text')
    .addUniqueConstraint('admins_org_email_uq', ['organization_id', 'email_lower'])
    .execute();

  await db.schema
    .createTable('admin_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey()) // sha256 of the cookie value
    .$call(organization)
    .addColumn('admin_id', 'text', (c) => c.notNull().references('admins.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .$call(sessionLife)
    .execute();
  await createIndex(db, 'admin_sessions_admin_idx', 'admin_sessions', 'admin_id');
  await createIndex(db, 'admin_sessions_expires_idx', 'admin_sessions', 'expires_at');

  await db.schema
    .createTable('login_throttle')
    .$call(organization)
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_started_at', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .addPrimaryKeyConstraint('login_throttle_pk', ['organization_id', 'key'])
    .execute();

  await db.schema
    .createTable('setup_tokens')
    .$call(idAndOrganization)
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();

  await db.schema
    .createTable('api_keys')
    .$call(idAndOrganization)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('created_by_admin_id', 'text', (c) => c.references('admins.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
}

/** Users, groups, applications and who is in which. */
async function directoryTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .$call(idAndOrganization)
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('username_lower', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_lower', 'text', (c) => c.notNull())
    .addColumn('firstname', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('middlename', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('lastname', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('displayname', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('job_title', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('department', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('cost_center', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('employee_type', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('employee_identifier', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('organization', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('addresses', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('phone_numbers', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('password_status', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('source_type', 'text')
    .addColumn('source_application_id', 'text')
    .addColumn('source_import_run_id', 'text')
    .addColumn('search_text', 'text', (c) => c.notNull())
    .$call(createdAndUpdated)
    .addUniqueConstraint('users_org_username_uq', ['organization_id', 'username_lower'])
    .addUniqueConstraint('users_org_email_uq', ['organization_id', 'email_lower'])
    .execute();
  // Keyset pagination: one index per sortable column, id as the tie-breaker. Email sorts on its
  // unique index; state and password status (three values each) sort without one, as every index
  // costs each insert (imports write thousands).
  for (const col of ['firstname', 'lastname', 'displayname', 'created_at', 'updated_at']) {
    await db.schema.createIndex(`users_org_${col}_idx`).on('users').columns(['organization_id', col, 'id']).execute();
  }
  // search_text rides along so that searching in the default sort, and counting matches, read only the index.
  await createIndex(db, 'users_org_username_id_idx', 'users', ['organization_id', 'username_lower', 'id', 'search_text']);

  await db.schema
    .createTable('groups')
    .$call(idAndOrganization)
    .$call(named)
    .$call(createdAndUpdated)
    .addUniqueConstraint('groups_org_name_uq', ['organization_id', 'name_lower'])
    .execute();

  await db.schema
    .createTable('group_members')
    .$call(organization)
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
    .execute();
  await createIndex(db, 'group_members_user_idx', 'group_members', 'user_id');

  await db.schema
    .createTable('applications')
    .$call(idAndOrganization)
    .$call(named)
    .$call(createdAndUpdated)
    .addUniqueConstraint('applications_org_name_uq', ['organization_id', 'name_lower'])
    .execute();

  await db.schema
    .createTable('application_groups')
    .$call(organization)
    .$call(application)
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('application_groups_pk', ['application_id', 'group_id'])
    .execute();
  await createIndex(db, 'application_groups_group_idx', 'application_groups', 'group_id');
}

/** Insights: the append-only event log. */
async function insightTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('insight_events')
    .$call(idAndOrganization)
    .addColumn('timestamp', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('success', 'integer', (c) => c.notNull())
    .$call(initiatedBy)
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text')
    .addColumn('resource_username', 'text')
    .addColumn('application_id', 'text')
    .addColumn('application_name', 'text')
    .addColumn('import_run_id', 'text')
    .addColumn('changes', 'text')
    .addColumn('message', 'text')
    .addColumn('client_ip', 'text')
    .execute();
  // Events are listed newest first; ids are UUIDv7 so (timestamp, id) is a stable keyset.
  await createIndex(db, 'insight_events_org_ts_idx', 'insight_events', ['organization_id', 'timestamp', 'id']);
  await createIndex(db, 'insight_events_type_idx', 'insight_events', ['organization_id', 'event_type', 'timestamp']);
  await createIndex(db, 'insight_events_resource_idx', 'insight_events', ['organization_id', 'resource_id', 'timestamp']);
  await createIndex(db, 'insight_events_app_idx', 'insight_events', ['organization_id', 'application_id', 'timestamp']);
  await createIndex(db, 'insight_events_actor_idx', 'insight_events', ['organization_id', 'initiated_by_id', 'timestamp']);

  // Append-only, enforced by the database itself.
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`CREATE FUNCTION insight_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'insight_events is append-only'; END; $$`.execute(db);
    await sql`CREATE TRIGGER insight_events_no_change BEFORE UPDATE OR DELETE ON insight_events
      FOR EACH ROW EXECUTE FUNCTION insight_events_append_only()`.execute(db);
  } else {
    await sql`CREATE TRIGGER insight_events_no_update BEFORE UPDATE ON insight_events
      BEGIN SELECT RAISE(ABORT, 'insight_events is append-only'); END`.execute(db);
    await sql`CREATE TRIGGER insight_events_no_delete BEFORE DELETE ON insight_events
      BEGIN SELECT RAISE(ABORT, 'insight_events is append-only'); END`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('The foundation migration cannot be reverted');
}
