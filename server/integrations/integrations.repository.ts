import type { Db } from '../db/database.ts';
import type { IdmIntegrationsTable } from '../db/schema.ts';

export type IntegrationRow = IdmIntegrationsTable;

export async function findIntegration(db: Db, organizationId: string, applicationId: string): Promise<IntegrationRow | undefined> {
  return db
    .selectFrom('idm_integrations')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('application_id', '=', applicationId)
    .executeTakeFirst();
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
  await db
    .updateTable('idm_integrations')
    .set(patch)
    .where('organization_id', '=', organizationId)
    .where('application_id', '=', applicationId)
    .execute();
}

/** Status and generation only: the cheap check running work makes before each step. */
export async function findIntegrationState(
  db: Db,
  applicationId: string,
): Promise<Pick<IntegrationRow, 'status' | 'generation' | 'deactivated_at'> | undefined> {
  return db
    .selectFrom('idm_integrations')
    .select(['status', 'generation', 'deactivated_at'])
    .where('application_id', '=', applicationId)
    .executeTakeFirst();
}
