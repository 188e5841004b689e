// Directory Insights filters as they live in the URL, and as the API wants them.
import type { QueryOf } from '../../api/types.ts';

export const EVENT_TYPES = [
  'user_create',
  'user_update',
  'user_delete',
  'group_create',
  'group_update',
  'group_delete',
  'group_member_add',
  'group_member_remove',
  'application_create',
  'application_update',
  'application_delete',
  'application_group_bind',
  'application_group_unbind',
  'idm_configured',
  'idm_tested',
  'idm_activated',
  'idm_deactivated',
  'import_started',
  'import_completed',
  'user_create_provision',
  'user_update_provision',
  'user_deprovision',
  'user_delete_provision',
  'group_create_provision',
  'group_update_provision',
  'group_delete_provision',
  'group_unlink_provision',
  'admin_login_attempt',
  'admin_create',
  'admin_delete',
  'api_key_create',
  'api_key_delete',
];

export const INSIGHTS_DEFAULTS = {
  from: '',
  to: '',
  eventType: '',
  initiatedBy: '',
  resourceId: '',
  applicationId: '',
  success: '',
  limit: '50',
};
export type InsightsFilter = typeof INSIGHTS_DEFAULTS;

export const PRESETS: { value: string; label: string; ms: number }[] = [
  { value: '1h', label: 'Last hour', ms: 3600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 24 * 3600_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 24 * 3600_000 },
];

/** The query string of the events API (the same for the table and the CSV export). */
export function apiQuery(f: InsightsFilter): Omit<QueryOf<'/api/v1/insights/events'>, 'limit' | 'cursor' | 'format'> {
  const out: Record<string, string> = {};
  for (const k of ['from', 'to', 'eventType', 'initiatedBy', 'resourceId', 'applicationId', 'success'] as const) if (f[k]) out[k] = f[k];
  // success comes from a select of 'true' and 'false'; the server checks every value again.
  return out;
}
