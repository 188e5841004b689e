// import_settings: per application, the match rules and the schedule. Every import reads the rules
// through matchRulesOf; an application without a row has the default rules and no schedule.
import type { Db } from '../db/database.ts';
import { findRow, updateRows } from '../db/queries.ts';
import type { ImportSettingsTable } from '../db/schema.ts';
import { DEFAULT_MATCH_RULES, type MatchRule } from './classify.ts';

export type SettingsRow = ImportSettingsTable;

export async function findSettings(db: Db, applicationId: string): Promise<SettingsRow | undefined> {
  return findRow(db, 'import_settings', { application_id: applicationId });
}

/** The application's match rules in priority order (the default ones when it has no settings). */
export async function matchRulesOf(db: Db, applicationId: string): Promise<MatchRule[]> {
  const row = await findSettings(db, applicationId);
  return row ? (JSON.parse(row.match_by) as MatchRule[]) : [...DEFAULT_MATCH_RULES];
}

/** Writes the whole row (insert or replace). */
export async function saveSettings(db: Db, row: SettingsRow): Promise<void> {
  const { application_id: _, ...rest } = row;
  await db
    .insertInto('import_settings')
    .values(row)
    .onConflict((oc) => oc.column('application_id').doUpdateSet(rest))
    .execute();
}

/** The schedules due at `now` (next_run_at reached), the longest overdue first. */
export async function listDueSchedules(db: Db, now: string, limit: number): Promise<SettingsRow[]> {
  return db
    .selectFrom('import_settings')
    .selectAll()
    .where('next_run_at', '<=', now)
    .where('schedule_cron', 'is not', null)
    .orderBy('next_run_at')
    .limit(limit)
    .execute();
}

/**
 * Takes the occurrence due at `due` by moving the schedule on to `next`: true for the one process
 * that moved it (another that read the same row finds it moved, or the schedule changed, and leaves it).
 */
export async function claimOccurrence(db: Db, applicationId: string, due: string, next: string): Promise<boolean> {
  return (await updateRows(db, 'import_settings', { application_id: applicationId, next_run_at: due }, { next_run_at: next })) === 1;
}

export async function setLastScheduledRun(db: Db, applicationId: string, runId: string): Promise<void> {
  await updateRows(db, 'import_settings', { application_id: applicationId }, { last_scheduled_run_id: runId });
}
