// The send job against a real SMTP server, on both databases: retries, refusals, locks, shutdown.
import { beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../test/db.ts';
import { CSV_KIND, ctx, mailOutboxFixture } from '../../test/mail-outbox.ts';
import { parseMime } from '../../test/smtp-receiver.ts';
import type { Db } from '../db/database.ts';
import { handleMailSendJob, MailSendError, queueMail } from './index.ts';

describe.each(dialects)('mail send retries and failures on %s', (dialect) => {
  const t = mailOutboxFixture(dialect);
  const { receiver, queue, logLines, deps, message, row, jobs } = t;
  let db: Db;
  beforeAll(() => {
    db = t.db;
  });

  it('keeps the mail queued while the SMTP server is down and sends it on the retry once it is back', async () => {
    const m = await queueMail(
      db,
      queue,
      message({
        subject: 'survives an outage',
        attachments: [{ filename: 'r.csv', contentType: 'text/csv', source: { kind: CSV_KIND, rows: 5 } }],
      }),
    );
    await receiver.stop();
    try {
      const err = await handleMailSendJob(deps(), { mailId: m.id }, ctx(1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MailSendError);
      // The stream the resolver opened is released although the send never read it.
      expect(t.lastStream?.destroyed).toBe(true);
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
    const m = await queueMail(db, queue, message({ subject: 'greylisted' }));
    await expect(handleMailSendJob(deps(), { mailId: m.id }, ctx(1))).rejects.toBeInstanceOf(MailSendError);
    expect(await row(m.id)).toMatchObject({ status: 'queued', attempts: 1 });
    expect((await row(m.id)).last_error).toMatch(/451/);
    receiver.refuse = undefined;
    await handleMailSendJob(deps(), { mailId: m.id }, ctx(2));
    expect(await row(m.id)).toMatchObject({ status: 'sent', attempts: 2 });

    receiver.refuse = { code: 451, message: 'Try again later' };
    const last = await queueMail(db, queue, message({ subject: 'never accepted' }), { maxAttempts: 2 });
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
    const m = await queueMail(db, queue, message({ subject: 'late' }), { maxAttempts: 3 });
    await expect(handleMailSendJob(deps(), { mailId: m.id }, ctx(3))).rejects.toThrow(MailSendError);
    expect(await row(m.id)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('fails at once, without a retry, when the server refuses the recipient for good (5xx)', async () => {
    receiver.refuse = { code: 550, message: 'No such user' };
    const m = await queueMail(db, queue, message({ to: 'nobody@example.com' }));
    await handleMailSendJob(deps(), { mailId: m.id }, ctx(1));
    const r = await row(m.id);
    expect(r).toMatchObject({ status: 'failed', attempts: 1 });
    expect(r.last_error).toMatch(/550/);
    expect(logLines.some((l) => l.includes('refused by the SMTP server'))).toBe(true);
  });

  it('sends once when the same job is delivered twice at the same time', async () => {
    receiver.dataDelayMs = 200;
    const m = await queueMail(db, queue, message({ subject: 'exactly once' }));
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
    const m = await queueMail(db, queue, message({ subject: 'after a crash' }));
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
    const missing = await queueMail(
      db,
      queue,
      message({ attachments: [{ filename: 'x.csv', contentType: 'text/csv', source: { kind: 'nobody-registered-this' } }] }),
    );
    await expect(handleMailSendJob(deps(), { mailId: missing.id }, ctx())).rejects.toThrow(
      /no resolver is registered for source kind nobody-registered-this/,
    );
    const failing = await queueMail(
      db,
      queue,
      message({ attachments: [{ filename: 'y.csv', contentType: 'text/csv', source: { kind: CSV_KIND, fail: true } }] }),
    );
    await expect(handleMailSendJob(deps(), { mailId: failing.id }, ctx())).rejects.toThrow(/attachment y\.csv: run not found/);
    expect(await row(failing.id)).toMatchObject({ status: 'queued', attempts: 1, last_error: 'attachment y.csv: run not found' });
    expect(receiver.messages).toHaveLength(0);
  });

  it('on shutdown leaves the mail queued without counting an attempt', async () => {
    const m = await queueMail(db, queue, message({ subject: 'interrupted' }));
    const ac = new AbortController();
    ac.abort();
    await expect(handleMailSendJob(deps(), { mailId: m.id }, { attempt: 1, signal: ac.signal })).rejects.toThrow();
    expect(await row(m.id)).toMatchObject({ status: 'queued', attempts: 0, locked_until: null });
    expect(receiver.messages).toHaveLength(0);
  });
});
