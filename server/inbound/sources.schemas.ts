// The shapes of SCIM sources: their settings (stored as JSON), what the API accepts and answers. The
// routes validate with these and the service's types are their outputs, so the two cannot drift.
import { z } from 'zod';
import { initiatedBySchema } from '../shared/actor.ts';
import { nameSchema } from '../shared/named.ts';

export const ON_DELETE = ['suspend', 'delete'] as const;
export const ACTIVATION_EMAIL = ['off', 'on_create'] as const;

const percentSchema = z
  .number({ message: 'must be a number' })
  .min(1, 'must be from 1 to 100')
  .max(100, 'must be from 1 to 100')
  .describe('Share of the users the source can see (those of the organization), in percent');
const minimumSchema = z
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(1_000_000, 'must be at most 1000000')
  .describe('The limit is never below this many removals per hour');

const guardrailSchema = z.object({ percent: percentSchema, minimum: minimumSchema }).strict();

export const sourceSettingsSchema = z
  .object({
    onDelete: z.enum(ON_DELETE).describe('What a SCIM DELETE of a user does: suspend him (he answers 404 to the source) or delete him'),
    groups: z.boolean().describe('Whether the source may create and change groups'),
    activationEmail: z.enum(ACTIVATION_EMAIL).describe('Whether users the source creates get the set-your-password email'),
    deleteGuardrail: guardrailSchema
      .nullable()
      .describe(
        'Deletions and suspensions per hour above max(minimum, percent of the users) pause the source until an admin confirms; null: off',
      ),
    rateLimitPerSecond: z
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be from 1 to 10000')
      .max(10_000, 'must be from 1 to 10000')
      .describe('Requests per second the source may make'),
  })
  .strict();

export type SourceSettings = z.output<typeof sourceSettingsSchema>;

export const DEFAULT_GUARDRAIL = { percent: 10, minimum: 10 } as const;

export const DEFAULT_SOURCE_SETTINGS: SourceSettings = {
  onDelete: 'suspend',
  groups: true,
  activationEmail: 'off',
  deleteGuardrail: { ...DEFAULT_GUARDRAIL },
  rateLimitPerSecond: 100,
};

/**
 * Settings as a request gives them: any subset, merged over the current ones (or the defaults). A
 * guardrail object may give one of its two numbers; the other is kept (or defaulted).
 */
export const settingsInputSchema = sourceSettingsSchema
  .extend({ deleteGuardrail: guardrailSchema.partial().strict().nullable() })
  .partial()
  .strict();

export type SettingsInput = z.output<typeof settingsInputSchema>;

export const createSourceSchema = z.object({ name: nameSchema, settings: settingsInputSchema.optional() }).strict();
export type CreateSourceInput = z.output<typeof createSourceSchema>;

export const updateSourceSchema = z
  .object({ name: nameSchema.optional(), settings: settingsInputSchema.optional() })
  .strict()
  .refine((v) => v.name !== undefined || v.settings !== undefined, 'give name or settings');
export type UpdateSourceInput = z.output<typeof updateSourceSchema>;

const timestamp = z.string().describe('RFC 3339 UTC');

export const scimSourceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    baseUrl: z.string().describe('Where the source sends its SCIM requests: the public URL + /scim/v2'),
    tokenHint: z.string().describe("The token's last 4 characters, to tell tokens apart (the token itself is shown once)"),
    settings: sourceSettingsSchema,
    createdAt: timestamp,
    updatedAt: timestamp,
    createdBy: initiatedBySchema,
    tokenRotatedAt: timestamp.nullable(),
    lastRequestAt: timestamp.nullable(),
    deletedAt: timestamp.nullable().describe('A deleted source keeps its row (its users and groups still name it); its token is refused'),
    guardrail: z.object({
      pausedAt: timestamp.nullable().describe('Set while deletions and suspensions are refused until an admin confirms'),
      confirmedAt: timestamp.nullable().describe('Removals before this no longer count toward the guardrail'),
    }),
    counts: z.object({ users: z.number().int(), groups: z.number().int() }).describe('Users and groups this source created'),
  })
  .meta({ id: 'ScimSource' });
export type ScimSourceView = z.output<typeof scimSourceSchema>;

export const createdSourceSchema = scimSourceSchema
  .extend({ token: z.string().describe('The bearer token: shown once, store it now') })
  .meta({ id: 'CreatedScimSource' });
export type CreatedSource = z.output<typeof createdSourceSchema>;

export const tokenSchema = z.object({ token: z.string().describe('The new bearer token: shown once; the old one is refused from now on') });

export const sourceRequestSchema = z.object({
  id: z.string(),
  at: timestamp,
  method: z.string(),
  path: z.string().describe('Path and query, at most 500 characters'),
  status: z.number().int(),
  durationMs: z.number().int(),
  scimType: z.string().optional(),
  detail: z.string().optional(),
  resourceType: z.string().optional(),
  resourceId: z.string().optional(),
});
export type SourceRequest = z.output<typeof sourceRequestSchema>;

const statusCounts = z.object({
  total: z.number().int(),
  errors: z.number().int().describe('4xx and 5xx answers'),
  byStatusClass: z.object({ '2xx': z.number().int(), '3xx': z.number().int(), '4xx': z.number().int(), '5xx': z.number().int() }),
});
export type StatusCounts = z.output<typeof statusCounts>;

export const sourceStatsSchema = z.object({
  requests: z
    .object({ lastHour: statusCounts, last24Hours: statusCounts })
    .describe('From the request log, which keeps the last 1000 requests of each source for at most 7 days'),
  created: z.object({ users: z.number().int(), groups: z.number().int() }),
  guardrail: z.object({
    enabled: z.boolean(),
    windowStart: timestamp.describe('Removals since then count: an hour ago, or the last confirmation if later'),
    removals: z.number().int(),
    limit: z.number().int().nullable().describe('Removals allowed in the window; null when the guardrail is off'),
    pausedAt: timestamp.nullable(),
    confirmedAt: timestamp.nullable(),
  }),
});
export type SourceStats = z.output<typeof sourceStatsSchema>;
