// Test helpers for the mail tests: a job queue that writes its rows to a plain table, and what an
// import's email reports.
import type { Db } from '../server/db/database.ts';
import type { ImportCompletedEmailInput, MailQueue } from '../server/notifications/index.ts';
import { newId } from '../server/shared/ids.ts';

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

/** Creates the table tableQueue() writes to. */
export async function createJobTable(db: Db): Promise<void> {
  await db.schema
    .createTable('test_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('payload', 'text')
    .addColumn('options', 'text')
    .execute();
}

/** A completed import with one failure, as its email reports it. */
export const importEmailInput = (over: Partial<ImportCompletedEmailInput> = {}): ImportCompletedEmailInput => ({
  applicationName: 'Salesforce',
  runId: '0190a000-0000-7000-8000-000000000001',
  runUrl: 'https://roster.example.com/import-runs/0190a000-0000-7000-8000-000000000001',
  status: 'completed',
  counts: { total: 124, created: 120, skipped: 3, failed: 1 },
  failures: [{ userName: 'jdoe', email: 'jdoe@example.com', reason: 'email is not valid' }],
  attachCsv: false,
  ...over,
});
