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
  /** The applications' group lists read for the groups preview (deps.groupLists). */
  groupLists: GroupListCache;
  queue: JobQueue;
  snapshots: SnapshotCache;
  /** Tells provisioning about the users and memberships a run changes (deps.changes), in the run's transaction. */
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

/** A group as the application lists it: its members are every entry of its member list. */
export interface RemoteGroup {
  remoteId: string;
  displayName: string | undefined;
  members: Array<{ value: string; display?: string; type?: string }>;
}

/** One application's group list, as read at `readAt` (ms) through the connection of `generation`. */
export interface GroupList {
  groups: RemoteGroup[];
  readAt: number;
  generation: number;
}

/**
 * One process's group lists per application (deps.groupLists), and the read in progress, so that a
 * second request while the application is listed waits for the first. The list is only a preview:
 * a groups run reads the application again, so another process holding an older list only shows
 * older names and counts for a few minutes.
 */
export class GroupListCache {
  readonly reading = new Map<string, Promise<GroupList>>();
  readonly #lists = new Map<string, GroupList>();

  /** The list read within `maxAgeMs` of `now` through this connection, if any. */
  fresh(applicationId: string, generation: number, now: number, maxAgeMs: number): GroupList | undefined {
    const list = this.#lists.get(applicationId);
    return list && list.generation === generation && now - list.readAt < maxAgeMs && now >= list.readAt ? list : undefined;
  }

  keep(applicationId: string, list: GroupList): void {
    this.#lists.set(applicationId, list);
  }

  forget(applicationId: string): void {
    this.#lists.delete(applicationId);
  }
}
