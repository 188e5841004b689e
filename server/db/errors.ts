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
