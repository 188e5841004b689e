// The email every finished import sends to the admin who started it, queued in the run's final
// transaction so the run never ends without its email.
import { Readable } from 'node:stream';
import type { Db } from '../db/database.ts';
import { FAILURES_SHOWN, importCompletedEmail, type AttachmentResolver, queueMail, RESULTS_CSV_FILENAME } from '../notifications/index.ts';
import { csvLine } from '../shared/csv.ts';
import type { ImportContext } from './context.ts';
import * as repo from './runs.repository.ts';

/** Results are attached as CSV above this many users (the email body shows the failures only). */
const CSV_ATTACHMENT_FROM = 100;
export const RESULTS_CSV_KIND = 'import-results-csv';

export async function notifyRunFinished(
  deps: Pick<ImportContext, 'db' | 'clock' | 'queue' | 'logger' | 'config'>,
  run: repo.RunRow,
  app: { id: string; name: string },
): Promise<void> {
  if (!run.notify_email) {
    deps.logger.warn({ runId: run.id }, 'import finished but nobody to email: the run was started without an admin');
    return;
  }
  const failures = await repo.listResults(deps.db, run.id, -1, FAILURES_SHOWN, 'failed');
  const attachCsv = run.processed >= CSV_ATTACHMENT_FROM;
  const content = importCompletedEmail({
    applicationName: app.name,
    runId: run.id,
    runUrl: `${deps.config.publicUrl}/import-runs/${run.id}`,
    status: run.status === 'completed' ? 'completed' : 'failed',
    error: run.error ?? undefined,
    counts: { total: run.total, created: run.created, skipped: run.skipped, failed: run.failed },
    failures: failures.map((f) => ({ userName: f.user_name, email: f.email, reason: f.reason ?? '' })),
    attachCsv,
  });
  await queueMail(
    deps.db,
    deps.queue,
    {
      organizationId: run.organization_id,
      to: run.notify_email,
      ...content,
      kind: 'import_completed',
      relatedId: run.id,
      attachments: attachCsv
        ? [{ filename: RESULTS_CSV_FILENAME, contentType: 'text/csv', source: { kind: RESULTS_CSV_KIND, runId: run.id } }]
        : [],
    },
    { clock: deps.clock },
  );
}

const RESULT_COLUMNS = ['remoteId', 'userName', 'email', 'outcome', 'reason', 'userId'] as const;

/** The run's results as CSV lines, read in batches so a 100,000-user run streams. */
export async function* resultCsvLines(db: Db, runId: string, outcome?: repo.ResultRow['outcome']): AsyncGenerator<string> {
  yield csvLine([...RESULT_COLUMNS]);
  let after = -1;
  for (;;) {
    const rows = await repo.listResults(db, runId, after, 1000, outcome);
    for (const r of rows) yield csvLine([r.remote_id, r.user_name, r.email, r.outcome, r.reason, r.user_id]);
    if (rows.length < 1000) return;
    after = rows[rows.length - 1].seq;
  }
}

/**
 * Lets the mail sender attach a run's results when the email goes out (they are not stored twice):
 * deps.ts registers it for RESULTS_CSV_KIND.
 */
export const importResultsCsv: AttachmentResolver = async (db, source, context) => {
  const runId = typeof source.runId === 'string' ? source.runId : '';
  const run = await repo.findRun(db, context.organizationId, runId);
  if (!run) throw new Error(`import run ${runId} no longer exists`);
  return Readable.from(resultCsvLines(db, run.id));
};
