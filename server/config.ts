// The one place that reads process.env. Every key is documented here and in docs/CONFIGURATION.md.
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A whole number from min to max, `fallback` when unset; `what` names it in the error ("must be <what>"). */
const wholeNumber = (what: string, min: number, max: number, fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: `must be ${what}` })
      .int()
      .min(min)
      .max(max)
      .default(fallback),
  );

const configSchema = z.object({
  /** Folder for the embedded SQLite database and the generated secret key file. */
  ROSTER_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  /** `sqlite:<path>` or `postgres://user:pass@host:port/db`. Default: sqlite:<ROSTER_DATA_DIR>/roster.db */
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => /^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(v), {
        message: 'must start with sqlite: or postgres://',
      })
      .optional(),
  ),
  /** TCP port of the HTTP server. */
  PORT: wholeNumber('a port number from 0 to 65535', 0, 65535, 8080),
  /** Interface to listen on. */
  HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  /** The URL admins use to reach Roster (links in emails). Default: http://localhost:<PORT> */
  PUBLIC_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional()),
  /** 32-byte key (64 hex chars or base64) used to encrypt secrets at rest. Default: a key file generated in ROSTER_DATA_DIR. */
  ROSTER_SECRET_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => decodeKey(v) !== undefined, { message: 'must be 32 bytes as 64 hex characters or base64' })
      .optional(),
  ),
  /** First admin, created at start-up when no admin exists yet. */
  ROSTER_ADMIN_EMAIL: z.preprocess(emptyToUndefined, z.email().optional()),
  ROSTER_ADMIN_PASSWORD: z.preprocess(emptyToUndefined, z.string().min(12).max(128).optional()),
  /** smtp://user:pass@host:port or smtps://... Without it, mail is kept in the outbox only. */
  SMTP_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^smtps?$/ }).optional()),
  /** Sender address of Roster's emails. */
  MAIL_FROM: z.preprocess(emptyToUndefined, z.string().default('Roster <roster@localhost>')),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(logLevels).default('info')),
  /** Minutes an admin session lasts without activity. */
  SESSION_TTL_MINUTES: wholeNumber('a number of minutes', 5, 60 * 24 * 30, 720),
  /** Hours an activation link (the set-your-password email) stays valid. */
  ACTIVATION_LINK_TTL_HOURS: wholeNumber('a number of hours', 1, 24 * 30, 24 * 7),
  /** Minutes a user's portal session lasts without activity. */
  USER_SESSION_TTL_MINUTES: wholeNumber('a number of minutes', 5, 60 * 24, 60),
  /** Largest accepted request body in bytes. */
  BODY_LIMIT_BYTES: wholeNumber('a number of bytes', 1024, 100 * 1024 * 1024, 1024 * 1024),
  /** A background job whose worker stops answering for this long is handed to another worker (min 10). */
  ROSTER_JOB_LEASE_SECONDS: wholeNumber('a number of seconds', 10, 3600, 30),
  /**
   * Remote users an import writes per transaction (several SCIM pages). Larger is faster and holds
   * more in memory; 1 writes each SCIM page on its own.
   */
  ROSTER_IMPORT_BATCH_SIZE: wholeNumber('a number of users', 1, 20000, 3000),
  /** What this process does: api (HTTP only), worker (background jobs only) or all. Several workers need PostgreSQL. */
  ROSTER_ROLE: z.preprocess(emptyToUndefined, z.enum(['api', 'worker', 'all']).default('all')),
  /**
   * Behind reverse proxies that set X-Forwarded-*: how many proxy hops to trust (1-10; `true` means 1),
   * or the proxies' addresses and CIDR ranges, comma-separated. Only those hops are believed, so an
   * address a client forges in X-Forwarded-For never becomes the client address.
   */
  TRUST_PROXY: z.preprocess(emptyToUndefined, z.string().default('false').transform(parseTrustProxy)),
  /**
   * Private and loopback addresses and ranges (CIDR), comma-separated, that integrations may reach over
   * SCIM. Empty (the default): public addresses only. Metadata and link-local addresses are refused always.
   */
  ROSTER_SCIM_ALLOWED_NETWORKS: z.preprocess(emptyToUndefined, z.string().default('').transform(parseNetworks)),
  /** Whether integrations may use plain http at all: to the allowed networks, or anywhere for an integration that allows it. */
  ROSTER_SCIM_ALLOW_HTTP: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).default('false')),
});

function isAddressOrRange(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  const family = net.isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

function parseTrustProxy(value: string, ctx: z.RefinementCtx): false | number | string[] {
  const v = value.trim().toLowerCase();
  if (v === 'false' || v === '0') return false;
  // Trusting every hop would believe whatever a client writes into X-Forwarded-For.
  if (v === 'true') return 1;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops <= 10) return hops;
  } else {
    const entries = v
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    const bad = entries.filter((e) => !isAddressOrRange(e));
    if (entries.length > 0 && bad.length === 0) return entries;
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `not an IP address or CIDR range: ${bad.join(', ')}` });
      return z.NEVER;
    }
  }
  ctx.addIssue({
    code: 'custom',
    message: 'must be false, a number of proxy hops (1-10), or proxy addresses/CIDR ranges separated by commas',
  });
  return z.NEVER;
}

function parseNetworks(value: string, ctx: z.RefinementCtx): string[] {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !isAddressOrRange(e));
  if (bad.length > 0) {
    ctx.addIssue({ code: 'custom', message: `not an IP address or CIDR range: ${bad.join(', ')}` });
    return z.NEVER;
  }
  return entries;
}

export type RawConfig = z.infer<typeof configSchema>;

export interface Config {
  dataDir: string;
  databaseUrl: string;
  port: number;
  host: string;
  publicUrl: string;
  secretKey?: Buffer;
  adminEmail?: string;
  adminPassword?: string;
  smtpUrl?: string;
  mailFrom: string;
  logLevel: (typeof logLevels)[number];
  sessionTtlMinutes: number;
  activationLinkTtlHours: number;
  userSessionTtlMinutes: number;
  bodyLimitBytes: number;
  /** Fastify's trustProxy: false, a hop count, or the trusted proxies' addresses and ranges. */
  trustProxy: false | number | string[];
  /** What SCIM integrations may reach: private/loopback networks allowed, and plain http at all. */
  scimNetwork: { allowedNetworks: string[]; allowHttp: boolean };
  role: 'api' | 'worker' | 'all';
  jobLeaseMs: number;
  importBatchSize: number;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function decodeKey(value: string): Buffer | undefined {
  const v = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, 'hex');
  if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(v)) {
    const b = Buffer.from(v, 'base64');
    if (b.length === 32) return b;
  }
  return undefined;
}

/** Parses the environment. Throws one ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const c = parsed.data;
  const problems: string[] = [];
  if ((c.ROSTER_ADMIN_EMAIL === undefined) !== (c.ROSTER_ADMIN_PASSWORD === undefined)) {
    problems.push('ROSTER_ADMIN_EMAIL and ROSTER_ADMIN_PASSWORD must be set together');
  }
  if (c.ROSTER_ROLE !== 'all' && (c.DATABASE_URL ?? 'sqlite:').startsWith('sqlite:')) {
    problems.push('ROSTER_ROLE: api and worker processes share work through PostgreSQL; with SQLite run one process with role all');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const dataDir = path.resolve(c.ROSTER_DATA_DIR);
  return {
    dataDir,
    databaseUrl: c.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'roster.db')}`,
    port: c.PORT,
    host: c.HOST,
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ''),
    secretKey: c.ROSTER_SECRET_KEY ? decodeKey(c.ROSTER_SECRET_KEY) : undefined,
    adminEmail: c.ROSTER_ADMIN_EMAIL,
    adminPassword: c.ROSTER_ADMIN_PASSWORD,
    smtpUrl: c.SMTP_URL,
    mailFrom: c.MAIL_FROM,
    logLevel: c.LOG_LEVEL,
    sessionTtlMinutes: c.SESSION_TTL_MINUTES,
    activationLinkTtlHours: c.ACTIVATION_LINK_TTL_HOURS,
    userSessionTtlMinutes: c.USER_SESSION_TTL_MINUTES,
    bodyLimitBytes: c.BODY_LIMIT_BYTES,
    trustProxy: c.TRUST_PROXY,
    scimNetwork: { allowedNetworks: c.ROSTER_SCIM_ALLOWED_NETWORKS, allowHttp: c.ROSTER_SCIM_ALLOW_HTTP === 'true' },
    role: c.ROSTER_ROLE,
    jobLeaseMs: c.ROSTER_JOB_LEASE_SECONDS * 1000,
    importBatchSize: c.ROSTER_IMPORT_BATCH_SIZE,
  };
}

/** Redacts credentials from a DATABASE_URL or SMTP_URL before it is logged or printed. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]*)@/, '//$1:***@');
}
