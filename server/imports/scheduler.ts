// Scheduled imports: one `import.schedule` job at a time across workers (a singleton key) wakes every
// minute, queues its next wake-up, and starts a run for every schedule that is due. Each occurrence is
// taken by moving the schedule's next_run_at on in one conditional update, so two workers never both
// start it; missed occurrences are not caught up (one run, then the next occurrence after now). A
// run starts only while the integration is active and no run of the application is unfinished (the
// unique index on unfinished runs refuses a second one anyway); a skipped occurrence is logged and
// recorded (import_schedule_skipped). Scheduled runs go to the background job, never run here.
import { getApplication } from '../applications/index.ts';
import { record } from '../insights/index.ts';
import { integrationState } from '../integrations/index.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError } from '../shared/errors.ts';
import type { ImportContext } from './context.ts';
import { nextOccurrence } from './cron.ts';
import type { UpdatableField } from './diff.ts';
import * as runs from './runs.repository.ts';
import { createImportRun } from './runs.service.ts';
import { claimOccurrence, listDueSchedules, setLastScheduledRun, type SettingsRow } from './settings.repository.ts';
import { DEFAULT_GUARDRAIL_PERCENT } from './settings.schemas.ts';

export const SCHEDULE_JOB = 'import.schedule';
const SCHEDULE_KEY = 'import-schedules';
export const SCHEDULE_EVERY_MS = 60_000;
/** Schedules started per wake-up at most; the rest are due still and start at the next one. */
const DUE_PER_TICK = 100;

export type ScheduleOutcome =
  | { applicationId: string; started: string }
  | { applicationId: string; skipped: 'run_unfinished' | 'integration_inactive' | 'failed_to_start'; reason: string }
  | { applicationId: string; taken: false };

/** Queues the scheduler's wake-up (at once by default); with one already waiting, that one moves to `runAt`. */
export async function queueScheduleTick(deps: Pick<ImportContext, 'db' | 'queue'>, runAt?: Date): Promise<void> {
  await deps.queue.enqueue(deps.db, SCHEDULE_JOB, {}, { singletonKey: SCHEDULE_KEY, maxAttempts: 3, ...(runAt ? { runAt } : {}) });
}

/** The job: the next wake-up first (a failing pass is retried and the schedule goes on), then the due schedules. */
export async function scheduleTick(deps: ImportContext): Promise<ScheduleOutcome[]> {
  await queueScheduleTick(deps, new Date(deps.clock.now().getTime() + SCHEDULE_EVERY_MS));
  return startDueSchedules(deps);
}

/** Starts (or skips) every schedule due now. */
export async function startDueSchedules(deps: ImportContext): Promise<ScheduleOutcome[]> {
  const now = deps.clock.now();
  const out: ScheduleOutcome[] = [];
  for (const row of await listDueSchedules(deps.db, now.toISOString(), DUE_PER_TICK)) {
    out.push(await startOccurrence(deps, row, now));
  }
  return out;
}

/** The admin who saved the schedule: the run's actor, and the one its email goes to. */
function scheduleActor(row: SettingsRow): Actor {
  return {
    type: (row.schedule_set_by_type ?? 'system') as Actor['type'],
    id: row.schedule_set_by_id,
    email: row.schedule_set_by_email,
    organizationId: row.organization_id,
  };
}

async function startOccurrence(deps: ImportContext, row: SettingsRow, now: Date): Promise<ScheduleOutcome> {
  const applicationId = row.application_id;
  const next = nextOccurrence(row.schedule_cron!, row.schedule_time_zone!, now);
  if (!(await claimOccurrence(deps.db, applicationId, row.next_run_at!, next))) return { applicationId, taken: false };
  const actor = scheduleActor(row);
  const integration = await integrationState({ db: deps.db }, applicationId);
  if (integration?.status !== 'active') {
    return skip(deps, row, actor, 'integration_inactive', "the application's integration is not active");
  }
  const unfinished = await runs.findUnfinishedRun(deps.db, applicationId);
  if (unfinished) return skip(deps, row, actor, 'run_unfinished', `run ${unfinished.id} is ${unfinished.status}`, unfinished.id);
  const fields = row.schedule_fields ? (JSON.parse(row.schedule_fields) as UpdatableField[] | 'all') : 'all';
  try {
    const { run } = await createImportRun(
      deps,
      actor,
      applicationId,
      { all: true, update: row.schedule_mode === 'new_and_update' ? { fields } : undefined },
      { trigger: 'schedule', guardrailPercent: row.schedule_guardrail_percent ?? DEFAULT_GUARDRAIL_PERCENT, background: true },
    );
    await setLastScheduledRun(deps.db, applicationId, run.id);
    deps.logger.info({ applicationId, runId: run.id, next }, 'scheduled import started');
    return { applicationId, started: run.id };
  } catch (err) {
    if (err instanceof AppError && err.code === 'IMPORT_ALREADY_RUNNING')
      return skip(deps, row, actor, 'run_unfinished', 'another run of the application started first');
    if (!(err instanceof AppError)) throw err;
    return skip(deps, row, actor, 'failed_to_start', err.message);
  }
}

async function skip(
  deps: ImportContext,
  row: SettingsRow,
  actor: Actor,
  code: 'run_unfinished' | 'integration_inactive' | 'failed_to_start',
  reason: string,
  runId?: string,
): Promise<ScheduleOutcome> {
  const applicationId = row.application_id;
  deps.logger.info({ applicationId, code, reason, scheduledFor: row.next_run_at }, 'scheduled import skipped');
  const app = await getApplication({ db: deps.db }, row.organization_id, applicationId);
  await record(
    { db: deps.db, clock: deps.clock },
    {
      eventType: 'import_schedule_skipped',
      service: 'import',
      success: false,
      actor,
      resource: { type: 'application', id: app.id },
      application: { id: app.id, name: app.name },
      importRunId: runId ?? null,
      changes: { code, scheduledFor: row.next_run_at },
      message: `Scheduled import skipped: ${reason}`,
    },
  );
  return { applicationId, skipped: code, reason };
}
