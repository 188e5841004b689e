/**
 * Runs the test SCIM server standalone:
 *
 *   node test/scim-server/cli.ts --port 9999 --users 1000 --groups 10 --token secret \
 *     --quirks maxPageSize=50,totalResultsIsPageCount=true --latency 20
 *
 * Prints the base URL as the first line of stdout (details go to stderr) and stops on SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AuthConfig } from './auth.ts';
import { FAULT_KINDS, type FaultKind, type FaultRule, type Quirks, QUIRK_SPECS, parseQuirkAssignments, validateQuirks } from './quirks.ts';
import { startScimServer } from './server.ts';

const USAGE = `Usage: node test/scim-server/cli.ts [options]

Data
  --users N                 seeded users (default 0)
  --groups N                seeded groups (default 0)
  --members-per-group N     members per seeded group (default: varied, 0-25)
  --seed N                  seed for generated data (default 1)

Server
  --port N                  port on 127.0.0.1 (default 0 = any free port)
  --base-path PATH          SCIM base path (default /scim/v2)
  --no-log                  keep no request log

Auth (default: none)
  --token SECRET            static bearer token
  --basic USER:PASSWORD     HTTP basic
  --oauth ID:SECRET         OAuth2 client credentials at <url>/oauth/token
  --token-ttl SECONDS       OAuth2 token lifetime (default 3600)
  --scope SCOPE             OAuth2 scope

Quirks
  --quirks a=b,c=d          quirk switches (lists use |, e.g. allowedFilters=userName|id+manager)
  --quirks-json JSON|@FILE  quirks as JSON (anything, faults included)
  --latency MS              latencyMs
  --jitter MS               latencyJitterMs
  --rate-limit RPS/BURST    token-bucket rate limit, e.g. 10/20
  --fault KIND[:k=v;k=v]    a fault rule, repeatable, e.g. status503:first=2 or reset:every=10;path=/Users
                            kinds: ${FAULT_KINDS.join(', ')}
  --list-quirks             print every quirk switch and exit
  -h, --help                this text
`;

class UsageError extends Error {}

function count(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a non-negative integer, got '${v}'`);
  return Number(v);
}

function pair(name: string, v: string): [string, string] {
  const i = v.indexOf(':');
  if (i <= 0 || i === v.length - 1) throw new UsageError(`--${name} must look like A:B, got '${v}'`);
  return [v.slice(0, i), v.slice(i + 1)];
}

/** `status503:first=2;retryAfter=1` -> {kind: 'status503', first: 2, retryAfter: 1}. */
export function parseFault(spec: string): FaultRule {
  const [kind, rest] = spec.includes(':') ? [spec.slice(0, spec.indexOf(':')), spec.slice(spec.indexOf(':') + 1)] : [spec, ''];
  if (!FAULT_KINDS.includes(kind as FaultKind)) throw new UsageError(`--fault: unknown kind '${kind}' (kinds: ${FAULT_KINDS.join(', ')})`);
  const rule: Record<string, unknown> = { kind };
  for (const part of rest.split(';').filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--fault: expected key=value, got '${part}'`);
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === 'method') rule.method = value.includes('|') ? value.split('|') : value;
    else if (key === 'path') rule.path = value;
    else if (key === 'retryAfter') rule.retryAfter = /^\d+$/.test(value) ? Number(value) : value;
    else if (key === 'probability') rule.probability = Number(value);
    else rule[key] = /^\d+$/.test(value) ? Number(value) : value;
  }
  try {
    validateQuirks({ faults: [rule] });
  } catch (e) {
    throw new UsageError(`--fault ${spec}: ${(e as Error).message}`);
  }
  return rule as unknown as FaultRule;
}

function buildOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      users: { type: 'string' },
      groups: { type: 'string' },
      'members-per-group': { type: 'string' },
      seed: { type: 'string' },
      'base-path': { type: 'string' },
      'no-log': { type: 'boolean' },
      token: { type: 'string' },
      basic: { type: 'string' },
      oauth: { type: 'string' },
      'token-ttl': { type: 'string' },
      scope: { type: 'string' },
      quirks: { type: 'string', multiple: true },
      'quirks-json': { type: 'string' },
      latency: { type: 'string' },
      jitter: { type: 'string' },
      'rate-limit': { type: 'string' },
      fault: { type: 'string', multiple: true },
      'list-quirks': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true as const };
  if (values['list-quirks']) return { listQuirks: true as const };

  const port = count('port', values.port, 0);
  if (port > 65535) throw new UsageError('--port must be at most 65535');
  const authFlags = ['token', 'basic', 'oauth'].filter((k) => values[k as 'token'] !== undefined);
  if (authFlags.length > 1)
    throw new UsageError(`use only one of --token, --basic, --oauth (got ${authFlags.map((f) => `--${f}`).join(', ')})`);
  let auth: AuthConfig = { type: 'none' };
  if (values.token !== undefined) {
    if (!values.token) throw new UsageError('--token must not be empty');
    auth = { type: 'bearer', token: values.token };
  } else if (values.basic !== undefined) {
    const [username, password] = pair('basic', values.basic);
    auth = { type: 'basic', username, password };
  } else if (values.oauth !== undefined) {
    const [clientId, clientSecret] = pair('oauth', values.oauth);
    auth = {
      type: 'oauth2',
      clientId,
      clientSecret,
      tokenTtlSeconds: count('token-ttl', values['token-ttl'], 3600),
      ...(values.scope ? { scope: values.scope } : {}),
    };
  } else if (values['token-ttl'] !== undefined || values.scope !== undefined) throw new UsageError('--token-ttl and --scope need --oauth');

  const quirks: Partial<Quirks> = {};
  if (values['quirks-json'] !== undefined) {
    const raw = values['quirks-json'].startsWith('@') ? readFileSync(values['quirks-json'].slice(1), 'utf8') : values['quirks-json'];
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      throw new UsageError(`--quirks-json is not valid JSON: ${(e as Error).message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError('--quirks-json must be a JSON object');
    Object.assign(quirks, parsed);
  }
  for (const q of values.quirks ?? []) Object.assign(quirks, parseQuirkAssignments(q));
  if (values.latency !== undefined) quirks.latencyMs = count('latency', values.latency, 0);
  if (values.jitter !== undefined) quirks.latencyJitterMs = count('jitter', values.jitter, 0);
  if (values['rate-limit'] !== undefined) Object.assign(quirks, parseQuirkAssignments(`rateLimit=${values['rate-limit']}`));
  if (values.fault?.length) quirks.faults = [...(quirks.faults ?? []), ...values.fault.map(parseFault)];
  validateQuirks(quirks as Record<string, unknown>);

  return {
    options: {
      port,
      users: count('users', values.users, 0),
      groups: count('groups', values.groups, 0),
      ...(values['members-per-group'] !== undefined ? { membersPerGroup: count('members-per-group', values['members-per-group'], 0) } : {}),
      seed: count('seed', values.seed, 1),
      ...(values['base-path'] !== undefined ? { basePath: values['base-path'] } : {}),
      logRequests: !values['no-log'],
      auth,
      quirks,
    },
  };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof buildOptions>;
  try {
    parsed = buildOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`scim-server: ${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if ('help' in parsed) {
    process.stdout.write(USAGE);
    return;
  }
  if ('listQuirks' in parsed) {
    for (const [name, spec] of Object.entries(QUIRK_SPECS))
      process.stdout.write(`${name.padEnd(32)} ${spec.models.padEnd(10)} ${spec.doc}\n`);
    return;
  }
  const { options } = parsed;
  const started = performance.now();
  let server: Awaited<ReturnType<typeof startScimServer>>;
  try {
    server = await startScimServer({ ...options, maxLogEntries: 1000 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    process.stderr.write(
      `scim-server: cannot listen on 127.0.0.1:${options.port}: ${code === 'EADDRINUSE' ? 'port in use' : (e as Error).message}\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`${server.baseUrl}\n`);
  const auth = options.auth.type === 'none' ? 'no auth' : `auth ${options.auth.type}`;
  process.stderr.write(
    `scim-server: ${options.users} users, ${options.groups} groups, ${auth}, ready in ${(performance.now() - started).toFixed(0)} ms\n`,
  );
  if (options.auth.type === 'oauth2') process.stderr.write(`scim-server: token endpoint ${server.tokenUrl}\n`);
  const changed = Object.keys(options.quirks);
  if (changed.length) process.stderr.write(`scim-server: quirks ${JSON.stringify(options.quirks)}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`scim-server: ${signal}, stopping\n`);
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

await main();
