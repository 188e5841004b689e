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

/** What the run did: import users (the default), import groups, or undo an import. */
export type ImportEmailKind = 'users' | 'groups' | 'undo';

export interface ImportCompletedEmailInput {
  applicationName: string;
  runId: string;
  runUrl: string;
  status: 'completed' | 'failed';
  kind?: ImportEmailKind;
  /** Started by a schedule (the email says so). */
  scheduled?: boolean;
  /** Why a failed run stopped, e.g. "integration deactivated". */
  error?: string;
  /** users runs: created, linked, updated; groups runs: created (groups); undo runs: reverted. */
  counts: { total: number; created: number; skipped: number; failed: number; linked?: number; updated?: number; reverted?: number };
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

type Counts = ImportCompletedEmailInput['counts'];

/** The words of each kind of run: what it is (subject, lead), the counts it shows, what a failed run keeps. */
const KIND_WORDS: Record<
  ImportEmailKind,
  {
    subject: string;
    lead: string;
    rows: (c: Counts) => Array<[string, number]>;
    subjectCounts: (c: Counts) => string;
    kept: (c: Counts) => string;
  }
> = {
  users: {
    subject: 'Roster import from',
    lead: 'import of users from',
    rows: (c) => [
      ['Selected', c.total],
      ['Created', c.created],
      ...(c.linked ? [['Linked', c.linked] as [string, number]] : []),
      ...(c.updated ? [['Updated', c.updated] as [string, number]] : []),
      ['Skipped', c.skipped],
      ['Failed', c.failed],
    ],
    subjectCounts: (c) =>
      [
        `${c.created} created`,
        c.linked ? `${c.linked} linked` : '',
        c.updated ? `${c.updated} updated` : '',
        `${c.skipped} skipped`,
        `${c.failed} failed`,
      ]
        .filter(Boolean)
        .join(', '),
    kept: (c) =>
      c.created + (c.linked ?? 0) + (c.updated ?? 0) > 0
        ? `The ${plural(c.created, 'user', 'users')} created` +
          (c.linked || c.updated ? `, ${c.linked ?? 0} linked and ${c.updated ?? 0} updated` : '') +
          ' before the import stopped stay in Roster. Importing again brings in only the users that are still new.'
        : 'No users were created before the import stopped.',
  },
  groups: {
    subject: 'Roster import of groups from',
    lead: 'import of groups from',
    rows: (c) => [
      ['Groups', c.total],
      ['Created', c.created],
      ['Skipped', c.skipped],
      ['Failed', c.failed],
    ],
    subjectCounts: (c) => `${plural(c.created, 'group', 'groups')} created, ${c.skipped} skipped, ${c.failed} failed`,
    kept: (c) =>
      c.created > 0
        ? `The ${plural(c.created, 'group', 'groups')} created before the import stopped stay in Roster.`
        : 'No groups were created before the import stopped.',
  },
  undo: {
    subject: 'Roster undo of an import from',
    lead: 'undo of an import from',
    rows: (c) => [
      ['Users', c.total],
      ['Reverted', c.reverted ?? 0],
      ['Skipped', c.skipped],
      ['Failed', c.failed],
    ],
    subjectCounts: (c) => `${c.reverted ?? 0} reverted, ${c.skipped} skipped, ${c.failed} failed`,
    kept: (c) =>
      c.reverted
        ? `The ${plural(c.reverted, 'user', 'users')} reverted before the undo stopped stay reverted.`
        : 'Nothing was reverted before the undo stopped.',
  },
};

interface ImportEmailParts {
  lead: { text: string; html: string };
  kept?: string;
  countRows: Array<[string, number]>;
  failures: ImportFailure[];
  more: number;
  moreWhere: string;
  attachCsv: boolean;
  runLink: string;
  runId: string;
}

function importEmailParts(input: ImportCompletedEmailInput, app: string, error: string): ImportEmailParts {
  const words = KIND_WORDS[input.kind ?? 'users'];
  const runFailed = input.status === 'failed';
  const who = input.kind === 'undo' ? 'The' : input.scheduled ? 'Your scheduled' : 'Your';
  const e = escapeHtml;
  const failures = input.failures.slice(0, FAILURES_SHOWN).map((f) => ({
    userName: oneLine(f.userName, 200) || '(no user name)',
    email: oneLine(f.email, 200),
    reason: oneLine(f.reason, 500) || 'no reason given',
  }));
  return {
    lead: runFailed
      ? {
          text: `${who} ${words.lead} ${app} did not complete: ${error}.`,
          html: `${who} ${words.lead} <strong>${e(app)}</strong> did not complete: <strong>${e(error)}</strong>.`,
        }
      : { text: `${who} ${words.lead} ${app} has completed.`, html: `${who} ${words.lead} <strong>${e(app)}</strong> has completed.` },
    kept: runFailed ? words.kept(input.counts) : undefined,
    countRows: words.rows(input.counts),
    failures,
    more: Math.max(input.counts.failed, input.failures.length) - failures.length,
    moreWhere: input.attachCsv ? 'see the attached CSV file or the import run' : 'see the import run',
    attachCsv: input.attachCsv,
    runLink: oneLine(input.runUrl, 2000),
    runId: oneLine(input.runId, 100),
  };
}

function importEmailText(p: ImportEmailParts): string {
  const text: string[] = [p.lead.text, ''];
  if (p.kept) text.push(p.kept, '');
  for (const [label, n] of p.countRows) text.push(`${label}: ${n}`);
  if (p.failures.length > 0) {
    text.push('', `Failures${p.more > 0 ? ` (first ${p.failures.length} of ${p.failures.length + p.more})` : ''}:`);
    for (const f of p.failures) text.push(`- ${f.userName}${f.email ? ` <${f.email}>` : ''}: ${f.reason}`);
    if (p.more > 0) text.push(`... and ${p.more} more: ${p.moreWhere}.`);
  }
  text.push('');
  if (p.attachCsv) text.push(`The results for every user are attached as ${RESULTS_CSV_FILENAME}.`);
  text.push(`Import run: ${p.runLink}`, `Run ID: ${p.runId}`, '');
  return text.join('\n');
}

function importEmailHtml(p: ImportEmailParts): string {
  const e = escapeHtml;
  const html: string[] = [`<p>${p.lead.html}</p>`];
  if (p.kept) html.push(`<p>${e(p.kept)}</p>`);
  html.push('<table style="border-collapse:collapse">');
  for (const [label, n] of p.countRows) {
    html.push(
      `<tr><td style="padding:2px 16px 2px 0">${label}</td><td style="padding:2px 0;text-align:right"><strong>${n}</strong></td></tr>`,
    );
  }
  html.push('</table>');
  if (p.failures.length > 0) {
    const heading = `Failures${p.more > 0 ? ` (first ${p.failures.length} of ${p.failures.length + p.more})` : ''}`;
    html.push(`<h3 style="font-size:15px;margin:20px 0 8px">${heading}</h3>`, '<ul>');
    for (const f of p.failures)
      html.push(`<li><strong>${e(f.userName)}</strong>${f.email ? ` &lt;${e(f.email)}&gt;` : ''}: ${e(f.reason)}</li>`);
    html.push('</ul>');
    if (p.more > 0) html.push(`<p>... and ${p.more} more: ${p.moreWhere}.</p>`);
  }
  if (p.attachCsv) html.push(`<p>The results for every user are attached as ${RESULTS_CSV_FILENAME}.</p>`);
  html.push(isWebUrl(p.runLink) ? `<p><a href="${e(p.runLink)}">View the import run</a></p>` : `<p>Import run: ${e(p.runLink)}</p>`);
  html.push(`<p style="color:#777;font-size:12px">Run ID: ${e(p.runId)}</p>`);
  return html.join('\n');
}

/** The email of a finished run of any kind: its counts, its failures, a link to the run. */
export function importCompletedEmail(input: ImportCompletedEmailInput): EmailContent {
  const app = oneLine(input.applicationName, 100) || 'an application';
  const error = oneLine(input.error, 200) || 'unknown error';
  const words = KIND_WORDS[input.kind ?? 'users'];
  const subject =
    input.status === 'failed'
      ? `${words.subject} ${app} failed: ${error}`
      : `${words.subject} ${app}: ${words.subjectCounts(input.counts)}`;
  const parts = importEmailParts(input, app, error);
  return { subject, text: importEmailText(parts), html: layout(subject, importEmailHtml(parts)) };
}

export interface ImportPausedEmailInput {
  applicationName: string;
  runId: string;
  runUrl: string;
  /** The guardrail's reason, e.g. "the run would change 30% of the directory (limit 10%)". */
  reason: string;
}

/** To every admin: a scheduled import stopped before a batch the guardrail refused, waiting for a confirmation. */
export function importPausedEmail(input: ImportPausedEmailInput): EmailContent {
  const app = oneLine(input.applicationName, 100) || 'an application';
  const reason = oneLine(input.reason, 500) || 'it would change too much of the directory';
  const subject = `Roster paused a scheduled import from ${app}`;
  const lead = `A scheduled import of users from ${app} was paused by its guardrail: ${reason}.`;
  const action =
    'Nothing more is written until an admin decides. If the changes are intended, confirm the run on its page and it ' +
    'goes on from where it stopped; if not, cancel it (what it imported so far stays) and check the application.';
  const link = oneLine(input.runUrl, 2000);
  const text = [lead, '', action, '', `Import run: ${link}`, `Run ID: ${oneLine(input.runId, 100)}`, ''].join('\n');
  const e = escapeHtml;
  const html = [
    `<p>${e(lead)}</p>`,
    `<p>${e(action)}</p>`,
    isWebUrl(link) ? `<p><a href="${e(link)}">Open the import run</a></p>` : `<p>Import run: ${e(link)}</p>`,
    `<p style="color:#777;font-size:12px">Run ID: ${e(oneLine(input.runId, 100))}</p>`,
  ];
  return { subject, text, html: layout(subject, html.join('\n')) };
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
