// Tables owned by server/directory/ (its repositories are the only ones that write them).

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
  /** The SCIM source (inbound SCIM) that created the user, with source_type 'scim'. */
  source_scim_source_id: string | null;
  search_text: string;
  created_at: string;
  updated_at: string;
}

/** A named resource: groups, and applications (schema/applications.ts), which directory/named-resources.ts serves alike. */
export interface NamedResourceTable {
  id: string;
  organization_id: string;
  name: string;
  name_lower: string;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface GroupsTable extends NamedResourceTable {
  /** 'scim' for a group a SCIM source created, else null. */
  source_type: string | null;
  source_scim_source_id: string | null;
}

export interface GroupMembersTable {
  organization_id: string;
  group_id: string;
  user_id: string;
  created_at: string;
}
