// The outbox and the send job against a real SMTP server, on both databases.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, dialects, type TestDatabase } from '../../test/db.ts';
import type { Db } from '../db/database.ts';
import { DEFAULT_ORGANIZATION_ID } from '../shared/actor.ts';
import { createLogger } from '../shared/logger.ts';
import { systemClock } from '../shared/clock.ts';
import {
  AttachmentRegistry,
  type AttachmentContext,
  type AttachmentSource,
  createMailTransport,
  handleMailSendJob,
  importCompletedEmail,
  MAIL_MAX_ATTEMPTS,
  MAIL_SEND_JOB,
  type MailSendDeps,
  MailSendError,
  MAX_INLINE_ATTACHMENT_BYTES,
  MailTransports,
  type QueueMailInput,
  queueMail,
} from './index.ts';
import { findMailById } from './mail.repository.ts';
import { scrubSmtpSecret } from './mailer.ts';
import { parseMime, SmtpReceiver } from '../../test/smtp-receiver.ts';
import { createJobTable, importEmailInput, tableQueue } from '../../test/mail-queue.ts';

const ctx = (attempt = 1) => ({ attempt, signal: new AbortController().signal });

const CSV_KIND = 'test-results-csv';
const csvRows = (n: number) => [
  'userName,email,outcome,reason\r\n',
  ...Array.from({ length: n }, (_, i) => `user${i},u${i}@example.com,${i % 10 ? 'created' : 'failed'},${i % 10 ? '' : 'email taken'}\r\n`),
];

describe.each(dialects)('mail outbox and sending on %s', (dialect) => {
  let database: TestDatabase;
  let db: Db;
  const receiver = new SmtpReceiver();
  const transport = { current: undefined as ReturnType<typeof createMailTransport> | undefined };
  const queue = tableQueue();
  const logLines: string[] = [];
  const logger = createLogger('info', { write: (s: string) => void logLines.push(s) });
  const resolverCalls: Array<{ source: AttachmentSource; context: AttachmentContext }> = [];
  let lastStream: Readable | undefined;

  const mail = { attachments: new AttachmentRegistry(), transports: new MailTransports() };
  const deps = (over: Partial<MailSendDeps> = {}): MailSendDeps => ({
    db,
    clock: systemClock,
    mail,
    config: { smtpUrl: receiver.url, mailFrom: 'Roster <roster@roster.example.com>' },
    logger,
    transport: transport.current,
    ...over,
  });

  const message = (over: Partial<QueueMailInput> = {}): QueueMailInput => ({
    organizationId: DEFAULT_ORGANIZATION_ID,
    to: 'admin@example.com',
    subject: 'Hello',
    text: 'Hello there',
    kind: 'test',
    ...over,
  });

  /** Queues `message(over)` in the outbox. */
  const send = (over: Partial<QueueMailInput> = {}, options?: Parameters<typeof queueMail>[3]) =>
    queueMail(db, queue, message(over), options);
  const csvAttachment = { filename: 'r.csv', contentType: 'text/csv', source: { kind: CSV_KIND, rows: 5 } };

  const row = async (id: string) => {
    const r = await findMailById(db, id);
    if (!r) throw new Error(`no row ${id}`);
    return r;
  };
  const jobs = async () =>
    (await db
      .selectFrom('test_jobs' as never)
      .selectAll()
      .execute()) as unknown as Array<{ name: string; payload: string; options: string }>;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    db = database.db;
    await createJobTable(db);
    await receiver.start();
    transport.current = createMailTransport(receiver.url);
    mail.attachments.register(CSV_KIND, async (_db, source, context) => {
      resolverCalls.push({ source, context });
      if (source.fail) throw new Error('run not found');
      lastStream = Readable.from(csvRows(Number(source.rows)));
      return lastStream;
    });
  });
  afterAll(async () => {
    transport.current?.close();
    mail.transports.close();
    await receiver.stop();
    await database?.close();
  });
  beforeEach(() => {
    receiver.messages.length = 0;
    receiver.refuse = undefined;
    receiver.dataDelayMs = 0;
    logLines.length = 0;
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
    const content = importCompletedEmail(
      importEmailInput({ failures: [{ userName: '<b>jdoe</b>', email: 'jdoe@example.com', reason: 'email taken' }], attachCsv: true }),
    );
    const m = await send({
      ...content,
      kind: 'import_completed',
      relatedId: 'run-42',
      attachments: [
        { filename: 'import-results.csv', contentType: 'text/csv', source: { kind: CSV_KIND, runId: 'run-42', rows: 2000 } },
        { filename: 'note.txt', contentType: 'text/plain', content: 'small inline note' },
      ],
    });
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

  it('keeps the mail queued while the SMTP server is down and sends it on the retry once it is back', async () => {
    const m = await send({ subject: 'survives an outage', attachments: [csvAttachment] });
    await receiver.stop();
    try {
      const err = await handleMailSendJob(deps(), { mailId: m.id }, ctx(1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MailSendError);
      // The stream the resolver opened is released although the send never read it.
      expect(lastStream?.destroyed).toBe(true);
      const failed = await row(m.id);
      expect(failed).toMatchObject({ status: 'queued', attempts: 1, locked_until: null });
      expect(failed.last_error).toMatch(/ECONNREFUSED/);
    } finally {
      await receiver.start();
    }
    await handleMailSendJob(deps(), { mailId: m.id }, ctx(2));
    expect(await Promise.all(receiver.messages.map(async (x) => (await parseMime(x.raw)).headers.subject))).toEqual(['survives an outage']);
    expect(await row(m.id)).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
  });

  it('retries a 4xx refusal, and marks the mail failed after its last attempt', async () => {
    receiver.refuse = { code: 451, message: 'Try again later' };
    const m = await send({ subject: 'greylisted' });
    await expect(handleMailSendJob(deps(), { mailId: m.id }, ctx(1))).rejects.toBeInstanceOf(MailSendError);
    expect(await row(m.id)).toMatchObject({ status: 'queued', attempts: 1 });
    expect((await row(m.id)).last_error).toMatch(/451/);
    receiver.refuse = undefined;
    await handleMailSendJob(deps(), { mailId: m.id }, ctx(2));
    expect(await row(m.id)).toMatchObject({ status: 'sent', attempts: 2 });

    receiver.refuse = { code: 451, message: 'Try again later' };
    const last = await send({ subject: 'never accepted' }, { maxAttempts: 2 });
    expect(JSON.parse((await jobs()).at(-1)?.options ?? '')).toMatchObject({ maxAttempts: 2 });
    await expect(handleMailSendJob(deps(), { mailId: last.id }, ctx(1))).rejects.toThrow(/451/);
    expect((await row(last.id)).status).toBe('queued');
    await expect(handleMailSendJob(deps(), { mailId: last.id }, ctx(2))).rejects.toThrow(/451/);
    expect(await row(last.id)).toMatchObject({ status: 'failed', attempts: 2 });
    // A stray later delivery does not resurrect it.
    receiver.refuse = undefined;
    await handleMailSendJob(deps(), { mailId: last.id }, ctx(3));
    expect(await Promise.all(receiver.messages.map(async (x) => (await parseMime(x.raw)).headers.subject))).toEqual(['greylisted']);
  });

  it("takes the queue's attempt number when it is ahead of the row (a worker died mid-send)", async () => {
    receiver.refuse = { code: 421, message: 'Service not available' };
    const m = await send({ subject: 'late' }, { maxAttempts: 3 });
    await expect(handleMailSendJob(deps(), { mailId: m.id }, ctx(3))).rejects.toThrow(MailSendError);
    expect(await row(m.id)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('fails at once, without a retry, when the server refuses the recipient for good (5xx)', async () => {
    receiver.refuse = { code: 550, message: 'No such user' };
    const m = await send({ to: 'nobody@example.com' });
    await handleMailSendJob(deps(), { mailId: m.id }, ctx(1));
    const r = await row(m.id);
    expect(r).toMatchObject({ status: 'failed', attempts: 1 });
    expect(r.last_error).toMatch(/550/);
    expect(logLines.some((l) => l.includes('refused by the SMTP server'))).toBe(true);
  });

  it('without SMTP configured stores the mail and logs it, once', async () => {
    const m = await send({
      subject: 'Activate your account',
      text: 'Open https://roster.example.com/activate?t=abc to set your password.',
      html: '<p>html copy</p>',
      attachments: [csvAttachment],
    });
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

  it('sends once when the same job is delivered twice at the same time', async () => {
    receiver.dataDelayMs = 200;
    const m = await send({ subject: 'exactly once' });
    const results = await Promise.allSettled([
      handleMailSendJob(deps(), { mailId: m.id }, ctx(1)),
      handleMailSendJob(deps(), { mailId: m.id }, ctx(1)),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    for (const r of results) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/being sent by another worker/);
    expect(receiver.messages).toHaveLength(1);
    expect(await row(m.id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it("turns retries away while a crashed worker's lock lasts, and sends once it has expired", async () => {
    const m = await send({ subject: 'after a crash' });
    const lockedUntil = new Date(Date.now() + 60_000).toISOString();
    await db
      .updateTable('mail_outbox' as never)
      .set({ locked_until: lockedUntil } as never)
      .where('id' as never, '=', m.id as never)
      .execute();
    await expect(handleMailSendJob(deps(), { mailId: m.id }, ctx(2))).rejects.toThrow(/being sent by another worker/);
    expect(await row(m.id)).toMatchObject({ status: 'queued', attempts: 0 });
    const later = { now: () => new Date(Date.parse(lockedUntil) + 1000) };
    await handleMailSendJob(deps({ clock: later }), { mailId: m.id }, ctx(3));
    expect(receiver.messages).toHaveLength(1);
    expect(await row(m.id)).toMatchObject({ status: 'sent', attempts: 1, locked_until: null });
  });

  it('records a missing or failing attachment resolver as a failed attempt', async () => {
    const missing = await send({
      attachments: [{ filename: 'x.csv', contentType: 'text/csv', source: { kind: 'nobody-registered-this' } }],
    });
    await expect(handleMailSendJob(deps(), { mailId: missing.id }, ctx())).rejects.toThrow(
      /no resolver is registered for source kind nobody-registered-this/,
    );
    const failing = await send({ attachments: [{ filename: 'y.csv', contentType: 'text/csv', source: { kind: CSV_KIND, fail: true } }] });
    await expect(handleMailSendJob(deps(), { mailId: failing.id }, ctx())).rejects.toThrow(/attachment y\.csv: run not found/);
    expect(await row(failing.id)).toMatchObject({ status: 'queued', attempts: 1, last_error: 'attachment y.csv: run not found' });
    expect(receiver.messages).toHaveLength(0);
  });

  it('on shutdown leaves the mail queued without counting an attempt', async () => {
    const m = await send({ subject: 'interrupted' });
    const ac = new AbortController();
    ac.abort();
    await expect(handleMailSendJob(deps(), { mailId: m.id }, { attempt: 1, signal: ac.signal })).rejects.toThrow();
    expect(await row(m.id)).toMatchObject({ status: 'queued', attempts: 0, locked_until: null });
    expect(receiver.messages).toHaveLength(0);
  });

  it("uses one lazily created pooled transport per SMTP URL, with the URL's credentials, until closed", async () => {
    const url = `smtp://roster:s3cret-pass@127.0.0.1:${receiver.port}`;
    expect(mail.transports.get(url)).toBe(mail.transports.get(url));
    const m = await send({ subject: 'pooled' });
    await handleMailSendJob(
      deps({ config: { smtpUrl: url, mailFrom: 'roster@localhost' }, transport: undefined }),
      { mailId: m.id },
      ctx(),
    );
    expect(await Promise.all(receiver.messages.map(async (x) => [x.user, (await parseMime(x.raw)).headers.subject]))).toEqual([
      ['roster', 'pooled'],
    ]);
    const first = mail.transports.get(url);
    mail.transports.close();
    expect(mail.transports.get(url)).not.toBe(first);
    mail.transports.close();
    expect(scrubSmtpSecret(`login failed for roster:s3cret-pass`, url)).toBe('login failed for roster:***');
  });
});
