// SCIM sources, the admin side: create (the token shown once), list, read, change, delete (the row
// stays, the token stops working), rotate the token, the request log and the figures of one source.
// Every change records its Insights event in its transaction; no event carries the token or its hash.
import type { DbContext } from '../db/context.ts';
import { inTransaction } from '../db/database.ts';
import { uniqueViolation } from '../db/errors.ts';
import { record } from '../insights/index.ts';
import type { Actor } from '../shared/actor.ts';
import { decodeCursor, keysetPage } from '../shared/cursor.ts';
import { conflict, notFound, validationError } from '../shared/errors.ts';
import { newId, UUID_RE } from '../shared/ids.ts';
import type { z } from 'zod';
import { guardrailState } from './guardrail.ts';
import { liveSource, parseSettings, sourceBaseUrl, sourceEvent } from './source.ts';
import * as repo from './sources.repository.ts';
import {
  type CreatedSource,
  type CreateSourceInput,
  createSourceSchema,
  DEFAULT_GUARDRAIL,
  DEFAULT_SOURCE_SETTINGS,
  type ScimSourceView,
  type SettingsInput,
  type SourceRequest,
  type SourceSettings,
  type SourceStats,
  type StatusCounts,
  sourceSettingsSchema,
  type UpdateSourceInput,
  updateSourceSchema,
} from './sources.schemas.ts';
import { newSourceToken } from './tokens.ts';

/** What the admin side needs besides the database: the public URL the base URL is built from. */
export interface SourcesContext extends DbContext {
  publicUrl: string;
}

const HOUR_MS = 60 * 60_000;

/** Input from the CLI meets the same rules as the API's, with the same field paths. */
function parsed<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw validationError(
    r.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys'
        ? i.keys.map((k) => ({ path: ['body', ...i.path, k].join('.'), message: 'unknown field' }))
        : [{ path: ['body', ...i.path].join('.'), message: i.message }],
    ),
  );
}

/** The settings given merged over the current ones; a guardrail given in part keeps (or defaults) the rest. */
function mergeSettings(current: SourceSettings, input: SettingsInput | undefined): SourceSettings {
  if (!input) return current;
  const { deleteGuardrail, ...rest } = input;
  const merged: SourceSettings = { ...current, ...rest };
  if (deleteGuardrail === null) merged.deleteGuardrail = null;
  else if (deleteGuardrail) merged.deleteGuardrail = { ...(current.deleteGuardrail ?? DEFAULT_GUARDRAIL), ...deleteGuardrail };
  return parsed(sourceSettingsSchema, merged);
}

const nameTaken = (name: string) =>
  conflict('SCIM_SOURCE_NAME_TAKEN', `A SCIM source named "${name}" already exists`, [{ path: 'body.name', message: 'already taken' }]);

async function guardName<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (uniqueViolation(err)) throw nameTaken(name);
    throw err;
  }
}

function toView(ctx: Pick<SourcesContext, 'publicUrl'>, row: repo.SourceRow, counts = { users: 0, groups: 0 }): ScimSourceView {
  const createdBy: ScimSourceView['createdBy'] = { type: row.initiated_by_type, id: row.initiated_by_id };
  if (row.initiated_by_email) createdBy.email = row.initiated_by_email;
  return {
    id: row.id,
    name: row.name,
    baseUrl: sourceBaseUrl(ctx.publicUrl),
    tokenHint: row.token_hint,
    settings: parseSettings(row.settings),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    createdBy,
    tokenRotatedAt: row.token_rotated_at,
    lastRequestAt: row.last_request_at,
    deletedAt: row.deleted_at,
    guardrail: { pausedAt: row.guardrail_paused_at, confirmedAt: row.guardrail_confirmed_at },
    counts,
  };
}

export async function createSource(ctx: SourcesContext, actor: Actor, input: CreateSourceInput): Promise<CreatedSource> {
  const { name, settings: given } = parsed(createSourceSchema, input);
  const settings = mergeSettings(DEFAULT_SOURCE_SETTINGS, given);
  const { token, hash, hint } = newSourceToken();
  const now = ctx.clock.now().toISOString();
  const row: repo.SourceRow = {
    id: newId(ctx.clock.now().getTime()),
    organization_id: actor.organizationId,
    name,
    name_lower: name.toLowerCase(),
    settings: JSON.stringify(settings),
    token_hash: hash,
    token_hint: hint,
    initiated_by_type: actor.type,
    initiated_by_id: actor.id,
    initiated_by_email: actor.email ?? null,
    created_at: now,
    updated_at: now,
    token_rotated_at: null,
    last_request_at: null,
    deleted_at: null,
    guardrail_paused_at: null,
    guardrail_confirmed_at: null,
  };
  await inTransaction(ctx.db, async (trx) => {
    if (await repo.findLiveSourceByName(trx, actor.organizationId, row.name_lower)) throw nameTaken(name);
    await guardName(name, () => repo.insertSource(trx, row));
    await record({ db: trx, clock: ctx.clock }, sourceEvent('scim_source_create', actor, row, { changes: { name, settings } }));
  });
  return { ...toView(ctx, row), token };
}

/** The sources of the organization by name, with what each created; deleted ones only when asked. */
export async function listSources(
  ctx: Pick<SourcesContext, 'db' | 'publicUrl'>,
  organizationId: string,
  opts: { includeDeleted?: boolean } = {},
): Promise<ScimSourceView[]> {
  const rows = await repo.listSources(ctx.db, organizationId, opts.includeDeleted ?? false);
  const counts = rows.length > 0 ? await repo.countCreated(ctx.db, organizationId) : new Map();
  return rows.map((r) => toView(ctx, r, counts.get(r.id)));
}

/** A source by id, deleted ones too (their users and groups still name them). */
export async function getSource(
  ctx: Pick<SourcesContext, 'db' | 'publicUrl'>,
  organizationId: string,
  id: string,
): Promise<ScimSourceView> {
  const row = await repo.findSource(ctx.db, organizationId, id);
  if (!row) throw notFound('SCIM source', id);
  return toView(ctx, row, await repo.countCreatedBy(ctx.db, organizationId, id));
}

/** For the CLI: a source that is not deleted, by id or by name in any letter case. */
export async function findSourceByIdOrName(
  ctx: Pick<SourcesContext, 'db' | 'publicUrl'>,
  organizationId: string,
  idOrName: string,
): Promise<ScimSourceView | undefined> {
  const byId = UUID_RE.test(idOrName) ? await repo.findSource(ctx.db, organizationId, idOrName) : undefined;
  const row = byId ?? (await repo.findLiveSourceByName(ctx.db, organizationId, idOrName.trim().toLowerCase()));
  return row && toView(ctx, row, await repo.countCreatedBy(ctx.db, organizationId, row.id));
}

/** What changed between two settings objects, key by key. */
function settingsChanges(from: SourceSettings, to: SourceSettings): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(to) as (keyof SourceSettings)[]) {
    if (JSON.stringify(from[key]) !== JSON.stringify(to[key])) out[key] = { from: from[key], to: to[key] };
  }
  return out;
}

/** Name and settings (merged over the current ones); a patch that changes nothing records nothing. */
export async function updateSource(ctx: SourcesContext, actor: Actor, id: string, input: UpdateSourceInput): Promise<ScimSourceView> {
  const patch = parsed(updateSourceSchema, input);
  const updated = await inTransaction(ctx.db, async (trx) => {
    const current = await liveSource(trx, actor.organizationId, id);
    const before = parseSettings(current.settings);
    const settings = mergeSettings(before, patch.settings);
    const changes: Record<string, unknown> = {};
    const set: Partial<repo.SourceRow> = {};
    if (patch.name !== undefined && patch.name !== current.name) {
      const lower = patch.name.toLowerCase();
      const other = await repo.findLiveSourceByName(trx, actor.organizationId, lower);
      if (other && other.id !== id) throw nameTaken(patch.name);
      Object.assign(set, { name: patch.name, name_lower: lower });
      changes.name = { from: current.name, to: patch.name };
    }
    const changedSettings = settingsChanges(before, settings);
    if (Object.keys(changedSettings).length > 0) {
      set.settings = JSON.stringify(settings);
      changes.settings = changedSettings;
    }
    if (Object.keys(changes).length === 0) return current;
    set.updated_at = ctx.clock.now().toISOString();
    await guardName(patch.name ?? current.name, () => repo.updateSource(trx, actor.organizationId, id, set));
    const row = { ...current, ...set };
    await record({ db: trx, clock: ctx.clock }, sourceEvent('scim_source_update', actor, row, { changes }));
    return row;
  });
  return toView(ctx, updated, await repo.countCreatedBy(ctx.db, actor.organizationId, id));
}

/** Marks the source deleted: its token is refused from the commit on; its users and groups keep naming it. */
export async function deleteSource(ctx: DbContext, actor: Actor, id: string): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    const row = await liveSource(trx, actor.organizationId, id);
    const now = ctx.clock.now().toISOString();
    await repo.updateSource(trx, actor.organizationId, id, { deleted_at: now, updated_at: now });
    await record({ db: trx, clock: ctx.clock }, sourceEvent('scim_source_delete', actor, row, { changes: { name: row.name } }));
  });
}

/** A new token (shown once, in the answer); the old one is refused from the commit on, in every process. */
export async function rotateSourceToken(ctx: DbContext, actor: Actor, id: string): Promise<{ token: string }> {
  const { token, hash, hint } = newSourceToken();
  await inTransaction(ctx.db, async (trx) => {
    const row = await liveSource(trx, actor.organizationId, id);
    const now = ctx.clock.now().toISOString();
    await repo.updateSource(trx, actor.organizationId, id, { token_hash: hash, token_hint: hint, token_rotated_at: now, updated_at: now });
    const message = 'A new token was issued; the previous one is refused from now on';
    await record({ db: trx, clock: ctx.clock }, sourceEvent('scim_source_token_rotate', actor, row, { message }));
  });
  return { token };
}

/** The source's request log, newest first (deleted sources' too: what they did stays readable). */
export async function listSourceRequests(
  ctx: Pick<DbContext, 'db'>,
  organizationId: string,
  id: string,
  page: { limit: number; cursor?: string },
): Promise<{ items: SourceRequest[]; nextCursor: string | null }> {
  if (!(await repo.findSource(ctx.db, organizationId, id))) throw notFound('SCIM source', id);
  let before: { at: string; id: string } | undefined;
  if (page.cursor) {
    const [at, rowId] = decodeCursor(page.cursor, ['string', 'string']) as [string, string];
    before = { at, id: rowId };
  }
  const rows = await repo.listRequests(ctx.db, id, page.limit + 1, before);
  return keysetPage(rows, page.limit, toRequest, (r) => [r.at, r.id]);
}

function toRequest(r: repo.RequestRow): SourceRequest {
  const out: SourceRequest = { id: r.id, at: r.at, method: r.method, path: r.path, status: r.status, durationMs: r.duration_ms };
  if (r.scim_type !== null) out.scimType = r.scim_type;
  if (r.detail !== null) out.detail = r.detail;
  if (r.resource_type !== null) out.resourceType = r.resource_type;
  if (r.resource_id !== null) out.resourceId = r.resource_id;
  return out;
}

function statusCounts(byClass: Map<number, number>): StatusCounts {
  const n = (c: number) => byClass.get(c) ?? 0;
  const total = [...byClass.values()].reduce((a, b) => a + b, 0);
  return { total, errors: n(4) + n(5), byStatusClass: { '2xx': n(2), '3xx': n(3), '4xx': n(4), '5xx': n(5) } };
}

/** Requests and errors of the last hour and day, what the source created, and where its guardrail stands. */
export async function sourceStats(ctx: DbContext, organizationId: string, id: string): Promise<SourceStats> {
  const row = await repo.findSource(ctx.db, organizationId, id);
  if (!row) throw notFound('SCIM source', id);
  const now = ctx.clock.now().getTime();
  const since = (ms: number) => new Date(now - ms).toISOString();
  const guardrail = await guardrailState(ctx, row);
  return {
    requests: {
      lastHour: statusCounts(await repo.countRequestsByClass(ctx.db, id, since(HOUR_MS))),
      last24Hours: statusCounts(await repo.countRequestsByClass(ctx.db, id, since(24 * HOUR_MS))),
    },
    created: await repo.countCreatedBy(ctx.db, organizationId, id),
    guardrail: {
      enabled: guardrail.limit !== null,
      windowStart: guardrail.windowStart,
      removals: guardrail.removals,
      limit: guardrail.limit,
      pausedAt: row.guardrail_paused_at,
      confirmedAt: row.guardrail_confirmed_at,
    },
  };
}
