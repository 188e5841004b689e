import type { Kysely } from 'kysely';
import { type Migration, Migrator, type MigrationResultSet } from 'kysely/migration';
import * as foundation from './migrations/2026-11-28-001-foundation.ts';
import * as idmIntegrations from './migrations/2026-11-28-002-idm-integrations.ts';
import * as jobs from './migrations/2026-11-28-003-jobs.ts';
import * as imports from './migrations/2026-11-28-004-imports.ts';
import * as mail from './migrations/2026-11-28-005-mail.ts';
import * as provisioning from './migrations/2026-11-28-006-provisioning.ts';
import * as accounts from './migrations/2026-11-28-007-accounts.ts';
import * as mailLinkToken from './migrations/2026-12-05-001-mail-link-token.ts';
import * as adminMfa from './migrations/2026-12-05-002-admin-mfa.ts';
import * as usersSearchTrigram from './migrations/2026-12-05-003-users-search-trigram.ts';
import * as snapshotConnection from './migrations/2026-12-05-004-snapshot-connection.ts';
import * as previewProgress from './migrations/2026-12-06-001-preview-progress.ts';
import * as leanerImportWrites from './migrations/2026-12-06-002-leaner-import-writes.ts';
import * as scimSources from './migrations/2026-12-06-003-scim-sources.ts';
import * as importSync from './migrations/2026-12-06-004-import-sync.ts';
import * as importScheduleOwner from './migrations/2026-12-06-005-import-schedule-owner.ts';
import * as snapshotMatchRules from './migrations/2026-12-06-006-snapshot-match-rules.ts';
import * as importRunGroupJoins from './migrations/2026-12-06-007-import-run-group-joins.ts';

/** Every migration, in order. Names are dated; files are frozen once released. */
const migrations: Record<string, Migration> = {
  '2026-11-28-001-foundation': foundation,
  '2026-11-28-002-idm-integrations': idmIntegrations,
  '2026-11-28-003-jobs': jobs,
  '2026-11-28-004-imports': imports,
  '2026-11-28-005-mail': mail,
  '2026-11-28-006-provisioning': provisioning,
  '2026-11-28-007-accounts': accounts,
  '2026-12-05-001-mail-link-token': mailLinkToken,
  '2026-12-05-002-admin-mfa': adminMfa,
  '2026-12-05-003-users-search-trigram': usersSearchTrigram,
  '2026-12-05-004-snapshot-connection': snapshotConnection,
  '2026-12-06-001-preview-progress': previewProgress,
  '2026-12-06-002-leaner-import-writes': leanerImportWrites,
  '2026-12-06-003-scim-sources': scimSources,
  '2026-12-06-004-import-sync': importSync,
  '2026-12-06-005-import-schedule-owner': importScheduleOwner,
  '2026-12-06-006-snapshot-match-rules': snapshotMatchRules,
  '2026-12-06-007-import-run-group-joins': importRunGroupJoins,
};

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const err = result.error instanceof Error ? result.error : new Error(String(result.error));
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${err.message}`, { cause: err });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
