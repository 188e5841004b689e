// The API's shapes of an import: a run, a user's result, a preview row. The routes validate their
// answers with these schemas, and the services' types are their output, so the two cannot drift.
import { z } from 'zod';
import { initiatedBySchema } from '../shared/actor.ts';
import { MATCH_RULES } from './classify.ts';
import { UPDATABLE_FIELDS } from './diff.ts';

export const matchRuleSchema = z.enum(MATCH_RULES);
export const updatableFieldSchema = z.enum(UPDATABLE_FIELDS);
/** Which fields a run takes from the application: all that differ, or these. */
export const updateFieldsSchema = z.union([
  z.literal('all'),
  z.array(updatableFieldSchema).min(1, 'name at least one field, or send "all"').max(UPDATABLE_FIELDS.length),
]);

/** What a run was asked to do, as stored with it and shown in the API. */
export const runOptionsSchema = z.object({
  update: z
    .object({ fields: updateFieldsSchema })
    .optional()
    .describe("users runs: take the application's values of these fields for linked and matching users"),
  link: z.boolean().describe('users runs: link matching users to their remote accounts (default true)'),
  groupId: z.string().optional().describe('users runs: put the created and linked users into this Roster group'),
  resolve: z
    .array(z.object({ remoteId: z.string(), userId: z.string() }))
    .optional()
    .describe('users runs: the directory user the admin picked for remote users in conflict'),
  exclude: z.array(z.string()).optional().describe('remote ids left out of the run'),
  undo: z
    .object({ users: z.enum(['delete', 'suspend']) })
    .optional()
    .describe('undo runs: what happens to the users the undone run created'),
  guardrailPercent: z.number().optional().describe('scheduled runs: pause when the run would change more than this share of the directory'),
  guardrailConfirmed: z.boolean().optional().describe('an admin confirmed the paused run: the guardrail lets it through'),
});

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
  status: z
    .enum(['queued', 'running', 'paused', 'completed', 'failed'])
    .describe('paused: a scheduled run stopped by the guardrail, waiting for an admin to confirm it'),
  mode: z.enum(['all', 'selection']),
  kind: z.enum(['users', 'groups', 'undo']),
  trigger: z.enum(['manual', 'schedule']),
  dryRun: z.boolean().describe('computed and stored the results only: nothing else written, nothing emailed'),
  options: runOptionsSchema,
  total: z.number(),
  processed: z.number(),
  created: z.number(),
  linked: z.number(),
  updated: z.number(),
  reverted: z.number().describe('undo runs: users deleted, suspended, set back or unlinked'),
  skipped: z.number(),
  failed: z.number(),
  undoOf: z.string().optional().describe('undo runs: the run they revert'),
  undoneBy: z.string().optional().describe('the undo run that reverted this run'),
  pausedReason: z.string().optional(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  createdAt: z.string(),
  initiatedBy: initiatedBySchema,
  error: z.string().optional(),
  estimate: estimateSchema.optional().describe('queued or running: the time left (in the answer of GET /import-runs/{id})'),
});
export const RESULT_OUTCOMES = [
  'created',
  'linked',
  'updated',
  'skipped',
  'failed',
  'deleted',
  'suspended',
  'reverted',
  'unlinked',
] as const;

export const resultChangeSchema = z.object({ field: updatableFieldSchema, before: z.unknown(), after: z.unknown() });
export const unplacedMemberSchema = z.object({
  remoteId: z.string(),
  display: z.string().optional(),
  reason: z.string(),
});

export const resultSchema = z.object({
  remoteId: z.string().describe("the remote user (users runs) or group (groups runs); undo runs: the undone result's"),
  userName: z.string().describe("groups runs: the group's name"),
  email: z.string(),
  outcome: z
    .enum(RESULT_OUTCOMES)
    .describe(
      'users runs: created, linked, updated, skipped, failed; groups runs: created, skipped, failed; ' +
        'undo runs: deleted, suspended, reverted (fields set back), unlinked, skipped, failed',
    ),
  reason: z.string().optional(),
  code: z
    .string()
    .optional()
    .describe('machine-readable reason: changed_since_preview, conflict, linked_elsewhere, changed_since_import, provisioned, ...'),
  userId: z.string().optional().describe('the directory user (groups runs: the Roster group)'),
  changes: z.array(resultChangeSchema).optional().describe('updated (and reverted) users: each field before and after'),
  linked: z.boolean().optional().describe('updated users: the run also linked him to the remote user'),
  left: z
    .array(z.object({ field: updatableFieldSchema, code: z.enum(['changed_since_import', 'email_taken']) }))
    .optional()
    .describe('undo runs: the fields the undone run updated that were not set back, and why'),
  leftGroup: z.boolean().optional().describe('undo runs: the user was taken out of the group the undone run had put him in (its groupId)'),
  members: z
    .object({ added: z.number(), unplaced: z.array(unplacedMemberSchema) })
    .optional()
    .describe('groups runs: members added, and the remote members Roster could not place'),
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
  status: z.enum(['new', 'exists', 'conflict', 'invalid']),
  reasons: z.array(z.string()),
  existingUserId: z.string().optional(),
  match: z.object({ by: matchRuleSchema, userId: z.string() }).optional().describe('exists: the rule that matched and the user'),
  candidates: z
    .array(z.object({ userId: z.string(), by: matchRuleSchema }))
    .optional()
    .describe('conflict: the directory users the rules found; pick one with resolve'),
  changes: z
    .array(z.object({ field: updatableFieldSchema, current: z.unknown(), remote: z.unknown() }))
    .optional()
    .describe('exists: the fields whose remote value differs'),
});

export const scheduleSchema = z.object({
  cron: z.string().describe('five-field cron expression, in timeZone'),
  timeZone: z.string().describe('IANA time zone, e.g. Europe/Berlin'),
  mode: z.enum(['new', 'new_and_update']),
  fields: updateFieldsSchema.optional().describe('new_and_update: the fields taken for linked users (default all)'),
  guardrailPercent: z
    .number()
    .optional()
    .describe(
      "pause the run for an admin when it would create or update more than this share of the directory's users " +
        '(default 10; a run may always change 20)',
    ),
});

export const importSettingsSchema = z.object({
  matchBy: z.array(matchRuleSchema).describe('match rules in priority order'),
  schedule: scheduleSchema.extend({ nextRunAt: z.string().nullable() }).nullable(),
});

export const groupPreviewItemSchema = z.object({
  remoteId: z.string(),
  displayName: z.string(),
  memberCount: z.number(),
  status: z.enum(['new', 'exists', 'invalid']),
  existingGroupId: z.string().optional(),
  reasons: z.array(z.string()),
});
export type GroupPreviewItem = z.output<typeof groupPreviewItemSchema>;
export type ImportSettings = z.output<typeof importSettingsSchema>;
export type RunOptions = z.output<typeof runOptionsSchema>;

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
