// The job handlers a worker process runs.
import { registerAccountWorkers } from './accounts/index.ts';
import type { Deps } from './deps.ts';
import { executeRun, IMPORT_JOB, runExists, SCHEDULE_JOB, scheduleTick } from './imports/index.ts';
import { AppError } from './shared/errors.ts';
import { registerMaintenanceWorkers } from './maintenance.ts';
import { handleMailSendJob, MAIL_SEND_JOB, type MailSendPayload } from './notifications/index.ts';
import { registerProvisioningWorkers } from './provisioning/index.ts';

export function registerWorkers(deps: Deps): void {
  deps.queue.work<MailSendPayload>(MAIL_SEND_JOB, (payload, ctx) => handleMailSendJob(deps, payload, ctx), { concurrency: 4 });
  deps.queue.work<{ runId: string }>(
    IMPORT_JOB,
    async (payload, ctx) => {
      try {
        await executeRun(deps, payload.runId, { signal: ctx.signal });
      } catch (err) {
        // The run went with its application (deleted, even mid-run): the job is done, not to be retried.
        if (err instanceof AppError && err.status === 404 && !(await runExists(deps.database, payload.runId))) {
          deps.logger.info({ runId: payload.runId }, 'import run deleted with its application; nothing to do');
          return;
        }
        throw err;
      }
    },
    { concurrency: 2 },
  );
  // Scheduled imports: one wake-up a minute across all workers (it queues its own next one).
  deps.queue.work(
    SCHEDULE_JOB,
    async () => {
      await scheduleTick(deps);
    },
    { concurrency: 1 },
  );
  registerProvisioningWorkers(deps);
  registerAccountWorkers(deps);
  registerMaintenanceWorkers(deps);
}
