// Tables owned by server/applications/ (its repositories are the only ones that write them).
import type { NamedResourceTable } from './directory.ts';

/** The same columns as groups: both are the directory's named resources. */
export type ApplicationsTable = NamedResourceTable;

export interface ApplicationGroupsTable {
  organization_id: string;
  application_id: string;
  group_id: string;
  created_at: string;
}
