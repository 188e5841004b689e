// The API's shapes of an undo (issue 14): what the request may ask, and the preview the portal shows
// in its confirmation.
import { z } from 'zod';

export const UNDO_USER_MODES = ['delete', 'suspend'] as const;

export const undoRequestSchema = z
  .object({
    users: z.enum(UNDO_USER_MODES).default('delete').describe('what happens to the users the run created: deleted (default) or suspended'),
    dryRun: z.boolean().optional().describe('compute and store the results only: nothing else is changed, nothing emailed'),
  })
  .strict();
export type UndoRequest = z.input<typeof undoRequestSchema>;

export const undoPreviewSchema = z.object({
  runId: z.string(),
  created: z
    .object({
      total: z.number().describe('users the run created'),
      remove: z.number().describe('to be deleted or suspended'),
      changedSince: z.number().describe('changed since the import: left alone'),
      provisioned: z.number().describe('linked to another application, in a bound group or provisioned: left alone'),
      gone: z.number().describe('deleted since: nothing to do'),
    })
    .describe('the users the run created'),
  updated: z.number().describe('users the run updated: each field that still holds the imported value is set back'),
  links: z.number().describe('links to remote accounts the run made for existing users, to be removed where unchanged'),
  memberships: z
    .number()
    .optional()
    .describe('runs with groupId: the memberships of that group the run added and that are still there, to be removed first'),
  refused: z
    .object({ code: z.string(), message: z.string() })
    .optional()
    .describe('why the run cannot be undone now (POST would answer 409 with this code)'),
});
export type UndoPreview = z.output<typeof undoPreviewSchema>;
