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

/** The users a run created, one row per chunk of a batch (see runs.repository.ts). */
export interface ImportRunCreatedTable {
  run_id: string;
  first_seq: number;
  last_seq: number;
  /** JSON array of [seq, remote id, user name, email, user id]. */
  users: string;
}
