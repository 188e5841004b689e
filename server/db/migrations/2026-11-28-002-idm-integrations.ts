// Frozen: never import application code here. Identity Management (SCIM) integrations, one per application.
import type { Kysely } from 'kysely';
import { createIndex, createdAndUpdated, organization } from './support.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('idm_integrations')
    .addColumn('application_id', 'text', (c) => c.primaryKey().references('applications.id').onDelete('cascade'))
    .$call(organization)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('base_url', 'text', (c) => c.notNull())
    .addColumn('auth_type', 'text', (c) => c.notNull())
    // Non-secret auth fields as JSON (username, tokenUrl, clientId, scope).
    .addColumn('auth_config', 'text', (c) => c.notNull())
    // AES-256-GCM JSON of the secrets (token, password, clientSecret) and of the extra headers.
    .addColumn('secrets_enc', 'text')
    .addColumn('headers_enc', 'text')
    .addColumn('header_names', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('capabilities', 'text')
    .addColumn('last_test', 'text')
    .addColumn('last_error', 'text')
    // Bumped on every activation and deactivation: work started under an older generation stops.
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('activated_at', 'text')
    .addColumn('deactivated_at', 'text')
    .$call(createdAndUpdated)
    .execute();
  await createIndex(db, 'idm_integrations_org_status_idx', 'idm_integrations', ['organization_id', 'status']);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('idm_integrations').execute();
}
