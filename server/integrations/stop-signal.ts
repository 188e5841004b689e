// "Stop this integration's work" reaches every process at once. The runtime's abort signal stops the
// work of the process that deactivated (or deleted the application); on PostgreSQL the deactivation
// also sends a NOTIFY in its own transaction (a deletion, right after its commit), and every process (api, workers, the CLI) listens and aborts the application's
// in-flight requests the moment it commits. The generation check that running work makes stays as the
// fallback (a process that was reconnecting when the notice went out re-checks what it runs).
import type { Database } from '../db/database.ts';
import { notify, PgListener } from '../db/notify.ts';
import type { Db } from '../db/database.ts';
import type { Logger } from '../shared/logger.ts';
import { findIntegrationState } from './integrations.repository.ts';
import type { IntegrationRuntime } from './runtime.ts';

export const IDM_STOP_CHANNEL = 'roster_idm_stop';
export const DEACTIVATED = 'integration deactivated';
export const APPLICATION_DELETED = 'application deleted';
const REASONS = { deactivated: DEACTIVATED, deleted: APPLICATION_DELETED } as const;
export type StopReason = keyof typeof REASONS;

/**
 * Every process stops the application's work: in the caller's transaction (delivered when it commits),
 * or at once with a plain handle. The payload is `<applicationId>` or `<applicationId>:<reason>`.
 */
export async function publishStop(db: Db, applicationId: string, reason: StopReason = 'deactivated'): Promise<void> {
  await notify(db, IDM_STOP_CHANNEL, reason === 'deactivated' ? applicationId : `${applicationId}:${reason}`);
}

function parseStop(payload: string): { applicationId: string; message: string } {
  const [applicationId, reason] = payload.split(':', 2);
  return { applicationId, message: REASONS[reason as StopReason] ?? DEACTIVATED };
}

/** Starts listening on PostgreSQL (nothing to do on SQLite); close the listener when the process stops. */
export async function listenForStops(o: { database: Database; url: string; idm: IntegrationRuntime; logger: Logger }): Promise<PgListener | undefined> {
  if (o.database.dialect !== 'postgres') return undefined;
  const listener = new PgListener({
    url: o.url,
    channel: IDM_STOP_CHANNEL,
    logger: o.logger,
    onNotify: (payload) => {
      const { applicationId, message } = parseStop(payload);
      o.idm.abort(applicationId, message);
    },
    onReconnect: () => {
      void (async () => {
        for (const applicationId of o.idm.inFlight()) {
          const s = await findIntegrationState(o.database.db, applicationId);
          if (!s || s.status === 'inactive') o.idm.abort(applicationId, s ? DEACTIVATED : APPLICATION_DELETED);
        }
      })().catch((err) => o.logger.warn({ err }, 'could not re-check deactivations after reconnecting'));
    },
  });
  await listener.start();
  return listener;
}
