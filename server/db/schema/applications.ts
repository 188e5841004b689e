// Tables owned by server/applications/ (its repositories are the only ones that write them).

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
