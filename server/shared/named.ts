// The rules of named directory objects (groups, applications): a name unique per organization in
// any letter case, and a description. Services check them too, because the CLI calls services.
import { z } from 'zod';
import { validationError } from './errors.ts';

const NAME_MAX = 100;
const DESCRIPTION_MAX = 1000;
// Names show up in lists, CLI output, emails and SCIM displayName: no line breaks or other control characters.
const NAME_FORBIDDEN = /[\u0000-\u001f\u007f]/;
// PostgreSQL text cannot hold NUL; refusing it keeps both databases alike.
const DESCRIPTION_FORBIDDEN = /\u0000/;

/** Route schemas: the same rules, so the API answers with field paths before the service runs. */
export const nameSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(NAME_MAX, `must be at most ${NAME_MAX} characters`)
  .refine((v) => !NAME_FORBIDDEN.test(v), 'must not contain control characters');
export const descriptionSchema = z
  .string()
  .trim()
  .max(DESCRIPTION_MAX, `must be at most ${DESCRIPTION_MAX} characters`)
  .refine((v) => !DESCRIPTION_FORBIDDEN.test(v), 'must not contain NUL characters');

/** The value trimmed, or a validation error at `path` with the message of the first rule it breaks. */
function normalized(value: string, path: string, rules: Array<[breaks: (v: string) => boolean, message: string]>): string {
  const trimmed = value.trim();
  const broken = rules.find(([breaks]) => breaks(trimmed));
  if (broken) throw validationError([{ path, message: broken[1] }]);
  return trimmed;
}

export function normalizeName(value: string): string {
  return normalized(value, 'body.name', [
    [(v) => v.length === 0, 'is required'],
    [(v) => v.length > NAME_MAX, `must be at most ${NAME_MAX} characters`],
    [(v) => NAME_FORBIDDEN.test(v), 'must not contain control characters'],
  ]);
}

export function normalizeDescription(value: string): string {
  return normalized(value, 'body.description', [
    [(v) => v.length > DESCRIPTION_MAX, `must be at most ${DESCRIPTION_MAX} characters`],
    [(v) => DESCRIPTION_FORBIDDEN.test(v), 'must not contain NUL characters'],
  ]);
}

export interface NamedRow {
  name: string;
  description: string;
}

/** What a patch really changes: the columns to set and the Insights `changes` (empty for a no-op). */
export function namedChanges(current: NamedRow, name: string | undefined, description: string | undefined) {
  const set: { name?: string; name_lower?: string; description?: string } = {};
  const changes: Record<string, { from: string; to: string }> = {};
  if (name !== undefined && name !== current.name) {
    Object.assign(set, { name, name_lower: name.toLowerCase() });
    changes.name = { from: current.name, to: name };
  }
  if (description !== undefined && description !== current.description) {
    set.description = description;
    changes.description = { from: current.description, to: description };
  }
  return { set, changes };
}
