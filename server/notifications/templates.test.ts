import { describe, expect, it } from 'vitest';
import { importEmailInput } from '../../test/mail-queue.ts';
import { escapeHtml, importCompletedEmail, importPausedEmail, oneLine, plainEmail } from './templates.ts';

const base = importEmailInput();

const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>&\'';

describe('importCompletedEmail', () => {
  it('gives the counts in the subject and the body, the failures with reasons, and the link', () => {
    const m = importCompletedEmail(base);
    expect(m.subject).toBe('Roster import from Salesforce: 120 created, 3 skipped, 1 failed');
    for (const line of [
      'has completed',
      'Selected: 124',
      'Created: 120',
      'Skipped: 3',
      'Failed: 1',
      '- jdoe <jdoe@example.com>: email is not valid',
      `Import run: ${base.runUrl}`,
    ]) {
      expect(m.text).toContain(line);
    }
    expect(m.text).not.toContain('attached');
    expect(m.html).toContain(`<a href="${base.runUrl}">`);
    expect(m.html).toContain('<strong>120</strong>');
    expect(m.html).toContain('email is not valid');
  });

  it('says why a failed run stopped and that the users created stay', () => {
    const m = importCompletedEmail({
      ...base,
      status: 'failed',
      error: 'integration deactivated',
      counts: { total: 500, created: 37, skipped: 0, failed: 0 },
      failures: [],
    });
    expect(m.subject).toBe('Roster import from Salesforce failed: integration deactivated');
    expect(m.text).toContain('did not complete: integration deactivated.');
    expect(m.text).toContain('The 37 users created before the import stopped stay in Roster.');
    expect(m.html).toContain('did not complete: <strong>integration deactivated</strong>');
    expect(m.html).toContain('The 37 users created before the import stopped stay in Roster.');
    const none = importCompletedEmail({
      ...base,
      status: 'failed',
      error: undefined,
      counts: { total: 5, created: 0, skipped: 0, failed: 0 },
      failures: [],
    });
    expect(none.subject).toBe('Roster import from Salesforce failed: unknown error');
    expect(none.text).toContain('No users were created');
  });

  it('shows the first 50 failures and counts the rest, pointing at the CSV when attached', () => {
    const failures = Array.from({ length: 60 }, (_, i) => ({ userName: `user${i}`, email: `u${i}@example.com`, reason: `reason ${i}` }));
    const m = importCompletedEmail({
      ...base,
      counts: { total: 2000, created: 1000, skipped: 0, failed: 1000 },
      failures,
      attachCsv: true,
    });
    expect(m.text).toContain('Failures (first 50 of 1000):');
    expect(m.text).toContain('- user49 <u49@example.com>: reason 49');
    expect(m.text).not.toContain('user50');
    expect(m.text).toContain('... and 950 more: see the attached CSV file or the import run.');
    expect(m.text).toContain('attached as import-results.csv');
    expect((m.html.match(/<li>/g) ?? []).length).toBe(50);
    expect(m.html).toContain('and 950 more');
  });

  it('escapes every untrusted value in the HTML and keeps them to one line in the text and subject', () => {
    const m = importCompletedEmail({
      ...base,
      applicationName: `Evil${hostile}\r\nBcc: victim@example.com`,
      runId: hostile,
      status: 'failed',
      error: `boom ${hostile}`,
      failures: [{ userName: `${hostile}\nClick https://evil.example to verify`, email: `${hostile}@x`, reason: `\u202Eevil ${hostile}` }],
    });
    expect(m.html).not.toMatch(/<script|<img|onerror=alert\(1\)>/);
    expect(m.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&#39;');
    // Only the layout's own tags remain: strip those and no angle bracket is left.
    const tags = new Set([
      '!doctype',
      'html',
      'head',
      'meta',
      'title',
      'body',
      'p',
      'strong',
      'table',
      'tr',
      'td',
      'h3',
      'ul',
      'li',
      'a',
      'br',
    ]);
    for (const [, name] of m.html.matchAll(/<\/?([!a-z0-9]+)/gi)) expect(tags.has(name.toLowerCase()), name).toBe(true);
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.subject).toContain('Bcc: victim@example.com'); // flattened into the subject text, not a header
    expect(m.text.split('\n').filter((l) => l.includes('Click https://evil.example'))).toHaveLength(1);
    expect(m.text.split('\n').find((l) => l.includes('Click'))).toMatch(/^- /);
    expect(m.text).not.toContain('\u202E');
  });

  it('links only http(s) run URLs', () => {
    const m = importCompletedEmail({ ...base, runUrl: 'javascript:alert(1)' });
    expect(m.html).not.toContain('href=');
    expect(m.html).toContain('Import run: javascript:alert(1)');
  });
});

describe('plainEmail', () => {
  it('escapes the text, links its web addresses, and keeps the subject on one line', () => {
    const m = plainEmail(
      'Activate\r\nyour account',
      'Hello <b>Ada</b> & co,\n\nOpen https://roster.example.com/activate?t=abc&x=1.\nThanks',
    );
    expect(m.subject).toBe('Activate your account');
    expect(m.text).toContain('Hello <b>Ada</b>');
    expect(m.html).toContain('Hello &lt;b&gt;Ada&lt;/b&gt; &amp; co,');
    expect(m.html).toContain(
      '<a href="https://roster.example.com/activate?t=abc&amp;x=1">https://roster.example.com/activate?t=abc&amp;x=1</a>.<br>',
    );
    expect(m.html.match(/<p>/g)).toHaveLength(2);
    expect(plainEmail('s', 'see javascript:alert(1) and http://"onmouseover=x').html).not.toMatch(/href="javascript|"onmouseover/);
  });

  it('has small helpers that do what they say', () => {
    expect(oneLine('a\r\n\tb   c', 200)).toBe('a b c');
    expect(oneLine('x'.repeat(10), 5)).toBe('xxxx…');
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });
});

describe('link tokens', () => {
  it('are hidden from the outbox and the logs', async () => {
    const { hideLinkTokens } = await import('./mail.service.ts');
    expect(hideLinkTokens('Open https://r.example/account/set-password?token=abc_DEF-123 now')).toBe(
      'Open https://r.example/account/set-password?token=[hidden] now',
    );
    expect(hideLinkTokens('<a href="https://r.example/x?a=1&token=zzz">x</a>')).toBe(
      '<a href="https://r.example/x?a=1&token=[hidden]">x</a>',
    );
    expect(hideLinkTokens('no links here')).toBe('no links here');
  });
});

describe('importCompletedEmail by kind of run', () => {
  it('counts linked and updated users when there are any, and says a run was scheduled', () => {
    const m = importCompletedEmail({
      ...base,
      scheduled: true,
      counts: { total: 10, created: 2, linked: 3, updated: 4, skipped: 1, failed: 0 },
    });
    expect(m.subject).toBe('Roster import from Salesforce: 2 created, 3 linked, 4 updated, 1 skipped, 0 failed');
    expect(m.text).toContain('Your scheduled import of users from Salesforce has completed.');
    for (const line of ['Created: 2', 'Linked: 3', 'Updated: 4', 'Skipped: 1']) expect(m.text).toContain(line);
  });

  it('speaks of groups for a groups run', () => {
    const m = importCompletedEmail({ ...base, kind: 'groups', counts: { total: 5, created: 1, skipped: 3, failed: 1 } });
    expect(m.subject).toBe('Roster import of groups from Salesforce: 1 group created, 3 skipped, 1 failed');
    expect(m.text).toContain('Your import of groups from Salesforce has completed.');
    expect(m.text).toContain('Groups: 5');
    const failed = importCompletedEmail({
      ...base,
      kind: 'groups',
      status: 'failed',
      error: 'integration deactivated',
      counts: { total: 5, created: 2, skipped: 0, failed: 0 },
    });
    expect(failed.text).toContain('The 2 groups created before the import stopped stay in Roster.');
  });

  it('titles an undo "Roster undo of an import from X" with what it reverted', () => {
    const m = importCompletedEmail({
      ...base,
      kind: 'undo',
      counts: { total: 8, created: 0, reverted: 6, skipped: 2, failed: 0 },
      failures: [],
    });
    expect(m.subject).toBe('Roster undo of an import from Salesforce: 6 reverted, 2 skipped, 0 failed');
    expect(m.text).toContain('The undo of an import from Salesforce has completed.');
    for (const line of ['Users: 8', 'Reverted: 6', 'Skipped: 2']) expect(m.text).toContain(line);
    const failed = importCompletedEmail({
      ...base,
      kind: 'undo',
      status: 'failed',
      error: 'stopped',
      counts: { total: 8, created: 0, skipped: 0, failed: 0 },
    });
    expect(failed.subject).toBe('Roster undo of an import from Salesforce failed: stopped');
    expect(failed.text).toContain('Nothing was reverted before the undo stopped.');
  });
});

describe('importPausedEmail', () => {
  it('gives the reason and the run link, escaped', () => {
    const m = importPausedEmail({
      applicationName: `Okta${hostile}`,
      runId: 'r1',
      runUrl: 'https://roster.example.com/import-runs/r1',
      reason: `too much ${hostile}`,
    });
    expect(m.subject).toBe(`Roster paused a scheduled import from Okta${hostile}`.replace(/\s+/g, ' '));
    expect(m.text).toContain('paused by its guardrail: too much');
    expect(m.text).toContain('Import run: https://roster.example.com/import-runs/r1');
    expect(m.html).toContain('<a href="https://roster.example.com/import-runs/r1">');
    expect(m.html).not.toMatch(/<script|<img/);
  });
});
