// Tables owned by server/auth/ (its repositories are the only ones that write them).
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
