// Table types for Kysely, one file per owning module under schema/. Timestamps are RFC 3339 UTC
// strings in both dialects; booleans are 0/1 integers.
import type {
  OrganizationsTable,
  AdminsTable,
  AdminSessionsTable,
  LoginThrottleTable,
  SetupTokensTable,
  AdminMfaTable,
  AdminMfaChallengesTable,
  ApiKeysTable,
} from './schema/auth.ts';
import type { UsersTable, GroupsTable, GroupMembersTable } from './schema/directory.ts';
import type { ApplicationsTable, ApplicationGroupsTable } from './schema/applications.ts';
import type { InsightEventsTable } from './schema/insights.ts';
import type { IdmIntegrationsTable, AppUserLinksTable } from './schema/integrations.ts';
import type {
  ImportSnapshotsTable,
  ImportSnapshotUsersTable,
  ImportRunsTable,
  ImportRunResultsTable,
  ImportRunCreatedTable,
  ImportRunGroupJoinsTable,
  ImportSettingsTable,
} from './schema/imports.ts';
import type {
  ProvisioningStateTable,
  ProvisioningHintsTable,
  ProvisioningUsersTable,
  AppGroupLinksTable,
  AppGroupLinkMembersTable,
  ProvisioningSyncsTable,
} from './schema/provisioning.ts';
import type {
  ScimSourcesTable,
  ScimSourceRequestsTable,
  ScimSourceRemovalsTable,
  ScimUserDataTable,
  ScimGroupDataTable,
} from './schema/inbound.ts';
import type { ActivationEmailBatchesTable, UserActivationTokensTable, UserSessionsTable } from './schema/accounts.ts';

export type * from './schema/auth.ts';
export type * from './schema/directory.ts';
export type * from './schema/applications.ts';
export type * from './schema/insights.ts';
export type * from './schema/integrations.ts';
export type * from './schema/imports.ts';
export type * from './schema/provisioning.ts';
export type * from './schema/accounts.ts';
export type * from './schema/inbound.ts';

export interface DB {
  organizations: OrganizationsTable;
  admins: AdminsTable;
  admin_sessions: AdminSessionsTable;
  login_throttle: LoginThrottleTable;
  setup_tokens: SetupTokensTable;
  api_keys: ApiKeysTable;
  admin_mfa: AdminMfaTable;
  admin_mfa_challenges: AdminMfaChallengesTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  applications: ApplicationsTable;
  application_groups: ApplicationGroupsTable;
  insight_events: InsightEventsTable;
  idm_integrations: IdmIntegrationsTable;
  app_user_links: AppUserLinksTable;
  import_snapshots: ImportSnapshotsTable;
  import_snapshot_users: ImportSnapshotUsersTable;
  import_runs: ImportRunsTable;
  import_run_results: ImportRunResultsTable;
  import_run_created: ImportRunCreatedTable;
  import_run_group_joins: ImportRunGroupJoinsTable;
  import_settings: ImportSettingsTable;
  provisioning_state: ProvisioningStateTable;
  provisioning_hints: ProvisioningHintsTable;
  provisioning_users: ProvisioningUsersTable;
  app_group_links: AppGroupLinksTable;
  app_group_link_members: AppGroupLinkMembersTable;
  provisioning_syncs: ProvisioningSyncsTable;
  activation_email_batches: ActivationEmailBatchesTable;
  user_activation_tokens: UserActivationTokensTable;
  user_sessions: UserSessionsTable;
  scim_sources: ScimSourcesTable;
  scim_source_requests: ScimSourceRequestsTable;
  scim_source_removals: ScimSourceRemovalsTable;
  scim_user_data: ScimUserDataTable;
  scim_group_data: ScimGroupDataTable;
}
