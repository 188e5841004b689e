// Directory Insights: the append-only audit trail. record() takes the caller's transaction so the
// event commits or rolls back with the change it describes.
import type { DbContext } from '../db/context.ts';
import type { Actor } from '../shared/actor.ts';
import { decodeCursor, keysetPage } from '../shared/cursor.ts';
import { newId } from '../shared/ids.ts';
import { type EventFilter, type InsightRow, insertEvents, listEvents } from './insights.repository.ts';

export type InsightService = 'directory' | 'auth' | 'idm' | 'import' | 'provisioning' | 'mail' | 'system';

export interface InsightEventInput {
  eventType: string;
  service: InsightService;
  success?: boolean;
  actor: Actor;
  resource: { type: string; id?: string | null; username?: string | null };
  application?: { id: string; name: string } | null;
  importRunId?: string | null;
  changes?: unknown;
  message?: string | null;
  /** Defaults to now; set when recording many events in one batch. */
  timestamp?: string;
}

export interface InsightEvent {
  id: string;
  timestamp: string;
  eventType: string;
  service: string;
  success: boolean;
  initiatedBy: { type: string; id: string | null; email?: string; name?: string };
  resource: { type: string; id: string | null; username?: string };
  application?: { id: string; name: string };
  importRunId?: string;
  changes?: unknown;
  message?: string;
  clientIp?: string;
}

const MAX_MESSAGE = 2000;

/**
 * Where an event is written: the caller's handle (its transaction, or the plain handle for autocommit)
 * and the clock that stamps events without a timestamp.
 */
export type InsightsContext = Pick<DbContext, 'db' | 'clock'>;

function toRow(e: InsightEventInput, now: () => string): InsightRow {
  return {
    id: newId(),
    organization_id: e.actor.organizationId,
    timestamp: e.timestamp ?? now(),
    event_type: e.eventType,
    service: e.service,
    success: e.success === false ? 0 : 1,
    initiated_by_type: e.actor.type,
    initiated_by_id: e.actor.id,
    initiated_by_email: e.actor.email ?? null,
    initiated_by_name: e.actor.name ?? null,
    resource_type: e.resource.type,
    resource_id: e.resource.id ?? null,
    resource_username: e.resource.username ?? null,
    application_id: e.application?.id ?? null,
    application_name: e.application?.name ?? null,
    import_run_id: e.importRunId ?? null,
    changes: e.changes === undefined ? null : JSON.stringify(e.changes),
    message: e.message ? e.message.slice(0, MAX_MESSAGE) : null,
    client_ip: e.actor.clientIp ?? null,
  };
}

const stamp = (ctx: InsightsContext) => () => ctx.clock.now().toISOString();

/** Appends one event in the caller's transaction (or autocommit when given the plain handle). */
export async function record(ctx: InsightsContext, event: InsightEventInput): Promise<void> {
  await insertEvents(ctx.db, [toRow(event, stamp(ctx))]);
}

/** Appends many events in one statement batch (imports record thousands). */
export async function recordMany(ctx: InsightsContext, events: InsightEventInput[]): Promise<void> {
  const now = stamp(ctx);
  await insertEvents(
    ctx.db,
    events.map((e) => toRow(e, now)),
  );
}

function toEvent(r: InsightRow): InsightEvent {
  const e: InsightEvent = {
    id: r.id,
    timestamp: r.timestamp,
    eventType: r.event_type,
    service: r.service,
    success: r.success === 1,
    initiatedBy: { type: r.initiated_by_type, id: r.initiated_by_id },
    resource: { type: r.resource_type, id: r.resource_id },
  };
  if (r.initiated_by_email) e.initiatedBy.email = r.initiated_by_email;
  if (r.initiated_by_name) e.initiatedBy.name = r.initiated_by_name;
  if (r.resource_username) e.resource.username = r.resource_username;
  if (r.application_id) e.application = { id: r.application_id, name: r.application_name ?? '' };
  if (r.import_run_id) e.importRunId = r.import_run_id;
  if (r.changes !== null) e.changes = JSON.parse(r.changes);
  if (r.message !== null) e.message = r.message;
  if (r.client_ip !== null) e.clientIp = r.client_ip;
  return e;
}

export type EventQuery = Omit<EventFilter, 'before'> & { limit: number; cursor?: string };

export async function queryEvents(
  ctx: Pick<DbContext, 'db'>,
  q: EventQuery,
): Promise<{ items: InsightEvent[]; nextCursor: string | null }> {
  const { limit, cursor, ...filter } = q;
  let before: EventFilter['before'];
  if (cursor) {
    const [timestamp, id] = decodeCursor(cursor, ['string', 'string']) as [string, string];
    before = { timestamp, id };
  }
  const rows = await listEvents(ctx.db, { ...filter, before }, limit + 1);
  return keysetPage(rows, limit, toEvent, (l) => [l.timestamp, l.id]);
}

/** Every matching event, newest first, fetched in batches so memory stays flat. */
export async function* iterateEvents(
  ctx: Pick<DbContext, 'db'>,
  filter: Omit<EventFilter, 'before'>,
  max: number,
): AsyncGenerator<InsightEvent> {
  let before: EventFilter['before'];
  let n = 0;
  while (n < max) {
    const rows = await listEvents(ctx.db, { ...filter, before }, Math.min(1000, max - n));
    for (const r of rows) yield toEvent(r);
    n += rows.length;
    if (rows.length < 1000) return;
    const last = rows[rows.length - 1];
    before = { timestamp: last.timestamp, id: last.id };
  }
}

export const CSV_COLUMNS = [
  'id',
  'timestamp',
  'eventType',
  'service',
  'success',
  'initiatedByType',
  'initiatedById',
  'initiatedByEmail',
  'resourceType',
  'resourceId',
  'resourceUsername',
  'applicationId',
  'applicationName',
  'importRunId',
  'message',
  'clientIp',
  'changes',
] as const;

export function eventCsvRow(e: InsightEvent): unknown[] {
  return [
    e.id,
    e.timestamp,
    e.eventType,
    e.service,
    e.success,
    e.initiatedBy.type,
    e.initiatedBy.id,
    e.initiatedBy.email,
    e.resource.type,
    e.resource.id,
    e.resource.username,
    e.application?.id,
    e.application?.name,
    e.importRunId,
    e.message,
    e.clientIp,
    e.changes === undefined ? '' : JSON.stringify(e.changes),
  ];
}
