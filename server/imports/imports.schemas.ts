// The API's shapes of an import: a run, a user's result, a preview row. The routes validate their
// answers with these schemas, and the services' types are their output, so the two cannot drift.
import { z } from 'zod';
import { initiatedBySchema } from '../shared/actor.ts';

export const runSchema = z.object({
  id: z.string(),
  applicationId: z.string(),
  status: z.enum(['queued', 'running', 'completed', 'failed']),
  mode: z.enum(['all', 'selection']),
  total: z.number(),
  processed: z.number(),
  created: z.number(),
  skipped: z.number(),
  failed: z.number(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  createdAt: z.string(),
  initiatedBy: initiatedBySchema,
  error: z.string().optional(),
});
export const resultSchema = z.object({
  remoteId: z.string(),
  userName: z.string(),
  email: z.string(),
  outcome: z.enum(['created', 'skipped', 'failed']),
  reason: z.string().optional(),
  userId: z.string().optional(),
});
export const previewItemSchema = z.object({
  remoteId: z.string(),
  userName: z.string(),
  email: z.string(),
  firstname: z.string(),
  lastname: z.string(),
  displayname: z.string(),
  attributes: z.record(z.string(), z.unknown()),
  remoteActive: z.boolean(),
  status: z.enum(['new', 'exists', 'invalid']),
  reasons: z.array(z.string()),
  existingUserId: z.string().optional(),
});

export type ImportRun = z.output<typeof runSchema>;
export type ImportResult = z.output<typeof resultSchema>;
export type PreviewItem = z.output<typeof previewItemSchema>;
