// The composition root: everything the server needs, built from config with plain functions. Every
// registry (mail attachments and transports, caches, the changes provisioning listens to) is built
// here and belongs to this Deps: two Deps in one process share nothing.
import type { ApplicationChanges } from './applications/index.ts';
import type { Config } from './config.ts';
import { type Database, type Db, openDatabase, optimizeDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import type { PgListener } from './db/notify.ts';
import { IntegrationRuntime, listenForStops } from './integrations/index.ts';
import { networkPolicy } from './scim/index.ts';
import { createJobQueue, type JobQueue } from './jobs/index.ts';
import { GroupListCache, importResultsCsv, RESULTS_CSV_KIND, SnapshotCache } from './imports/index.ts';
import { ScimRequestLog } from './inbound/index.ts';
import { AttachmentRegistry, type MailServices, MailTransports } from './notifications/index.ts';
import { provisioningChanges } from './provisioning/index.ts';
import { type Clock, systemClock } from './shared/clock.ts';
import { createLogger, type Logger } from './shared/logger.ts';
import { Readiness } from './shared/readiness.ts';
import { loadOrCreateSecretKey } from './shared/secret-key.ts';
import { CountCache } from './shared/count-cache.ts';

export interface Deps {
  config: Config;
  database: Database;
  /** database.db: the handle services run on outside a transaction. */
  db: Db;
  clock: Clock;
  logger: Logger;
  /** AES-256-GCM key for secrets at rest. */
  secretKey: Buffer;
  /** SCIM clients' shared limits and the per-application abort signals. */
  idm: IntegrationRuntime;
  /** Durable jobs: enqueue in the caller's transaction; workers run where the role says so. */
  queue: JobQueue;
  /** Start-up steps still running; /readyz is 503 until none is left. */
  readiness: Readiness;
  /** PostgreSQL: deactivations from other processes abort this one's in-flight work (stop-signal.ts). */
  stopListener?: PgListener;
  /** Large list totals, kept a few seconds (count-cache.ts). */
  counts: CountCache;
  /** What directory and application changes cause in provisioning, on this Deps' queue (ctx.changes). */
  changes: ApplicationChanges;
  /** Attachment resolvers by source kind, and the pooled SMTP transports. */
  mail: MailServices;
  /** Import previews being built, and the counts of ready ones. */
  snapshots: SnapshotCache;
  /** Applications' group lists read for the groups preview, kept 10 minutes. */
  groupLists: GroupListCache;
  /** This process's buffer of SCIM sources' requests, written to their log every second (inbound/request-log.ts). */
  scimRequestLog: ScimRequestLog;
}

export async function createDeps(config: Config, overrides: Partial<Omit<Deps, 'config' | 'db'>> = {}): Promise<Deps> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const database = overrides.database ?? openDatabase(config.databaseUrl);
  const readiness = overrides.readiness ?? new Readiness();
  readiness.wait('migrations');
  await migrateToLatest(database.db);
  await optimizeDatabase(database);
  readiness.done('migrations');
  const idm =
    overrides.idm ?? new IntegrationRuntime({ network: networkPolicy(config.scimNetwork.allowedNetworks, config.scimNetwork.allowHttp) });
  const clock = overrides.clock ?? systemClock;
  const queue =
    overrides.queue ??
    createJobQueue(database, {
      logger,
      connectionString: config.databaseUrl,
      leaseMs: config.jobLeaseMs,
      // One server process per SQLite database: jobs left running belong to a process that died.
      reclaimOnStart: database.dialect === 'sqlite',
    });
  const changes = overrides.changes ?? provisioningChanges(queue, clock);
  return {
    config,
    database,
    db: database.db,
    clock,
    logger,
    secretKey: overrides.secretKey ?? loadOrCreateSecretKey(config.dataDir, config.secretKey),
    idm,
    stopListener: await listenForStops({ database, url: config.databaseUrl, idm, logger }),
    readiness,
    counts: overrides.counts ?? new CountCache(),
    queue,
    changes,
    mail: overrides.mail ?? {
      attachments: new AttachmentRegistry().register(RESULTS_CSV_KIND, importResultsCsv),
      transports: new MailTransports(),
    },
    snapshots: overrides.snapshots ?? new SnapshotCache(),
    groupLists: overrides.groupLists ?? new GroupListCache(),
    scimRequestLog: overrides.scimRequestLog ?? new ScimRequestLog({ db: database.db, clock, logger }),
  };
}

/** Stops the workers (letting running jobs finish for a while), then closes the database. */
export async function closeDeps(deps: Deps, opts: { graceMs?: number } = {}): Promise<void> {
  await deps.queue.stop({ graceMs: opts.graceMs ?? 20_000 });
  await deps.stopListener?.close();
  deps.mail.transports.close();
  await deps.scimRequestLog.close();
  await deps.database.close();
}
