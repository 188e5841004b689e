// An application's import settings: the match rules every import uses, and the schedule that starts
// imports on its own (scheduler.ts). Saving a schedule computes its next occurrence and remembers who
// saved it: scheduled runs run as him and email him.
import { getApplication } from '../applications/index.ts';
import type { DbContext } from '../db/context.ts';
import { inTransaction } from '../db/database.ts';
import { record } from '../insights/index.ts';
import { loadScimConfig } from '../integrations/index.ts';
import type { Actor } from '../shared/actor.ts';
import { DEFAULT_MATCH_RULES, type MatchRule } from './classify.ts';
import { nextOccurrence } from './cron.ts';
import type { ImportSettings } from './imports.schemas.ts';
import { findSettings, saveSettings, type SettingsRow } from './settings.repository.ts';
import { DEFAULT_GUARDRAIL_PERCENT, type PutImportSettings, type ScheduleInput } from './settings.schemas.ts';

export interface SettingsContext extends DbContext {
  /** loadScimConfig's: whether the application has an integration configured. */
  secretKey: Buffer;
}

type ScheduleColumns = Pick<
  SettingsRow,
  | 'schedule_cron'
  | 'schedule_time_zone'
  | 'schedule_mode'
  | 'schedule_fields'
  | 'schedule_guardrail_percent'
  | 'next_run_at'
  | 'schedule_set_by_type'
  | 'schedule_set_by_id'
  | 'schedule_set_by_email'
>;

const NO_SCHEDULE: ScheduleColumns = {
  schedule_cron: null,
  schedule_time_zone: null,
  schedule_mode: null,
  schedule_fields: null,
  schedule_guardrail_percent: null,
  next_run_at: null,
  schedule_set_by_type: null,
  schedule_set_by_id: null,
  schedule_set_by_email: null,
};

/** The settings as the API shows them (the defaults for an application without a row). */
export function toSettings(row: SettingsRow | undefined): ImportSettings {
  const matchBy = row ? (JSON.parse(row.match_by) as MatchRule[]) : [...DEFAULT_MATCH_RULES];
  if (!row?.schedule_cron || !row.schedule_time_zone || !row.schedule_mode) return { matchBy, schedule: null };
  return {
    matchBy,
    schedule: {
      cron: row.schedule_cron,
      timeZone: row.schedule_time_zone,
      mode: row.schedule_mode,
      ...(row.schedule_fields ? { fields: JSON.parse(row.schedule_fields) as NonNullable<ScheduleInput['fields']> } : {}),
      guardrailPercent: row.schedule_guardrail_percent ?? DEFAULT_GUARDRAIL_PERCENT,
      nextRunAt: row.next_run_at,
    },
  };
}

function scheduleColumns(s: ScheduleInput, actor: Actor, now: Date): ScheduleColumns {
  return {
    schedule_cron: s.cron.trim().split(/\s+/).join(' '),
    schedule_time_zone: s.timeZone,
    schedule_mode: s.mode,
    schedule_fields: s.mode === 'new_and_update' ? JSON.stringify(s.fields ?? 'all') : null,
    schedule_guardrail_percent: s.guardrailPercent ?? DEFAULT_GUARDRAIL_PERCENT,
    next_run_at: nextOccurrence(s.cron, s.timeZone, now),
    schedule_set_by_type: actor.type,
    schedule_set_by_id: actor.id,
    schedule_set_by_email: actor.email ?? null,
  };
}

export async function getImportSettings(
  ctx: Pick<DbContext, 'db'>,
  organizationId: string,
  applicationId: string,
): Promise<ImportSettings> {
  await getApplication({ db: ctx.db }, organizationId, applicationId);
  return toSettings(await findSettings(ctx.db, applicationId));
}

/** What a PUT changed, each as before and after (nextRunAt left out: it moves on its own). */
function changesOf(before: ImportSettings, after: ImportSettings): Record<string, { before: unknown; after: unknown }> {
  const withoutNext = (s: ImportSettings['schedule']) => (s ? { ...s, nextRunAt: undefined } : null);
  const out: Record<string, { before: unknown; after: unknown }> = {};
  if (JSON.stringify(before.matchBy) !== JSON.stringify(after.matchBy)) out.matchBy = { before: before.matchBy, after: after.matchBy };
  const [b, a] = [withoutNext(before.schedule), withoutNext(after.schedule)];
  if (JSON.stringify(b) !== JSON.stringify(a)) out.schedule = { before: b, after: a };
  return out;
}

/** Saves what the request names (matchBy, schedule: null removes it) and records what changed. */
export async function putImportSettings(
  ctx: SettingsContext,
  actor: Actor,
  applicationId: string,
  input: PutImportSettings,
): Promise<ImportSettings> {
  const app = await getApplication({ db: ctx.db }, actor.organizationId, applicationId);
  // A schedule imports from the integration: 409 IDM_NOT_CONFIGURED without one, as an import does.
  if (input.schedule) await loadScimConfig(ctx, actor.organizationId, applicationId);
  return inTransaction(ctx.db, async (trx) => {
    const current = await findSettings(trx, applicationId);
    const now = ctx.clock.now();
    const base: SettingsRow = current ?? {
      application_id: applicationId,
      organization_id: actor.organizationId,
      match_by: JSON.stringify(DEFAULT_MATCH_RULES),
      last_scheduled_run_id: null,
      ...NO_SCHEDULE,
      updated_at: '',
    };
    const row: SettingsRow = {
      ...base,
      ...(input.matchBy ? { match_by: JSON.stringify(input.matchBy) } : {}),
      ...(input.schedule === null ? NO_SCHEDULE : input.schedule ? scheduleColumns(input.schedule, actor, now) : {}),
      updated_at: now.toISOString(),
    };
    await saveSettings(trx, row);
    const before = toSettings(current);
    const after = toSettings(row);
    const changes = changesOf(before, after);
    if (Object.keys(changes).length > 0) {
      await record(
        { db: trx, clock: ctx.clock },
        {
          eventType: 'import_settings_updated',
          service: 'import',
          actor,
          resource: { type: 'application', id: app.id },
          application: { id: app.id, name: app.name },
          changes,
        },
      );
    }
    return after;
  });
}
