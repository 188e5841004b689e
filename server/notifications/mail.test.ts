// The outbox and the send job against a real SMTP server, on both databases: writing, attachments,
// no SMTP, the pooled transport.
import { beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../test/db.ts';
import { CSV_KIND, csvRows, ctx, mailOutboxFixture } from '../../test/mail-outbox.ts';
import { parseMime } from '../../test/smtp-receiver.ts';
import type { Db } from '../db/database.ts';
import { DEFAULT_ORGANIZATION_ID } from '../shared/actor.ts';
import {
  closeMailTransports,
  getMailTransport,
  handleMailSendJob,
  importCompletedEmail,
  MAIL_MAX_ATTEMPTS,
  MAIL_SEND_JOB,
  MAX_INLINE_ATTACHMENT_BYTES,
  queueMail,
} from './index.ts';
import { findMailById } from './mail.repository.ts';
import { scrubSmtpSecret } from './mailer.ts';

describe.each(dialects)('mail outbox and sending on %s', (dialect) => {
  const t = mailOutboxFixture(dialect);
  const { receiver, queue, logLines, resolverCalls, deps, message, row, jobs } = t;
  let db: Db;
  beforeAll(() => {
    db = t.db;
  });

  it("writes the row and its send job in the caller's transaction, and nothing when it rolls back", async () => {
    const before = (await jobs()).length;
    let rolledBackId = '';
    await expect(
      db.transaction().execute(async (trx) => {
        rolledBackId = (await queueMail(trx, queue, message({ subject: 'rolled back' }))).id;
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await findMailById(db, rolledBackId)).toBeUndefined();
    expect(await jobs()).toHaveLength(before);

    const m = await db.transaction().execute((trx) => queueMail(trx, queue, message({ subject: 'committed', relatedId: 'run-1' })));
    expect(m).toMatchObject({
      status: 'queued',
      attempts: 0,
      to: 'admin@example.com',
      subject: 'committed',
      relatedId: 'run-1',
      attachments: [],
    });
    const job = (await jobs()).at(-1);
    expect(job?.name).toBe(MAIL_SEND_JOB);
    expect(JSON.parse(job?.payload ?? '')).toEqual({ mailId: m.id });
    expect(JSON.parse(job?.options ?? '')).toMatchObject({ maxAttempts: MAIL_MAX_ATTEMPTS });
    expect((await row(m.id)).max_attempts).toBe(MAIL_MAX_ATTEMPTS);
  });

  it('refuses a bad message before writing anything', async () => {
    const before = (await jobs()).length;
    for (const bad of [
      message({ to: 'a@example.com, b@example.com' }),
      message({ to: 'Someone <a@example.com>' }),
      message({ text: '' }),
      message({ kind: 'Bad Kind' }),
      message({
        attachments: [
          { filename: 'big.bin', contentType: 'application/octet-stream', content: Buffer.alloc(MAX_INLINE_ATTACHMENT_BYTES + 1) },
        ],
      }),
      message({ attachments: [{ filename: '../etc/passwd', contentType: 'text/plain', content: 'x' }] }),
    ]) {
      await expect(queueMail(db, queue, bad)).rejects.toMatchObject({ code: 'MAIL_INVALID' });
    }
    expect(await jobs()).toHaveLength(before);
  });

  it('sends the import email over SMTP with its CSV made at send time by the registered resolver', async () => {
    const content = importCompletedEmail({
      applicationName: 'Salesforce',
      runId: 'run-42',
      runUrl: 'https://roster.example.com/import-runs/run-42',
      status: 'completed',
      counts: { total: 124, created: 120, skipped: 3, failed: 1 },
      failures: [{ userName: '<b>jdoe</b>', email: 'jdoe@example.com', reason: 'email taken' }],
      attachCsv: true,
    });
    const m = await queueMail(
      db,
      queue,
      message({
        ...content,
        kind: 'import_completed',
        relatedId: 'run-42',
        attachments: [
          { filename: 'import-results.csv', contentType: 'text/csv', source: { kind: CSV_KIND, runId: 'run-42', rows: 2000 } },
          { filename: 'note.txt', contentType: 'text/plain', content: 'small inline note' },
        ],
      }),
    );
    // The reference is stored, never the content.
    expect((await row(m.id)).attachments).not.toContain('user1999');
    resolverCalls.length = 0;

    await handleMailSendJob(deps(), { mailId: m.id }, ctx());

    expect(resolverCalls).toEqual([
      { source: { kind: CSV_KIND, runId: 'run-42', rows: 2000 }, context: { organizationId: DEFAULT_ORGANIZATION_ID, mailId: m.id } },
    ]);
    expect(receiver.messages).toHaveLength(1);
    const got = receiver.messages[0];
    expect(got.to).toEqual(['admin@example.com']);
    expect(got.from).toBe('roster@roster.example.com');
    const mime = await parseMime(got.raw);
    expect(mime.headers.subject).toBe('Roster import from Salesforce: 120 created, 3 skipped, 1 failed');
    expect(mime.headers['message-id']).toBe(`<${m.id}@roster.example.com>`);
    expect(mime.headers['x-roster-mail-id']).toBe(m.id);
    const text = mime.parts.find((p) => p.headers['content-type'].startsWith('text/plain') && !p.headers['content-disposition']);
    expect(text?.text).toContain('Created: 120');
    expect(text?.text).toContain('Skipped: 3');
    expect(text?.text).toContain('- <b>jdoe</b> <jdoe@example.com>: email taken');
    const html = mime.parts.find((p) => p.headers['content-type'].startsWith('text/html'));
    expect(html?.text).toContain('&lt;b&gt;jdoe&lt;/b&gt;');
    const csv = mime.parts.find((p) => /filename="?import-results\.csv/.test(p.headers['content-disposition'] ?? ''));
    const expected = csvRows(2000).join('');
    expect(csv?.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv?.text).toBe(expected);
    const note = mime.parts.find((p) => /filename="?note\.txt/.test(p.headers['content-disposition'] ?? ''));
    expect(note?.text).toBe('small inline note');

    const sent = await row(m.id);
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, last_error: null, locked_until: null });
    expect(sent.sent_at).toBeTruthy();
    expect(JSON.parse(sent.attachments).map((a: { filename: string; size?: number }) => [a.filename, a.size])).toEqual([
      ['import-results.csv', Buffer.byteLength(expected)],
      ['note.txt', 17],
    ]);
    expect(logLines.join('')).not.toContain('Created: 120');

    // Delivered again after it was sent: nothing is sent twice.
    await handleMailSendJob(deps(), { mailId: m.id }, ctx(2));
    expect(receiver.messages).toHaveLength(1);
    expect((await row(m.id)).attempts).toBe(1);
  });

  it('without SMTP configured stores the mail and logs it, once', async () => {
    const m = await queueMail(
      db,
      queue,
      message({
        subject: 'Activate your account',
        text: 'Open https://roster.example.com/activate?t=abc to set your password.',
        html: '<p>html copy</p>',
        attachments: [{ filename: 'r.csv', contentType: 'text/csv', source: { kind: CSV_KIND, rows: 5 } }],
      }),
    );
    resolverCalls.length = 0;
    const noSmtp = deps({ config: { mailFrom: 'roster@localhost' }, transport: undefined });
    await handleMailSendJob(noSmtp, { mailId: m.id }, ctx());
    expect(await row(m.id)).toMatchObject({ status: 'stored', attempts: 0, sent_at: null });
    expect(receiver.messages).toHaveLength(0);
    expect(resolverCalls).toHaveLength(0);
    const logged = logLines.map((l) => JSON.parse(l)).filter((l) => l.mail?.id === m.id);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 30,
      mail: {
        to: 'admin@example.com',
        subject: 'Activate your account',
        text: 'Open https://roster.example.com/activate?t=abc to set your password.',
        attachments: ['r.csv'],
      },
    });
    expect(JSON.stringify(logged[0])).not.toContain('html copy');
    await handleMailSendJob(noSmtp, { mailId: m.id }, ctx(2));
    expect(logLines.map((l) => JSON.parse(l)).filter((l) => l.mail?.id === m.id)).toHaveLength(1);
  });

  it("uses one lazily created pooled transport per SMTP URL, with the URL's credentials, until closed", async () => {
    const url = `smtp://roster:s3cret-pass@127.0.0.1:${receiver.port}`;
    expect(getMailTransport(url)).toBe(getMailTransport(url));
    const m = await queueMail(db, queue, message({ subject: 'pooled' }));
    await handleMailSendJob(
      deps({ config: { smtpUrl: url, mailFrom: 'roster@localhost' }, transport: undefined }),
      { mailId: m.id },
      ctx(),
    );
    expect(await Promise.all(receiver.messages.map(async (x) => [x.user, (await parseMime(x.raw)).headers.subject]))).toEqual([
      ['roster', 'pooled'],
    ]);
    const first = getMailTransport(url);
    closeMailTransports();
    expect(getMailTransport(url)).not.toBe(first);
    closeMailTransports();
    expect(scrubSmtpSecret(`login failed for roster:s3cret-pass`, url)).toBe('login failed for roster:***');
  });
});
