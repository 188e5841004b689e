// What one sync (or one-user sync) carries through its operations.
import type { Db } from '../db/database.ts';
import type { DbContext } from '../db/context.ts';
import type { IdmSettings, IntegrationRuntime } from '../integrations/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { ScimClient } from '../scim/index.ts';
import type { Actor } from '../shared/actor.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { SyncTrigger } from './triggers.ts';

/** One sync job's run. */
export interface SyncOptions {
  organizationId: string;
  applicationId: string;
  trigger: SyncTrigger;
  /** The job's signal: aborted on shutdown, cancellation, lease loss. */
  signal?: AbortSignal;
}

/** What provisioning's services and its job use; deps.ts has all of it. */
export interface ProvisioningContext extends DbContext {
  logger: Logger;
  /** Decrypts the integration's credentials. */
  secretKey: Buffer;
  /** SCIM clients with the integration's shared limits, and the abort signals of deactivation. */
  idm: IntegrationRuntime;
  queue: JobQueue;
}

export interface SyncContext {
  db: Db;
  logger: Logger;
  clock: Clock;
  client: ScimClient;
  organizationId: string;
  application: { id: string; name: string };
  settings: IdmSettings;
  /** Who the Insights events name as initiator: the admin who asked, else the system. */
  actor: Actor;
  signal: AbortSignal;
  /** Updates go by PATCH until the server refuses PATCH (then PUT), remembered per application. */
  mode: { patch: boolean };
  learnPutOnly(): Promise<void>;
}

/** What planning needs: the database and the application, no SCIM client. */
export type PlanContext = Pick<SyncContext, 'db' | 'organizationId' | 'application' | 'settings'>;

export interface SyncCounts {
  created: number;
  linked: number;
  updated: number;
  deprovisioned: number;
  deleted: number;
  failed: number;
  orphaned: number;
  /** Deprovisions held back by the guardrail. */
  held: number;
  /** Operations that did not happen because the integration was deactivated. */
  cancelled: number;
  groupsCreated: number;
  groupsUpdated: number;
  groupsDeleted: number;
  membershipRequests: number;
}

export const emptyCounts = (): SyncCounts => ({
  created: 0,
  linked: 0,
  updated: 0,
  deprovisioned: 0,
  deleted: 0,
  failed: 0,
  orphaned: 0,
  held: 0,
  cancelled: 0,
  groupsCreated: 0,
  groupsUpdated: 0,
  groupsDeleted: 0,
  membershipRequests: 0,
});

/** An operation that did not run to its end, for the "integration deactivated" events. */
export interface Unfinished {
  eventType: string;
  resource: { type: 'user' | 'group'; id: string; username: string };
}
