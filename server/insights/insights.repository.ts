import type { Db } from '../db/database.ts';
import { insertRows } from '../db/insert-rows.ts';
import type { InsightEventsTable } from '../db/schema.ts';
import { keysetAfter } from '../db/keyset.ts';

export type InsightRow = InsightEventsTable;

export async function insertEvents(db: Db, rows: InsightRow[]): Promise<void> {
  await insertRows(db, 'insight_events', rows);
}

export interface EventFilter {
  organizationId: string;
  from?: string;
  to?: string;
  eventTypes?: string[];
  initiatedBy?: string;
  resourceId?: string;
  applicationId?: string;
  success?: boolean;
  /** Keyset: strictly older than this (timestamp, id). */
  before?: { timestamp: string; id: string };
}

export async function listEvents(db: Db, f: EventFilter, limit: number): Promise<InsightRow[]> {
  let q = db.selectFrom('insight_events').selectAll().where('organization_id', '=', f.organizationId);
  if (f.from) q = q.where('timestamp', '>=', f.from);
  if (f.to) q = q.where('timestamp', '<', f.to);
  if (f.eventTypes?.length) q = q.where('event_type', 'in', f.eventTypes);
  if (f.initiatedBy) q = q.where('initiated_by_id', '=', f.initiatedBy);
  if (f.resourceId) q = q.where('resource_id', '=', f.resourceId);
  if (f.applicationId) q = q.where('application_id', '=', f.applicationId);
  if (f.success !== undefined) q = q.where('success', '=', f.success ? 1 : 0);
  if (f.before) {
    const b = f.before;
    q = q.where(keysetAfter(['timestamp', 'id'], '<', [b.timestamp, b.id]));
  }
  return q.orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
