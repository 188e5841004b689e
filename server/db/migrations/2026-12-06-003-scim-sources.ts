// Frozen: never import application code here. Inbound SCIM (issue 13): the sources that provision into
// Roster (identity providers, HR systems), each with one hashed bearer token; the log of their last
// requests; the deletions and suspensions their delete guardrail counts; what a source sent that has
// no directory field (kept per user and group and returned as sent); and who created a user or group.
import type { Kysely } from 'kysely';
import * as col from './columns.ts';
import { createIndex, createPartialIndex } from './support.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scim_sources')
    .$call(col.idAndOrganization)
    .$call(col.requiredText('name', 'name_lower'))
    .addColumn('settings', 'text', (c) => c.notNull()) // JSON: onDelete, groups, activationEmail, deleteGuardrail, rateLimitPerSecond
    .addColumn('token_hash', 'text', (c) => c.notNull()) // SHA-256 hex of the bearer token; the token itself is shown once
    .addColumn('token_hint', 'text', (c) => c.notNull()) // its last 4 characters, to tell tokens apart
    .$call(col.initiatedBy)
    .$call(col.createdAndUpdated)
    .$call(col.optionalText('token_rotated_at', 'last_request_at', 'deleted_at', 'guardrail_paused_at', 'guardrail_confirmed_at'))
    .execute();
  await db.schema.createIndex('scim_sources_token_idx').on('scim_sources').column('token_hash').unique().execute();
  await createPartialIndex(db, 'scim_sources_name_idx', 'scim_sources', ['organization_id', 'name_lower'], 'deleted_at is null', {
    unique: true,
  });

  await db.schema
    .createTable('scim_source_requests')
    .$call(col.idAndOrganization)
    .addColumn('source_id', 'text', (c) => c.notNull().references('scim_sources.id').onDelete('cascade'))
    .$call(col.requiredText('at', 'method', 'path'))
    .$call(col.requiredInteger('status', 'duration_ms'))
    .$call(col.optionalText('scim_type', 'detail', 'resource_type', 'resource_id'))
    .execute();
  await createIndex(db, 'scim_source_requests_source_idx', 'scim_source_requests', ['source_id', 'at']);

  await db.schema
    .createTable('scim_source_removals')
    .$call(col.organization)
    .addColumn('source_id', 'text', (c) => c.notNull().references('scim_sources.id').onDelete('cascade'))
    .$call(col.requiredText('user_id', 'kind', 'at')) // kind: delete | suspend
    .execute();
  await createIndex(db, 'scim_source_removals_source_idx', 'scim_source_removals', ['source_id', 'at']);

  await db.schema
    .createTable('scim_user_data')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .$call(col.organization)
    .$call(col.optionalText('external_id', 'deleted_by_source_id'))
    .addColumn('attributes', 'text', (c) => c.notNull().defaultTo('{}')) // JSON: what has no directory field
    .$call(col.requiredText('updated_at'))
    .execute();
  await createIndex(db, 'scim_user_data_external_idx', 'scim_user_data', ['organization_id', 'external_id']);
  // The few users each source has deleted (onDelete "suspend"): every list of that source leaves them out.
  await createPartialIndex(db, 'scim_user_data_deleted_idx', 'scim_user_data', 'deleted_by_source_id', 'deleted_by_source_id is not null');

  await db.schema
    .createTable('scim_group_data')
    .addColumn('group_id', 'text', (c) => c.primaryKey().references('groups.id').onDelete('cascade'))
    .$call(col.organization)
    .$call(col.optionalText('external_id'))
    .addColumn('attributes', 'text', (c) => c.notNull().defaultTo('{}'))
    .$call(col.requiredText('updated_at'))
    .execute();
  await createIndex(db, 'scim_group_data_external_idx', 'scim_group_data', ['organization_id', 'external_id']);

  await db.schema.alterTable('users').addColumn('source_scim_source_id', 'text').execute();
  await db.schema.alterTable('groups').addColumn('source_type', 'text').execute();
  await db.schema.alterTable('groups').addColumn('source_scim_source_id', 'text').execute();
  await db.schema.alterTable('insight_events').addColumn('initiated_by_name', 'text').execute();
}
