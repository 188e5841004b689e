// Frozen: never import application code here. Identity Management (SCIM) integrations, one per application.
import type { Kysely } from 'kysely';
import * as col from './columns.ts';
import { createIndex } from './support.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('idm_integrations')
    .$call(col.oneRowPerApplication)
    // auth_config: the non-secret auth fields as JSON (username, tokenUrl, clientId, scope).
    .$call(col.requiredText('status', 'base_url', 'auth_type', 'auth_config'))
    // AES-256-GCM JSON of the secrets (token, password, clientSecret) and of the extra headers.
    .$call(col.optionalText('secrets_enc', 'headers_enc'))
    .$call(col.jsonList('header_names'))
    .$call(col.requiredText('settings'))
    .$call(col.optionalText('capabilities', 'last_test', 'last_error'))
    // Bumped on every activation and deactivation: work started under an older generation stops.
    .$call(col.counters('generation'))
    .$call(col.optionalText('activated_at', 'deactivated_at'))
    .$call(col.createdAndUpdated)
    .execute();
  await createIndex(db, 'idm_integrations_org_status_idx', 'idm_integrations', ['organization_id', 'status']);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('idm_integrations').execute();
}
