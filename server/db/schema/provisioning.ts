// Tables owned by server/provisioning/ (its repositories are the only ones that write them).

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
