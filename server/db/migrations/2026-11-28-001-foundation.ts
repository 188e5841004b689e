// Frozen: never import application code here, never edit after release. Runs on SQLite and PostgreSQL.
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import * as col from './columns.ts';
import { createIndex } from './support.ts';

const DEFAULT_ORGANIZATION_ID = '00000000-0000-7000-8000-000000000001';

export async function up(db: Kysely<any>): Promise<void> {
  await adminTables(db);
  await directoryTables(db);
  await insightTables(db);
}

/** The organization, its admins, their sessions, sign-in throttling, setup tokens and API keys. */
async function adminTables(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('organizations').$call(col.id).$call(col.requiredText('name', 'created_at')).execute();
  await db
    .insertInto('organizations')
    .values({ id: DEFAULT_ORGANIZATION_ID, name: 'Default', created_at: new Date().toISOString() })
    .execute();

  await db.schema
    .createTable('admins')
    .$call(col.idAndOrganization)
    .$call(col.requiredText('email', 'email_lower'))
    .$call(col.blankText('name'))
    .$call(col.requiredText('role', 'password_hash'))
    .$call(col.createdAndUpdated)
    .$call(col.optionalText('last_login_at'))
    .addUniqueConstraint('admins_org_email_uq', ['organization_id', 'email_lower'])
    .execute();

  await db.schema
    .createTable('admin_sessions')
    .$call(col.id) // sha256 of the cookie value
    .$call(col.organization)
    .$call(col.ownedBy('admin_id', 'admins'))
    .$call(col.requiredText('csrf_token'))
    .$call(col.sessionLife)
    .execute();
  await createIndex(db, 'admin_sessions_admin_idx', 'admin_sessions', 'admin_id');
  await createIndex(db, 'admin_sessions_expires_idx', 'admin_sessions', 'expires_at');

  await db.schema
    .createTable('login_throttle')
    .$call(col.organization)
    .$call(col.requiredText('key'))
    .$call(col.requiredInteger('failures'))
    .$call(col.requiredText('window_started_at'))
    .$call(col.optionalText('locked_until'))
    .addPrimaryKeyConstraint('login_throttle_pk', ['organization_id', 'key'])
    .execute();

  await db.schema
    .createTable('setup_tokens')
    .$call(col.idAndOrganization)
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .$call(col.singleUseLife)
    .execute();

  await db.schema
    .createTable('api_keys')
    .$call(col.idAndOrganization)
    .$call(col.requiredText('name', 'role'))
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .$call(col.requiredText('key_prefix'))
    .addColumn('created_by_admin_id', 'text', (c) => c.references('admins.id').onDelete('set null'))
    .$call(col.requiredText('created_at'))
    .$call(col.optionalText('last_used_at'))
    .execute();
}

/** Users, groups, applications and who is in which. */
async function directoryTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .$call(col.idAndOrganization)
    .$call(col.requiredText('username', 'username_lower', 'email', 'email_lower'))
    .$call(col.blankText('firstname', 'middlename', 'lastname', 'displayname'))
    .$call(col.blankText('job_title', 'department', 'cost_center', 'employee_type', 'employee_identifier', 'organization'))
    .$call(col.jsonList('addresses', 'phone_numbers'))
    .$call(col.requiredText('state', 'password_status'))
    .$call(col.optionalText('password_hash', 'source_type', 'source_application_id', 'source_import_run_id'))
    .$call(col.requiredText('search_text'))
    .$call(col.createdAndUpdated)
    .addUniqueConstraint('users_org_username_uq', ['organization_id', 'username_lower'])
    .addUniqueConstraint('users_org_email_uq', ['organization_id', 'email_lower'])
    .execute();
  // Keyset pagination: one index per sortable column, id as the tie-breaker. Email sorts on its
  // unique index; state and password status (three values each) sort without one, as every index
  // costs each insert (imports write thousands).
  for (const column of ['firstname', 'lastname', 'displayname', 'created_at', 'updated_at']) {
    await createIndex(db, `users_org_${column}_idx`, 'users', ['organization_id', column, 'id']);
  }
  // search_text rides along so that searching in the default sort, and counting matches, read only the index.
  await createIndex(db, 'users_org_username_id_idx', 'users', ['organization_id', 'username_lower', 'id', 'search_text']);

  await namedTable(db, 'groups');
  await pairTable(db, 'group_members', ['group_id', 'groups'], ['user_id', 'users']);
  await namedTable(db, 'applications');
  await pairTable(db, 'application_groups', ['application_id', 'applications'], ['group_id', 'groups']);
}

/** Groups and applications alike: named resources, names unique per organization in any letter case. */
async function namedTable(db: Kysely<any>, table: string): Promise<void> {
  await db.schema
    .createTable(table)
    .$call(col.idAndOrganization)
    .$call(col.named)
    .$call(col.createdAndUpdated)
    .addUniqueConstraint(`${table}_org_name_uq`, ['organization_id', 'name_lower'])
    .execute();
}

type Reference = [column: string, table: string];

/** Which rows are paired (a group's members, an application's groups): gone with either row, found from either side. */
async function pairTable(db: Kysely<any>, table: string, [left, leftTable]: Reference, [right, rightTable]: Reference): Promise<void> {
  await db.schema
    .createTable(table)
    .$call(col.organization)
    .$call(col.ownedBy(left, leftTable))
    .$call(col.ownedBy(right, rightTable))
    .$call(col.requiredText('created_at'))
    .addPrimaryKeyConstraint(`${table}_pk`, [left, right])
    .execute();
  await createIndex(db, `${table}_${right.replace(/_id$/, '')}_idx`, table, right);
}

/** Insights: the append-only event log. */
async function insightTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('insight_events')
    .$call(col.idAndOrganization)
    .$call(col.requiredText('timestamp', 'event_type', 'service'))
    .$call(col.requiredInteger('success'))
    .$call(col.initiatedBy)
    .$call(col.requiredText('resource_type'))
    .$call(
      col.optionalText(
        'resource_id',
        'resource_username',
        'application_id',
        'application_name',
        'import_run_id',
        'changes',
        'message',
        'client_ip',
      ),
    )
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
