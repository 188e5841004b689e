// Email templates: pure functions from facts to { subject, text, html }. Names, emails and reasons
// come from remote applications and are untrusted: every value is flattened to one line for the text
// and the subject (no forged lines, no header tricks) and escaped for the HTML.

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

export interface ImportFailure {
  userName: string;
  email: string;
  reason: string;
}

export interface ImportCompletedEmailInput {
  applicationName: string;
  runId: string;
  runUrl: string;
  status: 'completed' | 'failed';
  /** Why a failed run stopped, e.g. "integration deactivated". */
  error?: string;
  counts: { total: number; created: number; skipped: number; failed: number };
  /** The caller may pass only the first FAILURES_SHOWN; counts.failed gives the "and N more". */
  failures: ImportFailure[];
  attachCsv: boolean;
}

export const FAILURES_SHOWN = 50;
export const RESULTS_CSV_FILENAME = 'import-results.csv';

// Control characters, line and paragraph separators, and bidi overrides: they could forge lines
// (or headers, in a subject) or disguise the text around a link.
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

/**
 * Untrusted text (names, emails, reasons from remote applications) made safe for an email: one
 * line of at most `max` characters, for the subject, the text and (escaped) the HTML. Every email
 * of every module flattens its values with this one function.
 */
export function oneLine(value: unknown, max = 200): string {
  const s = String(value ?? '')
    .replace(UNSAFE_CHARS, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Only absolute http(s) URLs become links; anything else (javascript:, data:) stays text. */
function isWebUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function layout(title: string, bodyHtml: string): string {
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;line-height:1.5;' +
      'color:#1a1a1a;max-width:640px;margin:0 auto;padding:16px">',
    bodyHtml,
    '<p style="color:#777;font-size:12px;margin-top:24px">Sent by Roster.</p>',
    '</body></html>',
  ].join('\n');
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function importCompletedEmail(input: ImportCompletedEmailInput): EmailContent {
  const app = oneLine(input.applicationName, 100) || 'an application';
  const error = oneLine(input.error, 200) || 'unknown error';
  const { total, created, skipped, failed } = input.counts;
  const runFailed = input.status === 'failed';

  const subject = runFailed
    ? `Roster import from ${app} failed: ${error}`
    : `Roster import from ${app}: ${created} created, ${skipped} skipped, ${failed} failed`;

  const shown = input.failures.slice(0, FAILURES_SHOWN).map((f) => ({
    userName: oneLine(f.userName, 200) || '(no user name)',
    email: oneLine(f.email, 200),
    reason: oneLine(f.reason, 500) || 'no reason given',
  }));
  const more = Math.max(failed, input.failures.length) - shown.length;
  const moreWhere = input.attachCsv ? 'see the attached CSV file or the import run' : 'see the import run';

  const lead = runFailed
    ? `Your import of users from ${app} did not complete: ${error}.`
    : `Your import of users from ${app} has completed.`;
  const kept = runFailed
    ? created > 0
      ? `The ${plural(created, 'user', 'users')} created before the import stopped stay in Roster. ` +
        'Importing again brings in only the users that are still new.'
      : 'No users were created before the import stopped.'
    : undefined;
  const countRows: Array<[string, number]> = [
    ['Selected', total],
    ['Created', created],
    ['Skipped', skipped],
    ['Failed', failed],
  ];
  const runLink = oneLine(input.runUrl, 2000);

  const text: string[] = [lead, ''];
  if (kept) text.push(kept, '');
  for (const [label, n] of countRows) text.push(`${label}: ${n}`);
  if (shown.length > 0) {
    text.push('', `Failures${more > 0 ? ` (first ${shown.length} of ${shown.length + more})` : ''}:`);
    for (const f of shown) text.push(`- ${f.userName}${f.email ? ` <${f.email}>` : ''}: ${f.reason}`);
    if (more > 0) text.push(`... and ${more} more: ${moreWhere}.`);
  }
  text.push('');
  if (input.attachCsv) text.push(`The results for every user are attached as ${RESULTS_CSV_FILENAME}.`);
  text.push(`Import run: ${runLink}`, `Run ID: ${oneLine(input.runId, 100)}`, '');

  const e = escapeHtml;
  const html: string[] = [
    runFailed
      ? `<p>Your import of users from <strong>${e(app)}</strong> did not complete: <strong>${e(error)}</strong>.</p>`
      : `<p>Your import of users from <strong>${e(app)}</strong> has completed.</p>`,
  ];
  if (kept) html.push(`<p>${e(kept)}</p>`);
  html.push('<table style="border-collapse:collapse">');
  for (const [label, n] of countRows) {
    html.push(
      `<tr><td style="padding:2px 16px 2px 0">${label}</td><td style="padding:2px 0;text-align:right"><strong>${n}</strong></td></tr>`,
    );
  }
  html.push('</table>');
  if (shown.length > 0) {
    html.push(
      `<h3 style="font-size:15px;margin:20px 0 8px">Failures${more > 0 ? ` (first ${shown.length} of ${shown.length + more})` : ''}</h3>`,
      '<ul>',
    );
    for (const f of shown)
      html.push(`<li><strong>${e(f.userName)}</strong>${f.email ? ` &lt;${e(f.email)}&gt;` : ''}: ${e(f.reason)}</li>`);
    html.push('</ul>');
    if (more > 0) html.push(`<p>... and ${more} more: ${moreWhere}.</p>`);
  }
  if (input.attachCsv) html.push(`<p>The results for every user are attached as ${RESULTS_CSV_FILENAME}.</p>`);
  html.push(isWebUrl(runLink) ? `<p><a href="${e(runLink)}">View the import run</a></p>` : `<p>Import run: ${e(runLink)}</p>`);
  html.push(`<p style="color:#777;font-size:12px">Run ID: ${e(oneLine(input.runId, 100))}</p>`);

  return { subject, text: text.join('\n'), html: layout(subject, html.join('\n')) };
}

/**
 * A plain message for other features (account activation, ...). The text is the caller's own; its
 * http(s) URLs become links in the HTML and everything else is escaped.
 */
export function plainEmail(subject: string, text: string): EmailContent {
  const s = oneLine(subject, 200);
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .filter((p) => p.trim() !== '');
  const body = paragraphs.map((p) => `<p>${p.split('\n').map(linkify).join('<br>\n')}</p>`).join('\n');
  return { subject: s, text, html: layout(s, body) };
}

function linkify(line: string): string {
  let out = '';
  let last = 0;
  for (const m of line.matchAll(/https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g)) {
    const url = m[0];
    out += escapeHtml(line.slice(last, m.index));
    out += isWebUrl(url) ? `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>` : escapeHtml(url);
    last = m.index + url.length;
  }
  return out + escapeHtml(line.slice(last));
}

export interface ScimGuardrailPausedEmailInput {
  sourceName: string;
  /** Deletions and suspensions counted in the window, and the most the window allows. */
  removals: number;
  limit: number;
  windowMinutes: number;
  /** The change the pause refused. */
  refused: { kind: 'delete' | 'suspend'; user: string };
  /** The source's page in the portal. */
  sourceUrl: string;
}

/** To every admin when a SCIM source's delete guardrail pauses it: what happened and what an admin must do. */
export function scimGuardrailPausedEmail(input: ScimGuardrailPausedEmailInput): EmailContent {
  const source = oneLine(input.sourceName, 100) || 'a SCIM source';
  const user = oneLine(input.refused.user, 200) || 'a user';
  const verb = input.refused.kind === 'delete' ? 'delete' : 'suspend';
  const subject = `Roster paused deletions from the SCIM source ${source}`;
  const counted =
    `${source} deleted or suspended ${plural(input.removals, 'user', 'users')} within ${input.windowMinutes} minutes, ` +
    `the most its delete guardrail allows (${input.limit}).`;
  const refused = `Roster refused its request to ${verb} ${user}, and refuses its further deletions and suspensions.`;
  const other = 'Its other requests (creating and updating users and groups) go on as usual.';
  const action =
    'If these removals are intended, an admin must confirm them under Identity Management > SCIM sources, ' +
    `on the page of ${source}; the source then retries them. If not, fix the source first, then confirm.`;
  const link = oneLine(input.sourceUrl, 2000);
  const text = [counted, '', refused, other, '', action, '', `SCIM source: ${link}`, ''].join('\n');
  const e = escapeHtml;
  const html = [
    `<p>${e(counted)}</p>`,
    `<p>${e(refused)} ${e(other)}</p>`,
    `<p>${e(action)}</p>`,
    isWebUrl(link) ? `<p><a href="${e(link)}">Open the SCIM source</a></p>` : `<p>SCIM source: ${e(link)}</p>`,
  ];
  return { subject, text, html: layout(subject, html.join('\n')) };
}
