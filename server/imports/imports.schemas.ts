// The API's shapes of an import: a run, a user's result, a preview row. The routes validate their
// answers with these schemas, and the services' types are their output, so the two cannot drift.
import { z } from 'zod';
import { initiatedBySchema } from '../shared/actor.ts';

export const estimateSchema = z
  .object({
    users: z.number().describe('users counted: the application total, or what is left of a running run'),
    pages: z.number().describe('SCIM pages to read (0 for a selection, which is read from the preview)'),
    seconds: z.number().describe('expected duration in seconds'),
    limitedBy: z.enum(['rateLimit', 'writes']).describe("what decides it: the integration's rate limit, or writing the users"),
    text: z.string().describe('the same in words, e.g. "100,000 users at 10 requests per second: about 2 minutes; ..."'),
  })
  .describe("How long the import takes, from the application's count of users and the integration's page size and rate limit");

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
  estimate: estimateSchema.optional().describe('queued or running: the time left (in the answer of GET /import-runs/{id})'),
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

export const previewSnapshotSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  status: z
    .enum(['reading', 'ready', 'failed'])
    .describe('reading: the application is still being read, and the page shows the users read so far'),
  read: z.number().describe('users read so far (all of them once ready)'),
  total: z
    .number()
    .describe("ready: the users read. While reading: the application's totalResults when it says one, else the users read so far"),
  error: z.string().optional().describe('why the read failed'),
});

export type ImportEstimate = z.output<typeof estimateSchema>;
export type PreviewSnapshot = z.output<typeof previewSnapshotSchema>;
