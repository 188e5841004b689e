// Table types for Kysely. Timestamps are RFC 3339 UTC strings in both dialects; booleans are 0/1 integers.
import type { Generated } from 'kysely';

export interface OrganizationsTable {
  id: string;
  name: string;
  created_at: string;
  /** 1: admins without MFA can only enrol. */
  require_admin_mfa: Generated<number>;
}

export interface AdminsTable {
  id: string;
  organization_id: string;
  email: string;
  email_lower: string;
  name: Generated<string>;
  role: 'admin' | 'read_only';
  password_hash: string;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface AdminSessionsTable {
  id: string;
  organization_id: string;
  admin_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  client_ip: string | null;
  user_agent: string | null;
}

export interface LoginThrottleTable {
  organization_id: string;
  key: string;
  failures: number;
  window_started_at: string;
  locked_until: string | null;
}

export interface SetupTokensTable {
  id: string;
  organization_id: string;
  token_hash: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface AdminMfaTable {
  admin_id: string;
  organization_id: string;
  secret_enc: string;
  /** JSON array of SHA-256 hex digests; a used code is removed. */
  recovery_code_hashes: string;
  last_used_step: number | null;
  created_at: string;
  /** Null while the enrolment waits for its first code. */
  enabled_at: string | null;
}

export interface AdminMfaChallengesTable {
  id: string;
  organization_id: string;
  admin_id: string;
  attempts: Generated<number>;
  client_ip: string | null;
  user_agent: string | null;
  created_at: string;
  expires_at: string;
}

export interface ApiKeysTable {
  id: string;
  organization_id: string;
  name: string;
  role: 'admin' | 'read_only';
  key_hash: string;
  key_prefix: string;
  created_by_admin_id: string | null;
  created_at: string;
  last_used_at: string | null;
}

export interface UsersTable {
  id: string;
  organization_id: string;
  username: string;
  username_lower: string;
  email: string;
  email_lower: string;
  firstname: string;
  middlename: string;
  lastname: string;
  displayname: string;
  job_title: string;
  department: string;
  cost_center: string;
  employee_type: string;
  employee_identifier: string;
  organization: string;
  /** JSON array of addresses. */
  addresses: string;
  /** JSON array of phone numbers. */
  phone_numbers: string;
  state: 'STAGED' | 'ACTIVE' | 'SUSPENDED';
  password_status: 'PENDING' | 'ACTIVE' | 'EXPIRED';
  password_hash: string | null;
  source_type: string | null;
  source_application_id: string | null;
  source_import_run_id: string | null;
  search_text: string;
  created_at: string;
  updated_at: string;
}

export interface GroupsTable {
  id: string;
  organization_id: string;
  name: string;
  name_lower: string;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface GroupMembersTable {
  organization_id: string;
  group_id: string;
  user_id: string;
  created_at: string;
}

export interface ApplicationsTable {
  id: string;
  organization_id: string;
  name: string;
  name_lower: string;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface ApplicationGroupsTable {
  organization_id: string;
  application_id: string;
  group_id: string;
  created_at: string;
}

export interface InsightEventsTable {
  id: string;
  organization_id: string;
  timestamp: string;
  event_type: string;
  service: string;
  success: number;
  initiated_by_type: string;
  initiated_by_id: string | null;
  initiated_by_email: string | null;
  resource_type: string;
  resource_id: string | null;
  resource_username: string | null;
  application_id: string | null;
  application_name: string | null;
  import_run_id: string | null;
  /** JSON */
  changes: string | null;
  message: string | null;
  client_ip: string | null;
}

export interface IdmIntegrationsTable {
  application_id: string;
  organization_id: string;
  status: 'inactive' | 'active' | 'error';
  base_url: string;
  auth_type: 'bearer' | 'basic' | 'oauth2_client_credentials';
  auth_config: string;
  secrets_enc: string | null;
  headers_enc: string | null;
  /** JSON array: header names are shown, values are secret. */
  header_names: string;
  settings: string;
  capabilities: string | null;
  last_test: string | null;
  last_error: string | null;
  generation: number;
  activated_at: string | null;
  deactivated_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AppUserLinksTable {
  organization_id: string;
  application_id: string;
  user_id: string;
  remote_id: string;
  remote_user_name: string;
  origin: 'import' | 'provision';
  created_at: string;
  updated_at: string;
}

export interface ImportSnapshotsTable {
  id: string;
  organization_id: string;
  application_id: string;
  status: 'building' | 'ready' | 'failed';
  total: number;
  error: string | null;
  /** HMAC of the connection that listed it (integrations' connectionKey); null before 2026-12-05. */
  connection_key: string | null;
  created_at: string;
  expires_at: string;
}

export interface ImportSnapshotUsersTable {
  snapshot_id: string;
  remote_id: string;
  seq: number;
  user_name: string;
  user_name_lower: string;
  email: string;
  email_lower: string;
  firstname: string;
  lastname: string;
  displayname: string;
  remote_active: number;
  /** JSON of the mapped directory attributes. */
  attributes: string;
  status: 'new' | 'exists' | 'invalid';
  /** JSON array of strings. */
  reasons: string;
  existing_user_id: string | null;
  search_text: string;
}

export interface ImportRunsTable {
  id: string;
  organization_id: string;
  application_id: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  mode: 'all' | 'selection';
  selection: string | null;
  snapshot_id: string | null;
  total: number;
  processed: number;
  created: number;
  skipped: number;
  failed: number;
  initiated_by_type: string;
  initiated_by_id: string | null;
  initiated_by_email: string | null;
  notify_email: string | null;
  error: string | null;
  attempt: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

export interface ImportRunResultsTable {
  run_id: string;
  remote_id: string;
  seq: number;
  user_name: string;
  email: string;
  outcome: 'created' | 'skipped' | 'failed';
  reason: string | null;
  user_id: string | null;
}

export interface ProvisioningStateTable {
  application_id: string;
  organization_id: string;
  full_token: string | null;
  next_full_at: string | null;
  lock_owner: string | null;
  lock_until: string | null;
  /** JSON of the guardrail pause. */
  pause: string | null;
  paused_at: string | null;
  confirmed_count: number | null;
  update_mode: 'patch' | 'put' | null;
  last_sync_id: string | null;
  updated_at: string;
}

export interface ProvisioningHintsTable {
  application_id: string;
  organization_id: string;
  kind: 'user' | 'group';
  item_id: string;
  token: string;
  created_at: string;
}

export interface ProvisioningUsersTable {
  application_id: string;
  organization_id: string;
  user_id: string;
  user_name: string;
  remote_id: string | null;
  /** JSON of the directory attributes last pushed. */
  pushed_attributes: string | null;
  pushed_active: number | null;
  status: 'pending' | 'ok' | 'failed' | 'orphaned';
  last_operation: string | null;
  last_error: string | null;
  attempts: number;
  next_attempt_at: string | null;
  claimed_by: string | null;
  claimed_until: string | null;
  last_synced_at: string | null;
  updated_at: string;
}

export interface AppGroupLinksTable {
  application_id: string;
  organization_id: string;
  group_id: string;
  group_name: string;
  remote_id: string | null;
  pushed_name: string | null;
  origin: 'provision' | 'adopt';
  status: 'pending' | 'ok' | 'failed';
  last_operation: string | null;
  last_error: string | null;
  attempts: number;
  created_at: string;
  updated_at: string;
}

export interface AppGroupLinkMembersTable {
  application_id: string;
  group_id: string;
  remote_user_id: string;
}

export interface ProvisioningSyncsTable {
  id: string;
  organization_id: string;
  application_id: string;
  kind: 'full' | 'incremental';
  trigger: string;
  status: 'queued' | 'running' | 'completed' | 'paused' | 'failed' | 'cancelled';
  processed: number;
  /** JSON of counts by outcome. */
  counts: string;
  error: string | null;
  initiated_by_type: string;
  initiated_by_id: string | null;
  initiated_by_email: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface ActivationEmailBatchesTable {
  id: string;
  organization_id: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  mode: 'ids' | 'filter';
  /** JSON: the sorted user ids, or the list filter. */
  selection: string;
  total: number;
  queued: number;
  skipped: number;
  /** JSON array of {id, reason, message}, capped. */
  skipped_items: string;
  cursor: string | null;
  initiated_by_type: string;
  initiated_by_id: string | null;
  initiated_by_email: string | null;
  client_ip: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

export interface UserActivationTokensTable {
  id: string;
  organization_id: string;
  user_id: string;
  /** sha256 of the token; the token itself is only in the email. */
  token_hash: string;
  sent_to: string;
  sent_by_type: string;
  sent_by_id: string | null;
  batch_id: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
}

export interface UserSessionsTable {
  id: string;
  organization_id: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  client_ip: string | null;
  user_agent: string | null;
}

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
  provisioning_state: ProvisioningStateTable;
  provisioning_hints: ProvisioningHintsTable;
  provisioning_users: ProvisioningUsersTable;
  app_group_links: AppGroupLinksTable;
  app_group_link_members: AppGroupLinkMembersTable;
  provisioning_syncs: ProvisioningSyncsTable;
  activation_email_batches: ActivationEmailBatchesTable;
  user_activation_tokens: UserActivationTokensTable;
  user_sessions: UserSessionsTable;
}
