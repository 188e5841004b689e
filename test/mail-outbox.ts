// Test helper: the mail outbox and send job against a real SMTP server, with a stand-in job queue
// and a CSV attachment resolver. Not used by production code.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Db, Dialect } from '../server/db/database.ts';
import {
  type AttachmentContext,
  type AttachmentSource,
  closeMailTransports,
  createMailTransport,
  type MailQueue,
  type MailSendDeps,
  type QueueMailInput,
  registerAttachmentResolver,
} from '../server/notifications/index.ts';
import { findMailById } from '../server/notifications/mail.repository.ts';
import { DEFAULT_ORGANIZATION_ID } from '../server/shared/actor.ts';
import { newId } from '../server/shared/ids.ts';
import { createLogger } from '../server/shared/logger.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { SmtpReceiver } from './smtp-receiver.ts';

/**
 * The jobs module is built alongside this one; this stand-in keeps the one property that matters
 * here for real: the job row is written through the handle it is given, so it commits or rolls back
 * with the caller's transaction.
 */
export function tableQueue(): MailQueue {
  return {
    async enqueue(db, name, payload, options) {
      const id = newId();
      await (db as unknown as Db)
        .insertInto('test_jobs' as never)
        .values({ id, name, payload: JSON.stringify(payload), options: JSON.stringify(options ?? {}) } as never)
        .execute();
      return id;
    },
  };
}

export const ctx = (attempt = 1) => ({ attempt, signal: new AbortController().signal });

export const CSV_KIND = 'test-results-csv';
export const csvRows = (n: number) => [
  'userName,email,outcome,reason\r\n',
  ...Array.from({ length: n }, (_, i) => `user${i},u${i}@example.com,${i % 10 ? 'created' : 'failed'},${i % 10 ? '' : 'email taken'}\r\n`),
];

/** Registers the suite's hooks; `db` and `lastStream` are read once the suite has started. */
export function mailOutboxFixture(dialect: Dialect) {
  let database: TestDatabase;
  let db: Db;
  const receiver = new SmtpReceiver();
  const transport = { current: undefined as ReturnType<typeof createMailTransport> | undefined };
  const queue = tableQueue();
  const logLines: string[] = [];
  const logger = createLogger('info', { write: (s: string) => void logLines.push(s) });
  const resolverCalls: Array<{ source: AttachmentSource; context: AttachmentContext }> = [];
  let lastStream: Readable | undefined;

  const deps = (over: Partial<MailSendDeps> = {}): MailSendDeps => ({
    db,
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
    await db.schema
      .createTable('test_jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text')
      .addColumn('payload', 'text')
      .addColumn('options', 'text')
      .execute();
    await receiver.start();
    transport.current = createMailTransport(receiver.url);
    registerAttachmentResolver(CSV_KIND, async (_db, source, context) => {
      resolverCalls.push({ source, context });
      if (source.fail) throw new Error('run not found');
      lastStream = Readable.from(csvRows(Number(source.rows)));
      return lastStream;
    });
  });
  afterAll(async () => {
    transport.current?.close();
    closeMailTransports();
    await receiver.stop();
    await database?.close();
  });
  beforeEach(() => {
    receiver.messages.length = 0;
    receiver.refuse = undefined;
    receiver.dataDelayMs = 0;
    logLines.length = 0;
  });

  return {
    get db() {
      return db;
    },
    /** The stream the CSV resolver made last. */
    get lastStream() {
      return lastStream;
    },
    receiver,
    queue,
    logLines,
    resolverCalls,
    deps,
    message,
    row,
    jobs,
  };
}
