// Schedules: a five-field cron expression (minute hour day-of-month month day-of-week) read in an
// IANA time zone, through cron-parser. An occurrence that a daylight-saving change skips (02:30 on
// the night clocks go forward) happens at the same wall-clock minute after the change, as cron-parser
// does it.
import { CronExpressionParser } from 'cron-parser';

const FIELDS = 5;

/** Why the expression is not a usable five-field cron expression, or undefined when it is. */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== FIELDS || fields[0].startsWith('@'))
    return `must have five fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' }).next();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Whether the name is a time zone the runtime knows (an IANA name; offsets like +01:00 are refused). */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z]/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The first occurrence strictly after `after`, as an RFC 3339 UTC string. */
export function nextOccurrence(expression: string, timeZone: string, after: Date): string {
  const cron = CronExpressionParser.parse(expression.trim().split(/\s+/).join(' '), { tz: timeZone, currentDate: after });
  return cron.next().toDate().toISOString();
}
