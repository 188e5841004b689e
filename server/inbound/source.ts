// A SCIM source as the SCIM endpoint uses it (settings parsed), and as an actor of what it changes.
import type { Db } from '../db/database.ts';
import type { InsightEventInput } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { notFound } from '../shared/errors.ts';
import { DEFAULT_SOURCE_SETTINGS, type SourceSettings } from './sources.schemas.ts';
import { findSource, type SourceRow } from './sources.repository.ts';

export interface ScimSource {
  id: string;
  organizationId: string;
  name: string;
  settings: SourceSettings;
  guardrailPausedAt: string | null;
  guardrailConfirmedAt: string | null;
}

/**
 * Stored settings were validated when written (sources.service.ts is their only writer); a newer
 * default fills any key an older row lacks. Read on every SCIM request, so not parsed again with zod.
 */
export function parseSettings(json: string): SourceSettings {
  return { ...DEFAULT_SOURCE_SETTINGS, ...(JSON.parse(json) as Partial<SourceSettings>) };
}

export const toScimSource = (row: SourceRow): ScimSource => ({
  id: row.id,
  organizationId: row.organization_id,
  name: row.name,
  settings: parseSettings(row.settings),
  guardrailPausedAt: row.guardrail_paused_at,
  guardrailConfirmedAt: row.guardrail_confirmed_at,
});

/** The source as the actor of its changes: Insights names it (initiatedBy {type: scim_source, id, name}). */
export const sourceActor = (source: Pick<ScimSource, 'id' | 'name' | 'organizationId'>): Actor => ({
  type: 'scim_source',
  id: source.id,
  name: source.name,
  organizationId: source.organizationId,
});

/** A source as the resource of an Insights event. */
export const sourceResource = (source: { id: string; name: string }) => ({ type: 'scim_source', id: source.id, username: source.name });

/** Where the source sends its requests. */
export const sourceBaseUrl = (publicUrl: string) => `${publicUrl.replace(/\/+$/, '')}/scim/v2`;

/** A source that is not deleted, read in the caller's transaction: what every change of one starts from. */
export async function liveSource(db: Db, organizationId: string, id: string): Promise<SourceRow> {
  const row = await findSource(db, organizationId, id);
  if (!row || row.deleted_at) throw notFound('SCIM source', id);
  return row;
}

/** An Insights event about a source (service idm, the source as the resource). */
export const sourceEvent = (
  eventType: string,
  actor: Actor,
  source: { id: string; name: string },
  more: Pick<InsightEventInput, 'changes' | 'message'> = {},
): InsightEventInput => ({ eventType, service: 'idm', actor, resource: sourceResource(source), ...more });
