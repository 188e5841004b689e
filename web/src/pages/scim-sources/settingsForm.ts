// The settings form of a SCIM source: what the inputs hold (numbers may be cleared while typing) and
// the settings the API gets. Ranges are the server's to check: its 400 names the field, and the form
// shows the message under that field.
import type { SettingsInput, SourceSettings } from './types.ts';

export interface SettingsForm {
  onDelete: SourceSettings['onDelete'];
  groups: boolean;
  activationEmail: SourceSettings['activationEmail'];
  guardrail: boolean;
  percent: number | string;
  minimum: number | string;
  rateLimitPerSecond: number | string;
}

export type NumberField = 'percent' | 'minimum' | 'rateLimitPerSecond';

/** Where the API reports a problem with each number field (fieldError's path). */
export const NUMBER_PATHS: Record<NumberField, string> = {
  percent: 'settings.deleteGuardrail.percent',
  minimum: 'settings.deleteGuardrail.minimum',
  rateLimitPerSecond: 'settings.rateLimitPerSecond',
};

// The server's defaults (sources.schemas.ts); a new source shows them so the admin sees what he gets.
export const NEW_SOURCE_FORM: SettingsForm = {
  onDelete: 'suspend',
  groups: true,
  activationEmail: 'off',
  guardrail: true,
  percent: 10,
  minimum: 10,
  rateLimitPerSecond: 100,
};

export function formOf(s: SourceSettings): SettingsForm {
  return {
    onDelete: s.onDelete,
    groups: s.groups,
    activationEmail: s.activationEmail,
    guardrail: s.deleteGuardrail !== null,
    // Turning the guardrail on again starts from the defaults, not from empty fields.
    percent: s.deleteGuardrail?.percent ?? NEW_SOURCE_FORM.percent,
    minimum: s.deleteGuardrail?.minimum ?? NEW_SOURCE_FORM.minimum,
    rateLimitPerSecond: s.rateLimitPerSecond,
  };
}

/** The number fields left empty: the API would only say "must be a number", so the form says it first. */
export function emptyFields(f: SettingsForm): Partial<Record<NumberField, string>> {
  const fields: NumberField[] = f.guardrail ? ['percent', 'minimum', 'rateLimitPerSecond'] : ['rateLimitPerSecond'];
  return Object.fromEntries(fields.filter((k) => f[k] === '').map((k) => [k, 'Enter a number']));
}

export function settingsOf(f: SettingsForm): SettingsInput & SourceSettings {
  return {
    onDelete: f.onDelete,
    groups: f.groups,
    activationEmail: f.activationEmail,
    deleteGuardrail: f.guardrail ? { percent: Number(f.percent), minimum: Number(f.minimum) } : null,
    rateLimitPerSecond: Number(f.rateLimitPerSecond),
  };
}

/** Whether the form differs from the saved settings. */
export function settingsChanged(f: SettingsForm, saved: SourceSettings): boolean {
  const next = settingsOf(f);
  const [a, b] = [next.deleteGuardrail, saved.deleteGuardrail];
  return (
    next.onDelete !== saved.onDelete ||
    next.groups !== saved.groups ||
    next.activationEmail !== saved.activationEmail ||
    next.rateLimitPerSecond !== saved.rateLimitPerSecond ||
    (a === null ? b !== null : b === null || a.percent !== b.percent || a.minimum !== b.minimum)
  );
}

/** A token as the lists show it: the prefix, an ellipsis and its last characters (the token itself is never kept). */
export const tokenHint = (hint: string) => `rss_…${hint}`;
