// Tables owned by server/imports/ (its repositories are the only ones that write them).

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
  /** The application's totalResults while it is read (a hint: what it said, not what it sent); null when unknown. */
  remote_total: number | null;
  /** When the reading process last stored a page (or started); null before 2026-12-06. */
  read_at: string | null;
  /** JSON array of the match rules the rows were classified under; null before migration 2026-12-06-006. */
  match_by: string | null;
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
  status: 'new' | 'exists' | 'conflict' | 'invalid';
  /** JSON array of strings. */
  reasons: string;
  existing_user_id: string | null;
  search_text: string;
  /** The remote user's SCIM externalId (matched against employeeIdentifier); null before migration 2026-12-06-004. */
  external_id: string | null;
  /** exists: the rule that matched (link, username, email, externalId). */
  match_by: string | null;
  /** conflict: JSON array of {userId, by}. */
  candidates: string | null;
  /** exists: JSON array of {field, current, remote}, the fields whose values differ. */
  changes: string | null;
  /** exists: the directory user's version (updated_at) when the preview was read; compared before an update. */
  existing_version: string | null;
}

/** Per application: how imports match and when they run on their own (server/imports/settings.*). */
export interface ImportSettingsTable {
  application_id: string;
  organization_id: string;
  /** JSON array of match rules in priority order. */
  match_by: string;
  schedule_cron: string | null;
  schedule_time_zone: string | null;
  schedule_mode: 'new' | 'new_and_update' | null;
  /** JSON: "all" or an array of directory field names. */
  schedule_fields: string | null;
  schedule_guardrail_percent: number | null;
  next_run_at: string | null;
  last_scheduled_run_id: string | null;
  /** Who saved the schedule (2026-12-06-005): the scheduled runs' actor, emailed when they end. */
  schedule_set_by_type: string | null;
  schedule_set_by_id: string | null;
  schedule_set_by_email: string | null;
  updated_at: string;
}

export interface ImportRunsTable {
  id: string;
  organization_id: string;
  application_id: string;
  status: 'queued' | 'running' | 'paused' | 'completed' | 'failed';
  mode: 'all' | 'selection';
  kind: 'users' | 'groups' | 'undo';
  trigger: 'manual' | 'schedule';
  /** 1: computes and stores the results, writes nothing else, emails nothing. */
  dry_run: number;
  /** JSON of RunOptions (runs.model.ts). */
  options: string | null;
  /** An undo run: the run it reverts. */
  undo_of_run_id: string | null;
  /** The undo run that reverted (or is reverting) this run. */
  undone_by_run_id: string | null;
  /** paused: why (the guardrail), until an admin confirms. */
  paused_reason: string | null;
  selection: string | null;
  snapshot_id: string | null;
  total: number;
  processed: number;
  created: number;
  skipped: number;
  failed: number;
  linked: number;
  updated: number;
  reverted: number;
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
  outcome: ResultOutcome;
  reason: string | null;
  /** The directory user (users and undo runs) or group (group runs) the result is about. */
  user_id: string | null;
  /** JSON detail: an updated user's changes [{field, before, after}], a group's members, an undo's restored fields. */
  detail: string | null;
  /** Machine-readable reason (changed_since_preview, changed_since_import, provisioned, ...). */
  code: string | null;
}

export type ResultOutcome =
  | 'created'
  | 'linked'
  | 'updated'
  | 'skipped'
  | 'failed'
  // undo runs
  | 'deleted'
  | 'suspended'
  | 'reverted'
  | 'unlinked';

/** The users a users run with `groupId` added to its group (not members before): what its undo takes back. */
export interface ImportRunGroupJoinsTable {
  run_id: string;
  user_id: string;
}

/** The users a run created, one row per chunk of a batch (see runs.repository.ts). */
export interface ImportRunCreatedTable {
  run_id: string;
  first_seq: number;
  last_seq: number;
  /** JSON array of [seq, remote id, user name, email, user id]. */
  users: string;
}
