// Tables owned by server/accounts/ (its repositories are the only ones that write them).

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
