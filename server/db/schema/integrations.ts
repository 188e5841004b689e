// Tables owned by server/integrations/ (its repositories are the only ones that write them).

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
