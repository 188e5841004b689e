import { z } from 'zod';

const AUTH_TYPES = ['bearer', 'basic', 'oauth2_client_credentials'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

const secret = (name: string) =>
  z
    .string({ message: `${name} must be a string` })
    .min(1, `${name} must not be empty`)
    .max(8192)
    .refine((v) => !/[\r\n\0]/.test(v), `${name} must be one line`);
// Sent as an HTTP header value as it is: printable ASCII only (a typographic quote pasted into a token
// used to be saved, and every request then failed inside the HTTP client).
const HEADER_SAFE = /^[\x20-\x7e]*$/;
const headerSafe = (name: string) =>
  secret(name).refine(
    (v) => HEADER_SAFE.test(v),
    `${name} may only contain printable ASCII characters (check for typographic quotes or other characters pasted with it)`,
  );

/** Secrets may be left out of a PUT to keep the stored ones. */
const authInputSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('bearer'), token: headerSafe('token').optional() }).strict(),
    z.object({ type: z.literal('basic'), username: z.string().trim().min(1).max(256), password: secret('password').optional() }).strict(),
    z
      .object({
        type: z.literal('oauth2_client_credentials'),
        tokenUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2048),
        clientId: z.string().trim().min(1).max(512),
        clientSecret: secret('clientSecret').optional(),
        scope: z.string().trim().max(1024).optional(),
      })
      .strict(),
  ],
  { message: `type must be one of ${AUTH_TYPES.join(', ')}` },
);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const RESERVED_HEADERS = new Set([
  'authorization',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'content-type',
  'accept',
  'cookie',
  'proxy-authorization',
]);

const headersSchema = z
  .record(
    z
      .string()
      .regex(HEADER_NAME, 'must be a valid HTTP header name')
      .refine((n) => !RESERVED_HEADERS.has(n.toLowerCase()), 'this header is set by Roster and cannot be configured'),
    z
      .string()
      .max(4096)
      .refine((v) => !/[\r\n\0]/.test(v), 'must be one line')
      .refine((v) => HEADER_SAFE.test(v), 'may only contain printable ASCII characters'),
  )
  .refine((h) => Object.keys(h).length <= 20, 'at most 20 headers');

export const settingsSchema = z
  .object({
    groupManagement: z.boolean(),
    deprovision: z.enum(['deactivate', 'delete']),
    /** What happens to the remote group when its user group is unbound. */
    unboundGroups: z.enum(['leave', 'delete']),
    pageSize: z.number().int().min(1).max(1000),
    rateLimitPerSecond: z.number().min(0.1).max(10_000),
    rateLimitBurst: z.number().int().min(1).max(10_000),
    concurrency: z.number().int().min(1).max(64),
    requestTimeoutMs: z.number().int().min(1000).max(300_000),
    memberChunkSize: z.number().int().min(1).max(1000),
    allowInsecureHttp: z.boolean(),
    syncIntervalMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60),
    guardrailPercent: z.number().min(0).max(100),
    guardrailMinimum: z.number().int().min(0).max(1_000_000),
  })
  .strict();

export type IdmSettings = z.output<typeof settingsSchema>;

export const DEFAULT_SETTINGS: IdmSettings = {
  groupManagement: false,
  deprovision: 'deactivate',
  unboundGroups: 'leave',
  pageSize: 100,
  rateLimitPerSecond: 10,
  rateLimitBurst: 20,
  concurrency: 4,
  requestTimeoutMs: 30_000,
  memberChunkSize: 100,
  allowInsecureHttp: false,
  syncIntervalMinutes: 60,
  guardrailPercent: 20,
  guardrailMinimum: 10,
};

export const putIntegrationSchema = z
  .object({
    baseUrl: z.string().max(2048),
    auth: authInputSchema,
    /** Replaces all extra headers when given; left out keeps them. */
    headers: headersSchema.optional(),
    settings: settingsSchema.partial().optional(),
  })
  .strict();

export type PutIntegrationInput = z.output<typeof putIntegrationSchema>;

const problemSchema = z.object({ code: z.string(), severity: z.enum(['error', 'warning']), message: z.string() });
export type Problem = z.output<typeof problemSchema>;

const capabilitiesSchema = z.object({
  patch: z.boolean(),
  filter: z.boolean(),
  filterMaxResults: z.number().optional(),
  sort: z.boolean(),
  bulk: z.boolean(),
  etag: z.boolean(),
  changePassword: z.boolean(),
  maxPageSize: z.number().optional(),
  cursorPagination: z.boolean(),
  indexPagination: z.boolean(),
  groups: z.boolean(),
  enterpriseUser: z.boolean(),
  userCount: z.number().optional(),
  authenticationSchemes: z.array(z.string()),
});
export type Capabilities = z.output<typeof capabilitiesSchema>;

export const testResultSchema = z.object({
  ok: z.boolean(),
  testedAt: z.string(),
  durationMs: z.number(),
  capabilities: capabilitiesSchema,
  problems: z.array(problemSchema),
  writeCheck: z.enum(['passed', 'failed', 'skipped']),
});
export type TestResult = z.output<typeof testResultSchema>;

const INTEGRATION_STATUSES = ['unconfigured', 'inactive', 'active', 'error'] as const;

export const integrationViewSchema = z.object({
  applicationId: z.string(),
  status: z.enum(INTEGRATION_STATUSES),
  baseUrl: z.string().nullable(),
  auth: z
    .object({
      type: z.enum(AUTH_TYPES),
      username: z.string().optional(),
      tokenUrl: z.string().optional(),
      clientId: z.string().optional(),
      scope: z.string().optional(),
      secretSet: z.boolean(),
    })
    .nullable(),
  headerNames: z.array(z.string()),
  settings: settingsSchema,
  capabilities: capabilitiesSchema.optional(),
  lastTest: testResultSchema.optional(),
  lastError: z.string().optional(),
  activatedAt: z.string().nullable(),
  deactivatedAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type IntegrationView = z.output<typeof integrationViewSchema>;
