// What the import module's services use; deps.ts has all of it. Nothing here is module state: the
// snapshot cache belongs to the process's Deps.
import type { DbContext } from '../db/context.ts';
import type { Database } from '../db/database.ts';
import type { DirectoryChanges } from '../directory/index.ts';
import type { IntegrationRuntime } from '../integrations/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { SnapshotRow } from './snapshot.repository.ts';

export interface ImportContext extends DbContext {
  /** For analyzeTables (it needs the dialect); its db is ctx.db outside a transaction. */
  database: Database;
  config: { importBatchSize: number; publicUrl: string };
  logger: Logger;
  /** Decrypts the integration's credentials. */
  secretKey: Buffer;
  idm: IntegrationRuntime;
  queue: JobQueue;
  snapshots: SnapshotCache;
  /** What the directory tells provisioning (a run's group memberships: the group's applications provision them). */
  changes: DirectoryChanges;
}

/** A ready snapshot never changes: its counts per status are counted once (for the latest few snapshots). */
const STATUS_COUNTS_KEPT = 32;

/** One process's snapshots in the making, and the counts of the latest ready ones (deps.snapshots). */
export class SnapshotCache {
  /** Per application: a second preview while one is listing the application waits for the first. */
  readonly building = new Map<string, Promise<SnapshotRow>>();
  readonly #counts = new Map<string, Record<string, number>>();

  countsOf(snapshotId: string): Record<string, number> | undefined {
    return this.#counts.get(snapshotId);
  }

  keepCounts(snapshotId: string, counts: Record<string, number>): void {
    this.#counts.set(snapshotId, counts);
    if (this.#counts.size > STATUS_COUNTS_KEPT) this.#counts.delete(this.#counts.keys().next().value!);
  }
}
