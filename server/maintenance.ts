// Periodic housekeeping that belongs to no feature: one `maintenance.purge` job at a time across all
// worker processes (a singleton key), which schedules its own next run, purges and refreshes SQLite's
// planner statistics. Owns no tables: it calls the modules that own what is purged.
import { purgeExpiredAccounts } from './accounts/index.ts';
import { purgeExpiredAuth } from './auth/index.ts';
import { optimizeDatabase } from './db/database.ts';
import type { Deps } from './deps.ts';
import { purgeScimSourceLogs } from './inbound/index.ts';

export const PURGE_JOB = 'maintenance.purge';
const PURGE_EVERY_MS = 60 * 60_000;
const PURGE_KEY = 'purge';

/** Queues the purge (at once by default); with one already queued, that one is moved to `runAt`. */
export async function schedulePurge(deps: Pick<Deps, 'database' | 'queue'>, runAt?: Date): Promise<void> {
  await deps.queue.enqueue(deps.database.db, PURGE_JOB, {}, { singletonKey: PURGE_KEY, maxAttempts: 3, ...(runAt ? { runAt } : {}) });
}

/** Expired admin and user sessions, used or expired setup tokens and links, stale login counters. */
export async function purgeExpired(deps: Pick<Deps, 'database' | 'clock'>) {
  const { db } = deps.database;
  return { ...(await purgeExpiredAuth({ db, clock: deps.clock })), ...(await purgeExpiredAccounts({ db, clock: deps.clock })) };
}

export function registerMaintenanceWorkers(deps: Deps): void {
  deps.queue.work(
    PURGE_JOB,
    async () => {
      // The next run first: a purge that fails is retried, and the schedule goes on either way.
      await schedulePurge(deps, new Date(deps.clock.now().getTime() + PURGE_EVERY_MS));
      const purged = await purgeExpired(deps);
      deps.logger.info({ purged }, 'purged expired sessions and tokens');
      // Flushes trim only the sources that still make requests; this reaches the ones that went quiet.
      const logs = await purgeScimSourceLogs({ db: deps.database.db, clock: deps.clock });
      deps.logger.info({ purged: logs }, 'purged old SCIM source requests and removals');
      await optimizeDatabase(deps.database);
    },
    { concurrency: 1 },
  );
}
