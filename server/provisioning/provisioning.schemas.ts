// The API's shapes of provisioning: a sync run, an application's provisioning status, one user's sync.
// The routes validate their answers with these schemas and the services' types are their output.
import { z } from 'zod';
import { initiatedBySchema } from '../shared/actor.ts';

export const syncSchema = z.object({
  id: z.string(),
  kind: z.enum(['full', 'incremental']),
  trigger: z.string(),
  status: z.enum(['queued', 'running', 'completed', 'paused', 'failed', 'cancelled']),
  processed: z.number(),
  counts: z.record(z.string(), z.number()),
  error: z.string().optional(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  initiatedBy: initiatedBySchema,
});

export const statusSchema = z.object({
  applicationId: z.string(),
  integrationStatus: z.enum(['unconfigured', 'inactive', 'active', 'error']),
  running: z.boolean(),
  currentSync: syncSchema.nullable(),
  lastSync: syncSchema.nullable(),
  nextReconcileAt: z.string().nullable(),
  paused: z
    .object({
      since: z.string().nullable(),
      syncId: z.string(),
      deprovisions: z.number(),
      linked: z.number(),
      percent: z.number(),
      minimum: z.number(),
      confirmed: z.boolean(),
    })
    .nullable(),
  pending: z.object({ users: z.number(), groups: z.number(), fullReconcile: z.boolean(), queuedSyncs: z.number() }),
  failed: z.object({
    total: z.number(),
    items: z.array(
      z.object({
        type: z.enum(['user', 'group']),
        id: z.string(),
        name: z.string(),
        status: z.string(),
        operation: z.string().nullable(),
        error: z.string().nullable(),
        attempts: z.number(),
        nextAttemptAt: z.string().nullable(),
        updatedAt: z.string(),
      }),
    ),
  }),
});

export const userOutcomeSchema = z.object({
  applicationId: z.string(),
  userId: z.string(),
  outcome: z.enum(['created', 'linked', 'updated', 'unchanged', 'deprovisioned', 'deleted', 'removed', 'skipped', 'failed']),
  remoteId: z.string().optional(),
  message: z.string().optional(),
});

export type SyncView = z.output<typeof syncSchema>;
export type ProvisioningStatus = z.output<typeof statusSchema>;
export type UserSyncOutcome = z.output<typeof userOutcomeSchema>;
