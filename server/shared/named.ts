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

export function normalizeName(value: string): string {
  const name = value.trim();
  const problem =
    name.length === 0
      ? 'is required'
      : name.length > NAME_MAX
        ? `must be at most ${NAME_MAX} characters`
        : NAME_FORBIDDEN.test(name)
          ? 'must not contain control characters'
          : undefined;
  if (problem) throw validationError([{ path: 'body.name', message: problem }]);
  return name;
}

export function normalizeDescription(value: string): string {
  const description = value.trim();
  const problem =
    description.length > DESCRIPTION_MAX
      ? `must be at most ${DESCRIPTION_MAX} characters`
      : DESCRIPTION_FORBIDDEN.test(description)
        ? 'must not contain NUL characters'
        : undefined;
  if (problem) throw validationError([{ path: 'body.description', message: problem }]);
  return description;
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
