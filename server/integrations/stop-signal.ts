// "Stop this integration's work" reaches every process at once: a deactivation, the application's
// deletion, or a change of its connection settings (address, credentials, headers: the work in flight
// is using the old ones). The runtime's abort signal stops the work of the process that made the
// change; on PostgreSQL a NOTIFY goes out in the change's transaction (a deletion, right after its
// commit), and every process (api, workers, the CLI) listens and aborts the application's in-flight
// requests the moment it commits. The checks that running work makes between steps (status and
// generation) stay as the fallback for a process that was reconnecting when the notice went out.
import type { Database } from '../db/database.ts';
import { notify, PgListener } from '../db/notify.ts';
import type { Db } from '../db/database.ts';
import type { Logger } from '../shared/logger.ts';
import { findIntegrationState } from './integrations.repository.ts';
import { type IntegrationRuntime, STOP_MESSAGES, type StopReason } from './runtime.ts';

const IDM_STOP_CHANNEL = 'roster_idm_stop';

/**
 * Every process stops the application's work: in the caller's transaction (delivered when it commits),
 * or at once with a plain handle. The payload is `<applicationId>` or `<applicationId>:<reason>`.
 */
export async function publishStop(db: Db, applicationId: string, reason: StopReason = 'deactivated'): Promise<void> {
  await notify(db, IDM_STOP_CHANNEL, reason === 'deactivated' ? applicationId : `${applicationId}:${reason}`);
}

function parseStop(payload: string): { applicationId: string; reason: StopReason } {
  const [applicationId, reason] = payload.split(':', 2);
  return { applicationId, reason: reason !== undefined && reason in STOP_MESSAGES ? (reason as StopReason) : 'deactivated' };
}

/** Starts listening on PostgreSQL (nothing to do on SQLite); close the listener when the process stops. */
export async function listenForStops(o: {
  database: Database;
  url: string;
  idm: IntegrationRuntime;
  logger: Logger;
}): Promise<PgListener | undefined> {
  if (o.database.dialect !== 'postgres') return undefined;
  const listener = new PgListener({
    url: o.url,
    channel: IDM_STOP_CHANNEL,
    logger: o.logger,
    onNotify: (payload) => {
      const { applicationId, reason } = parseStop(payload);
      o.idm.abort(applicationId, reason);
    },
    onReconnect: () => {
      void (async () => {
        for (const applicationId of o.idm.inFlight()) {
          const s = await findIntegrationState(o.database.db, applicationId);
          if (!s || s.status === 'inactive') o.idm.abort(applicationId, s ? 'deactivated' : 'deleted');
        }
      })().catch((err) => o.logger.warn({ err }, 'could not re-check deactivations after reconnecting'));
    },
  });
  await listener.start();
  return listener;
}
