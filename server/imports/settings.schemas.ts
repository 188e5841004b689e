// What PUT /applications/{id}/import/settings accepts. The answer is importSettingsSchema.
import { z } from 'zod';
import { cronProblem, isTimeZone } from './cron.ts';
import { matchRuleSchema, updateFieldsSchema } from './imports.schemas.ts';

export const DEFAULT_GUARDRAIL_PERCENT = 10;

const scheduleInputSchema = z
  .object({
    cron: z
      .string()
      .max(200)
      .superRefine((value, ctx) => {
        const problem = cronProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: `invalid cron expression: ${problem}` });
      })
      .describe('five-field cron expression (minute hour day-of-month month day-of-week), read in timeZone'),
    timeZone: z
      .string()
      .max(100)
      .refine(isTimeZone, 'not a known IANA time zone, e.g. Europe/Berlin')
      .describe('IANA time zone the cron expression is read in (Roster has no organization time zone yet)'),
    mode: z.enum(['new', 'new_and_update']).describe("new: create new users only; new_and_update: also take the fields' remote values"),
    fields: updateFieldsSchema.optional().describe('new_and_update only: the fields taken for linked users (default all)'),
    guardrailPercent: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe(
        `pause the run for an admin when it would create or update more than this share of the directory's users ` +
          `(default ${DEFAULT_GUARDRAIL_PERCENT}; a run may always change 20)`,
      ),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.fields !== undefined && s.mode !== 'new_and_update')
      ctx.addIssue({ code: 'custom', path: ['fields'], message: 'fields only go with mode new_and_update' });
  });

export const putImportSettingsSchema = z
  .object({
    matchBy: z
      .array(matchRuleSchema)
      .min(1, 'name at least one match rule')
      .refine((rules) => new Set(rules).size === rules.length, 'a rule may appear only once')
      // A link is an identity already established (provisioning and earlier imports made it): a linked
      // remote user is his directory user whatever the other rules say, and can be linked to no other.
      .refine((rules) => rules[0] === 'link', 'link must come first: a remote user linked to a directory user is always that user')
      .optional()
      .describe('match rules in priority order (left out: unchanged); link is always first'),
    schedule: scheduleInputSchema.nullable().optional().describe('null: no schedule; left out: unchanged'),
  })
  .strict();

export type PutImportSettings = z.output<typeof putImportSettingsSchema>;
export type ScheduleInput = NonNullable<PutImportSettings['schedule']>;
