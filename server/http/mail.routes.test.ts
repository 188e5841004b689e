// The outbox API, through the real app: listing, paging, filtering, attachment names only, and who may read it.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_ADMIN, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { createApiKey } from '../auth/index.ts';
import type { App } from './common.ts';
import { DEFAULT_ORGANIZATION_ID, systemActor } from '../shared/actor.ts';
import { AttachmentRegistry, handleMailSendJob, type MailQueue, MailTransports, queueMail } from '../notifications/index.ts';
import { systemClock } from '../shared/clock.ts';
import { createLogger } from '../shared/logger.ts';

// Job rows are not what this file tests; sending is driven by calling the handler directly.
const queue: MailQueue = { enqueue: async () => 'job' };

describe.each(dialects)('mail outbox API on %s', (dialect) => {
  let t: TestApp;
  let app: App;
  let admin: (o: InjectOptions) => Promise<LightMyRequestResponse>;
  let readOnly: (o: InjectOptions) => Promise<LightMyRequestResponse>;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    expect(t.app.hasRoute({ method: 'GET', url: '/api/v1/mail/outbox' })).toBe(true);
    app = t.app;
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: TEST_ADMIN });
    const cookie = login.cookies.find((c) => c.name === 'roster_session')?.value;
    const ro = await createApiKey({ db: t.database.db, clock: t.deps.clock }, systemActor(), { name: 'outbox reader', role: 'read_only' });
    admin = (o) => app.inject({ ...o, headers: { cookie: `roster_session=${cookie}` } });
    readOnly = (o) => app.inject({ ...o, headers: { authorization: `Bearer ${ro.key}` } });

    const db = t.database.db;
    for (let i = 0; i < 5; i++) {
      const m = await queueMail(db, queue, {
        organizationId: DEFAULT_ORGANIZATION_ID,
        to: i % 2 ? 'Other@Example.com' : 'admin@example.com',
        subject: `Mail ${i}`,
        text: `Body ${i}`,
        html: `<p>Body ${i}</p>`,
        kind: 'import_completed',
        relatedId: `run-${i}`,
        attachments:
          i === 4
            ? [
                { filename: 'import-results.csv', contentType: 'text/csv', source: { kind: 'import-results-csv', runId: 'run-4' } },
                { filename: 'note.txt', contentType: 'text/plain', content: 'secret-ish inline content' },
              ]
            : [],
      });
      ids.push(m.id);
    }
    // One of them goes through the job without SMTP: listed as stored.
    await handleMailSendJob(
      {
        db,
        clock: systemClock,
        config: { mailFrom: 'roster@localhost' },
        logger: createLogger('silent'),
        mail: { attachments: new AttachmentRegistry(), transports: new MailTransports() },
      },
      { mailId: ids[0] },
      { attempt: 1, signal: new AbortController().signal },
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses anonymous requests', async () => {
    for (const url of ['/api/v1/mail/outbox', `/api/v1/mail/outbox/${ids[0]}`]) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(401);
      expect(r.json().error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('lists newest first and pages with a cursor; read_only may read', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await readOnly({ method: 'GET', url: `/api/v1/mail/outbox?limit=2${cursor ? `&cursor=${cursor}` : ''}` });
      expect(r.statusCode).toBe(200);
      const body = r.json() as { items: Array<{ id: string }>; nextCursor: string | null };
      seen.push(...body.items.map((m) => m.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect(pages).toBe(3);
  });

  it('shows each mail with its status and attachment names only', async () => {
    const list = (await admin({ method: 'GET', url: '/api/v1/mail/outbox' })).json();
    const newest = list.items[0];
    expect(newest).toEqual({
      id: ids[4],
      kind: 'import_completed',
      relatedId: 'run-4',
      to: 'admin@example.com',
      subject: 'Mail 4',
      text: 'Body 4',
      html: '<p>Body 4</p>',
      status: 'queued',
      attempts: 0,
      createdAt: expect.any(String),
      attachments: [
        { filename: 'import-results.csv', contentType: 'text/csv' },
        { filename: 'note.txt', contentType: 'text/plain', size: 25 },
      ],
    });
    expect(JSON.stringify(list)).not.toMatch(/secret-ish|c2VjcmV0|runId/);
    expect(list.items.at(-1)).toMatchObject({ id: ids[0], status: 'stored' });
    const one = await readOnly({ method: 'GET', url: `/api/v1/mail/outbox/${ids[4]}` });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(newest);
  });

  it('filters by recipient in any letter case', async () => {
    const r = (await admin({ method: 'GET', url: '/api/v1/mail/outbox?to=OTHER@example.COM' })).json();
    expect(r.items.map((m: { subject: string }) => m.subject)).toEqual(['Mail 3', 'Mail 1']);
    expect(r.items[0].to).toBe('Other@Example.com');
    expect((await admin({ method: 'GET', url: '/api/v1/mail/outbox?to=nobody@example.com' })).json()).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('answers bad input with 400 and an unknown mail with 404', async () => {
    expect((await admin({ method: 'GET', url: '/api/v1/mail/outbox/0190a000-0000-7000-8000-000000000000' })).statusCode).toBe(404);
    expect((await admin({ method: 'GET', url: '/api/v1/mail/outbox/not-a-uuid' })).json().error.code).toBe('VALIDATION_FAILED');
    expect((await admin({ method: 'GET', url: '/api/v1/mail/outbox?cursor=abc' })).json().error.code).toBe('INVALID_CURSOR');
    for (const q of ['limit=0', 'limit=abc', 'bogus=1']) {
      expect((await admin({ method: 'GET', url: `/api/v1/mail/outbox?${q}` })).statusCode, q).toBe(400);
    }
  });

  it('refuses writes: the outbox is read-only over HTTP', async () => {
    const r = await admin({ method: 'DELETE', url: `/api/v1/mail/outbox/${ids[0]}` });
    expect(r.statusCode).toBe(404);
  });
});
