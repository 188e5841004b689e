// Tables owned by server/inbound/ (inbound SCIM: its repositories are the only ones that write them).

export interface ScimSourcesTable {
  id: string;
  organization_id: string;
  name: string;
  name_lower: string;
  /** JSON: the source's settings (inbound/sources.schemas.ts). */
  settings: string;
  /** SHA-256 hex of the bearer token. */
  token_hash: string;
  /** The token's last 4 characters. */
  token_hint: string;
  initiated_by_type: string;
  initiated_by_id: string | null;
  initiated_by_email: string | null;
  created_at: string;
  updated_at: string;
  token_rotated_at: string | null;
  last_request_at: string | null;
  deleted_at: string | null;
  guardrail_paused_at: string | null;
  guardrail_confirmed_at: string | null;
}

export interface ScimSourceRequestsTable {
  id: string;
  organization_id: string;
  source_id: string;
  at: string;
  method: string;
  /** The path and query, without the host. */
  path: string;
  status: number;
  duration_ms: number;
  scim_type: string | null;
  detail: string | null;
  resource_type: string | null;
  resource_id: string | null;
}

export interface ScimSourceRemovalsTable {
  organization_id: string;
  source_id: string;
  user_id: string;
  kind: 'delete' | 'suspend';
  at: string;
}

export interface ScimUserDataTable {
  user_id: string;
  organization_id: string;
  external_id: string | null;
  /** The source that deleted the user with onDelete "suspend": he answers 404 to it until a POST restores him. */
  deleted_by_source_id: string | null;
  /** JSON object: the SCIM attributes that have no directory field, as sent. */
  attributes: string;
  updated_at: string;
}

export interface ScimGroupDataTable {
  group_id: string;
  organization_id: string;
  external_id: string | null;
  attributes: string;
  updated_at: string;
}
