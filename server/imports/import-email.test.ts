// The import's email through a real SMTP receiver: subject, counts, failures and the CSV attachment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { connectApplication, eventually, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { parseMime, SmtpReceiver } from '../../test/smtp-receiver.ts';
import { registerWorkers } from '../workers.ts';

describe.each(dialects)('import email on %s', (dialect) => {
  let t: TestApp;
  let scim: RunningScimServer;
  const smtp = new SmtpReceiver();
  beforeAll(async () => {
    await smtp.start();
    t = await createTestApp(dialect, {
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Roster <roster@example.org>',
      PUBLIC_URL: 'https://roster.example.org',
    });
    registerWorkers(t.deps);
    await t.deps.queue.start();
    scim = await startScimServer({ users: 148, seed: 21, auth: { type: 'bearer', token: SCIM_TOKEN } });
    scim.store.addUser({ userName: 'broken.one', emails: [{ value: 'not-an-email', type: 'work' }] });
    scim.store.addUser({ userName: 'dupe.a', emails: [{ value: 'same@example.net', type: 'work' }] });
    scim.store.addUser({ userName: 'dupe.b', emails: [{ value: 'SAME@example.net', type: 'work' }] });
  });
  afterAll(async () => {
    await scim?.stop();
    await t?.close();
    await smtp.stop();
  });

  it('sends the admin an email with the counts, the reasons for failures, a link to the run and the results as CSV', async () => {
    const appId = await connectApplication(t, scim, 'Mailer App', { pageSize: 50 });
    const r = await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/import/jobs`, payload: { all: true } });
    expect(r.statusCode, r.body).toBe(202);
    const runId = r.json().run.id;
    const msg = await eventually(async () => smtp.messages.find((m) => m.raw.includes(runId)), 30_000, 'the email to arrive');
    const run = (await t.admin({ method: 'GET', url: `/api/v1/import-runs/${runId}` })).json();
    expect(run).toMatchObject({ status: 'completed', processed: 151, failed: 2, created: 149 });
    expect(msg.to).toEqual([t.adminActor.email]);
    const mail = await parseMime(msg.raw);
    expect(mail.headers.subject).toBe('Roster import from Mailer App: 149 created, 0 skipped, 2 failed');
    const text = mail.parts.find((p) => p.headers['content-type']?.startsWith('text/plain'))!.text;
    expect(text).toContain('Created: 149');
    expect(text).toContain('broken.one');
    expect(text).toMatch(/duplicate within the application's list/);
    expect(text).toContain(`https://roster.example.org/import-runs/${runId}`);
    const csv = mail.parts.find((p) => /text\/csv/.test(p.headers['content-type'] ?? ''))!;
    expect(csv.headers['content-disposition']).toContain('import-results.csv');
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines[0]).toBe('remoteId,userName,email,outcome,reason,userId');
    expect(lines).toHaveLength(152);
    expect(lines.filter((l) => l.includes(',created,'))).toHaveLength(149);
    // The row is marked sent just after the SMTP server took the message: wait for that write.
    const outbox = await eventually(
      async () => {
        const m = (await t.admin({ method: 'GET', url: '/api/v1/mail/outbox' }))
          .json()
          .items.find((i: { relatedId?: string }) => i.relatedId === runId);
        return m?.status === 'queued' ? undefined : m;
      },
      10_000,
      'the outbox row to be updated',
    );
    expect(outbox.status).toBe('sent');
  });
});
