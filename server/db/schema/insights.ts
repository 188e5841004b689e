// Tables owned by server/insights/ (its repositories are the only ones that write them).

export interface InsightEventsTable {
  id: string;
  organization_id: string;
  timestamp: string;
  event_type: string;
  service: string;
  success: number;
  initiated_by_type: string;
  initiated_by_id: string | null;
  initiated_by_email: string | null;
  /** The actor's name where it has no email (a SCIM source). */
  initiated_by_name: string | null;
  resource_type: string;
  resource_id: string | null;
  resource_username: string | null;
  application_id: string | null;
  application_name: string | null;
  import_run_id: string | null;
  /** JSON */
  changes: string | null;
  message: string | null;
  client_ip: string | null;
}
