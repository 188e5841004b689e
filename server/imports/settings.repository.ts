// import_settings: per application, the match rules and the schedule. Every import reads the rules
// through matchRulesOf; an application without a row has the default rules and no schedule.
import type { Db } from '../db/database.ts';
import { findRow } from '../db/queries.ts';
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
