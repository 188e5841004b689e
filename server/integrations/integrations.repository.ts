import type { Db } from '../db/database.ts';
import { findColumns, findRow, updateRows } from '../db/queries.ts';
import type { IdmIntegrationsTable } from '../db/schema.ts';

export type IntegrationRow = IdmIntegrationsTable;

export async function findIntegration(db: Db, organizationId: string, applicationId: string): Promise<IntegrationRow | undefined> {
  return findRow(db, 'idm_integrations', { organization_id: organizationId, application_id: applicationId });
}

export async function insertIntegration(db: Db, row: IntegrationRow): Promise<void> {
  await db.insertInto('idm_integrations').values(row).execute();
}

export async function updateIntegration(
  db: Db,
  organizationId: string,
  applicationId: string,
  patch: Partial<IntegrationRow>,
): Promise<void> {
  await updateRows(db, 'idm_integrations', { organization_id: organizationId, application_id: applicationId }, patch);
}

/** Status and generation only: the cheap check running work makes before each step. */
export async function findIntegrationState(
  db: Db,
  applicationId: string,
): Promise<Pick<IntegrationRow, 'status' | 'generation' | 'deactivated_at'> | undefined> {
  return findColumns(db, 'idm_integrations', ['status', 'generation', 'deactivated_at'], { application_id: applicationId });
}
