// Opaque keyset cursors: base64url JSON of the last row's sort key and id. Validated on the way in.
import { AppError } from './errors.ts';

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor; `shape` checks each element's type. */
export function decodeCursor(cursor: string, shape: Array<'string' | 'number'>): Array<string | number> {
  const invalid = () =>
    new AppError('INVALID_CURSOR', 400, 'cursor is not valid for this query', [{ path: 'cursor', message: 'invalid cursor' }]);
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length) throw invalid();
  for (let i = 0; i < shape.length; i++) {
    if (typeof parsed[i] !== shape[i]) throw invalid();
  }
  return parsed as Array<string | number>;
}

/** Escapes LIKE wildcards; use with `escape '\'`. */
export function likeContains(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One keyset page from rows read with `limit + 1` (the extra row only says that more follow): the first
 * `limit` rows as items, and the cursor after the last of them when there is a next page.
 */
export function keysetPage<R, T>(
  rows: R[],
  limit: number,
  toItem: (row: R) => T,
  cursorOf: (last: R) => unknown[],
): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map((r) => toItem(r)), nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}
