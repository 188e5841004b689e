// The import settings form: the match rules in order (each on or off), the schedule's inputs as typed,
// and the settings the API gets. Values are the server's to judge: its 400 names the field.
import {
  MATCH_RULES,
  UPDATABLE_FIELDS,
  type ImportSettings,
  type MatchRule,
  type Schedule,
  type SettingsInput,
  type UpdatableField,
} from './api.ts';
import { browserTimeZone } from './cron.ts';

export interface SettingsForm {
  rules: { rule: MatchRule; on: boolean }[];
  scheduled: boolean;
  cron: string;
  timeZone: string;
  mode: Schedule['mode'];
  fields: UpdatableField[];
  guardrailPercent: number | string;
}

export function formOf(s: ImportSettings): SettingsForm {
  const rest = MATCH_RULES.filter((r) => !s.matchBy.includes(r));
  const fields = s.schedule?.fields;
  return {
    rules: [...s.matchBy.map((rule) => ({ rule, on: true })), ...rest.map((rule) => ({ rule, on: false }))],
    scheduled: s.schedule !== null,
    cron: s.schedule?.cron ?? '0 2 * * *',
    timeZone: s.schedule?.timeZone ?? browserTimeZone(),
    mode: s.schedule?.mode ?? 'new',
    fields: fields === undefined || fields === 'all' ? [...UPDATABLE_FIELDS] : fields,
    guardrailPercent: s.schedule?.guardrailPercent ?? 10,
  };
}

export function settingsOf(f: SettingsForm): SettingsInput {
  const matchBy = f.rules.filter((r) => r.on).map((r) => r.rule);
  if (!f.scheduled) return { matchBy, schedule: null };
  const schedule: Schedule = { cron: f.cron.trim(), timeZone: f.timeZone, mode: f.mode };
  if (f.mode === 'new_and_update') schedule.fields = f.fields.length === UPDATABLE_FIELDS.length ? 'all' : f.fields;
  if (f.guardrailPercent !== '') schedule.guardrailPercent = Number(f.guardrailPercent);
  return { matchBy, schedule };
}

/** The rules with the one at `i` moved by `by` places. */
export function moved<T>(list: T[], i: number, by: -1 | 1): T[] {
  const j = i + by;
  if (j < 0 || j >= list.length) return list;
  const next = [...list];
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}
