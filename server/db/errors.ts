/** The unique constraint (or SQLite column list) an insert or update violated, if that was the error. */
export function uniqueViolation(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: string; constraint?: string; message?: string; errcode?: number };
  if (e.code === '23505') return e.constraint ?? 'unique';
  if (typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed')) {
    return e.message.slice(e.message.indexOf('UNIQUE constraint failed:') + 25).trim();
  }
  return undefined;
}

/**
 * What stops the database from storing anything more, in plain words (a full disk, a read-only file),
 * or undefined for any other error. Those will not pass by retrying at once; a lost connection will.
 */
export function storageProblem(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: string; errcode?: number; message?: string };
  // node:sqlite: errcode is SQLite's (extended) result code; its low byte is the primary code.
  const sqlite = typeof e.errcode === 'number' ? e.errcode & 0xff : undefined;
  if (sqlite === 13 || e.code === '53100') return 'the database or its disk is full';
  if (sqlite === 8 || e.code === '25006') return 'the database is read-only';
  if (sqlite === 10) return 'the disk could not be read or written';
  return undefined;
}
