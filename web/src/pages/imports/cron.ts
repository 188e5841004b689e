// A five-field cron expression in words, for the common shapes ("every day at 02:00"); anything else is
// said field by field. The server is the judge of validity: this only helps the admin read it.
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const num = (s: string) => /^\d+$/.test(s);
const time = (h: string, m: string) => `${h.padStart(2, '0')}:${m.padStart(2, '0')}`;

function days(dow: string): string | null {
  if (dow === '1-5') return 'every weekday';
  const parts = dow.split(',');
  if (!parts.every((d) => num(d) && Number(d) <= 7)) return null;
  return `every ${parts.map((d) => DAYS[Number(d) % 7]).join(', ')}`;
}

/** The expression in words, or why it cannot be read. */
export function describeCron(expr: string): string {
  const f = expr.trim().split(/\s+/);
  if (f.length !== 5 || f[0] === '') return 'A cron expression has five fields: minute hour day-of-month month day-of-week.';
  const [m, h, dom, mon, dow] = f;
  const step = /^\*\/(\d+)$/.exec(m);
  if (step && h === '*' && dom === '*' && mon === '*' && dow === '*') return `Every ${step[1]} minutes`;
  if (num(m) && h === '*' && dom === '*' && mon === '*' && dow === '*') return `Every hour at minute ${m}`;
  if (num(m) && num(h) && mon === '*') {
    if (dom === '*' && dow === '*') return `Every day at ${time(h, m)}`;
    if (dom === '*' && days(dow)) return `${days(dow)!.replace(/^e/, 'E')} at ${time(h, m)}`;
    if (num(dom) && dow === '*') return `On day ${dom} of every month at ${time(h, m)}`;
  }
  return `Minute ${m}, hour ${h}, day of month ${dom}, month ${mon}, day of week ${dow}`;
}

/** The browser's IANA time zone: where a new schedule starts. */
export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The browser's time zones, with `current` among them (Chromium's list leaves out UTC, for one). */
export function timeZones(current: string): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [browserTimeZone()];
  }
  return zones.includes(current) ? zones : [current, ...zones];
}
