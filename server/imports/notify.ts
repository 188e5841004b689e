// The email a finished run sends to the admin who started it (a scheduled run: who saved the
// schedule), queued in the run's final transaction so the run never ends without its email. Dry runs
// never email; scheduled runs email digest-style, only when they changed something or failed. A run
// the guardrail paused emails every admin of the organization.
import { Readable } from 'node:stream';
import { listAdmins } from '../auth/index.ts';
import type { Db } from '../db/database.ts';
import {
  FAILURES_SHOWN,
  importCompletedEmail,
  importPausedEmail,
  type AttachmentResolver,
  queueMail,
  RESULTS_CSV_FILENAME,
} from '../notifications/index.ts';
import { csvLine } from '../shared/csv.ts';
import type { ImportContext } from './context.ts';
import * as repo from './runs.repository.ts';

/** Results are attached as CSV above this many users (the email body shows the failures only). */
const CSV_ATTACHMENT_FROM = 100;
export const RESULTS_CSV_KIND = 'import-results-csv';

type NotifyContext = Pick<ImportContext, 'db' | 'clock' | 'queue' | 'logger' | 'config'>;

/** Whether the finished run emails: never a dry run; a scheduled one only when it changed something or failed. */
export function runEmails(
  run: Pick<repo.RunRow, 'dry_run' | 'trigger' | 'status' | 'created' | 'linked' | 'updated' | 'reverted' | 'failed'>,
) {
  if (run.dry_run === 1) return false;
  if (run.trigger !== 'schedule') return true;
  return run.status === 'failed' || run.created + run.linked + run.updated + run.reverted + run.failed > 0;
}

const runUrl = (deps: NotifyContext, runId: string) => `${deps.config.publicUrl}/import-runs/${runId}`;

export async function notifyRunFinished(deps: NotifyContext, run: repo.RunRow, app: { id: string; name: string }): Promise<void> {
  if (!runEmails(run)) {
    deps.logger.info(
      { runId: run.id, dryRun: run.dry_run === 1, trigger: run.trigger },
      'import finished: no email (dry run, or a scheduled run that changed nothing)',
    );
    return;
  }
  if (!run.notify_email) {
    deps.logger.warn({ runId: run.id }, 'import finished but nobody to email: the run was started without an admin');
    return;
  }
  const failures = await repo.listResults(deps.db, run.id, -1, FAILURES_SHOWN, 'failed');
  const attachCsv = run.processed >= CSV_ATTACHMENT_FROM;
  const content = importCompletedEmail({
    applicationName: app.name,
    runId: run.id,
    runUrl: runUrl(deps, run.id),
    status: run.status === 'completed' ? 'completed' : 'failed',
    kind: run.kind,
    scheduled: run.trigger === 'schedule',
    error: run.error ?? undefined,
    counts: {
      total: run.total,
      created: run.created,
      linked: run.linked,
      updated: run.updated,
      reverted: run.reverted,
      skipped: run.skipped,
      failed: run.failed,
    },
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

/** Every admin of the organization: the guardrail paused the run, and it waits for one of them. */
export async function notifyRunPaused(
  deps: NotifyContext,
  run: repo.RunRow,
  app: { id: string; name: string },
  reason: string,
): Promise<void> {
  const content = importPausedEmail({ applicationName: app.name, runId: run.id, runUrl: runUrl(deps, run.id), reason });
  for (const admin of await listAdmins({ db: deps.db }, run.organization_id)) {
    await queueMail(
      deps.db,
      deps.queue,
      { organizationId: run.organization_id, to: admin.email, ...content, kind: 'import_paused', relatedId: run.id },
      { clock: deps.clock },
    );
  }
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
