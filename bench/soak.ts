// Soak: Roster under everything at once, in real processes, for a number of minutes: an import of
// 100,000 users from one application, a provisioning sync of 10,000 directory users to another, and
// 50 API clients reading and writing with a think time. On SQLite one process does it all; on
// PostgreSQL one api process and two worker processes share the database. Every minute it prints the
// requests, errors and latency of that minute, the import's and the provisioning's progress, and the
// RSS of every process; at the end a summary and a verdict against the targets (no errors; API p95
// under 50 ms on PostgreSQL; RSS flat after warm-up). Usage:
//   npm run bench:soak -- [--minutes 10] [--database sqlite|postgres|both] [--import-users 100000]
//                         [--provision-users 10000] [--clients 50]
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { TEST_NETWORK_ENV } from '../test/network.ts';
import {
  adminApi,
  type Api,
  must,
  type Proc,
  rssOf,
  seedGroupOfUsers,
  startPostgres,
  startRoster as startRosterProcess,
  startScimProcess,
  type ScimProcess,
} from './support.ts';

const USAGE =
  'Usage: npm run bench:soak -- [--minutes 1..240] [--database sqlite|postgres|both] ' +
  '[--import-users N] [--provision-users N] [--clients 1..500]';

function parseOptions() {
  try {
    const { values } = parseArgs({
      options: {
        minutes: { type: 'string', default: '10' },
        database: { type: 'string', default: 'both' },
        'import-users': { type: 'string', default: '100000' },
        'provision-users': { type: 'string', default: '10000' },
        clients: { type: 'string', default: '50' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const int = (name: string, v: string, min: number, max: number) => {
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
        throw new Error(`--${name} must be a whole number from ${min} to ${max}, got '${v}'`);
      return Number(v);
    };
    if (!['sqlite', 'postgres', 'both'].includes(values.database))
      throw new Error(`--database must be sqlite, postgres or both, got '${values.database}'`);
    return {
      minutes: int('minutes', values.minutes, 1, 240),
      databases: (values.database === 'both' ? ['sqlite', 'postgres'] : [values.database]) as Array<'sqlite' | 'postgres'>,
      importUsers: int('import-users', values['import-users'], 1, 1_000_000),
      provisionUsers: int('provision-users', values['provision-users'], 1, 200_000),
      clients: int('clients', values.clients, 1, 500),
    };
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const opts = parseOptions();
const TOKEN = 'soak-token';
const ADMIN = { email: 'soak-admin@example.com', password: 'measured copper lantern 42' };
const MINUTE_MS = 60_000;
const THINK_MS = [250, 750] as const;

// --- processes ---------------------------------------------------------------------------------

const cleanups: Array<() => Promise<unknown>> = [];
async function cleanUp() {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping what was started\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}

/** A Roster process as `npm start` runs it, stopped with everything else at the end. */
async function startRoster(label: string, env: Record<string, string>): Promise<Proc & { url?: string }> {
  const proc = await startRosterProcess(label, env, (process.env.SOAK_NODE_ARGS ?? '').split(' ').filter(Boolean));
  cleanups.push(proc.stop);
  return proc;
}

const CLOCK_TICKS = 100; // getconf CLK_TCK on Linux
const statFields = (pid: number): string[] | undefined => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
};
/** CPU time (user + system) a process has used, ms; with `reaped`, also its ended children's. */
const cpuOf = (pid: number | undefined, reaped = false): number | undefined => {
  const f = pid ? statFields(pid) : undefined;
  if (!f) return undefined;
  return ((Number(f[11]) + Number(f[12]) + (reaped ? Number(f[13]) + Number(f[14]) : 0)) * 1000) / CLOCK_TICKS;
};
/** CPU time the whole machine has been busy (all cores), ms. */
function machineBusyMs(): number {
  const t = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return ((t[0] + t[1] + t[2] + t[5] + t[6] + t[7]) * 1000) / CLOCK_TICKS;
}

/** Proportional set size: shared pages split between the processes that share them. */
const pssOf = (pid: number): number => {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
};

/**
 * PostgreSQL: the postmaster started on `dir` and all its children (backends, walwriter...), as PSS:
 * their RSS would count the shared buffers once per process.
 */
function postgresProcesses(dir: string): { master: number; all: number[] } | undefined {
  const procs = fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number);
  const cmdline = (pid: number) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  };
  const master = procs.find((p) => cmdline(p).split('\0').includes(dir));
  if (!master) return undefined;
  return { master, all: [master, ...procs.filter((p) => Number(statFields(p)?.[1]) === master)] };
}
const postgresPss = (dir: string): number | undefined => postgresProcesses(dir)?.all.reduce((n, p) => n + pssOf(p), 0);
/** Backends come and go (pools close idle connections): the postmaster's reaped children count too. */
function postgresCpu(dir: string): number | undefined {
  const pg = postgresProcesses(dir);
  return pg && pg.all.reduce((n, p) => n + (cpuOf(p, p === pg.master) ?? 0), 0);
}

// --- HTTP ----------------------------------------------------------------------------------------

/** How many users the application has (SCIM totalResults). */
async function remoteCount(scim: ScimProcess): Promise<number | undefined> {
  try {
    const r = await fetch(`${scim.baseUrl}/Users?count=1`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return ((await r.json()) as { totalResults?: number }).totalResults;
  } catch {
    return undefined;
  }
}

// --- the directory -------------------------------------------------------------------------------

/** Migrates and seeds the directory before the servers start: N users in a group, their ids. */
async function seedDirectory(env: Record<string, string>, n: number): Promise<{ groupId: string; userIds: string[] }> {
  const { loadConfig } = await import('../server/config.ts');
  const { createDeps, closeDeps } = await import('../server/deps.ts');
  const { systemActor } = await import('../server/shared/actor.ts');
  const { createLogger } = await import('../server/shared/logger.ts');
  const deps = await createDeps(loadConfig({ ...env, LOG_LEVEL: 'warn' }), { logger: createLogger('warn') });
  try {
    const { group, rows } = await seedGroupOfUsers(deps, systemActor(), {
      users: n,
      prefix: 'soak',
      firstname: 'Soak',
      groupName: 'Soak provisioned',
    });
    return { groupId: group.id, userIds: rows.map((r) => r.id) };
  } finally {
    await closeDeps(deps);
  }
}

// --- load ----------------------------------------------------------------------------------------

interface Sample {
  op: string;
  ms: number;
  minute: number;
}

interface Problem {
  op: string;
  status: number | string;
  body: string;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const fmt = (ms: number) => (Number.isNaN(ms) ? '-' : ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
const mb = (bytes: number | undefined) => (bytes === undefined ? '-' : `${Math.round(bytes / 1024 / 1024)}`);
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One client: a loop of realistic requests (mostly reads, some writes) with a think time between. */
async function client(
  id: number,
  api: Api,
  ctx: { userIds: string[]; scratchGroup: string; runId: string; appIds: string[] },
  until: number,
  startedAt: number,
  samples: Sample[],
  problems: Problem[],
) {
  let created = 0;
  const mine: string[] = [];
  const sorts = ['sort=username', 'sort=username&order=desc', 'sort=email', 'sort=createdAt&order=desc', 'sort=lastname'];
  while (Date.now() < until) {
    await sleep(THINK_MS[0] + Math.random() * (THINK_MS[1] - THINK_MS[0]));
    if (Date.now() >= until) break;
    const roll = Math.random();
    let op: string;
    let method = 'GET';
    let url: string;
    let body: unknown;
    if (roll < 0.3) {
      op = 'list users';
      url = `/api/v1/users?limit=50&${pick(sorts)}`;
    } else if (roll < 0.4) {
      op = 'search users';
      url = `/api/v1/users?limit=50&q=${encodeURIComponent(`user${Math.floor(Math.random() * 1000)}`)}`;
    } else if (roll < 0.55) {
      op = 'get user';
      url = `/api/v1/users/${pick(ctx.userIds)}`;
    } else if (roll < 0.62) {
      op = 'list groups';
      url = '/api/v1/groups?limit=50';
    } else if (roll < 0.7) {
      op = 'insights';
      url = '/api/v1/insights/events?limit=50';
    } else if (roll < 0.75) {
      op = 'run status';
      url = `/api/v1/import-runs/${ctx.runId}`;
    } else if (roll < 0.8) {
      op = 'idm status';
      url = `/api/v1/applications/${pick(ctx.appIds)}/idm/status`;
    } else if (roll < 0.9) {
      op = 'update user';
      method = 'PATCH';
      url = `/api/v1/users/${pick(ctx.userIds)}`;
      body = { jobTitle: `Tester ${Math.floor(Math.random() * 100)}` };
    } else if (roll < 0.95 || mine.length === 0) {
      op = 'create user';
      method = 'POST';
      url = '/api/v1/users';
      const name = `soak.c${id}.${created++}`;
      body = { username: name, email: `${name}@example.com`, firstname: 'Client', lastname: String(id) };
    } else if (roll < 0.975) {
      op = 'membership';
      method = 'PUT';
      url = `/api/v1/groups/${ctx.scratchGroup}/members/${pick(mine)}`;
    } else {
      op = 'delete user';
      method = 'DELETE';
      url = `/api/v1/users/${mine.pop()}`;
    }
    try {
      const r = await api.call(method, url, body);
      samples.push({ op, ms: r.ms, minute: Math.min(opts.minutes - 1, Math.floor((Date.now() - startedAt) / MINUTE_MS)) });
      if (r.status >= 300) problems.push({ op: `${method} ${url}`, status: r.status, body: JSON.stringify(r.json).slice(0, 300) });
      else if (op === 'create user') mine.push(r.json.id);
    } catch (err) {
      problems.push({ op: `${method} ${url}`, status: 'network', body: String((err as Error).cause ?? err).slice(0, 300) });
    }
  }
}

// --- one soak ------------------------------------------------------------------------------------

interface SoakResult {
  database: 'sqlite' | 'postgres';
  requests: number;
  errors: number;
  p95: number;
  p95AfterWarmUp: number;
  rss: Map<string, Array<number | undefined>>;
  cpu: Map<string, Array<number | undefined>>;
  /** CPU % of one core used by processes the bench did not start, per minute. */
  others: number[];
  importOutcome: string;
  provisioningOutcome: string;
  processesAlive: boolean;
}

async function soak(database: 'sqlite' | 'postgres'): Promise<SoakResult> {
  const label = database === 'sqlite' ? 'SQLite, one process' : 'PostgreSQL, one api and two worker processes';
  process.stdout.write(
    `\n== ${label}: ${opts.minutes} min, import of ${opts.importUsers.toLocaleString('en')} users, ` +
      `provisioning of ${opts.provisionUsers.toLocaleString('en')}, ${opts.clients} API clients ==\n`,
  );
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-soak-'));
  cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  // pg_stat_statements: where PostgreSQL's time went, printed at the end.
  const pg =
    database === 'postgres'
      ? await startPostgres(['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'pg_stat_statements.track=all'])
      : undefined;
  if (pg) cleanups.push(() => pg.stop());
  const source = await startScimProcess(['--users', String(opts.importUsers), '--seed', '7', '--token', TOKEN, '--no-log']);
  cleanups.push(() => source.stop());
  const target = await startScimProcess(['--token', TOKEN, '--no-log', '--latency', '5']);
  cleanups.push(() => target.stop());

  const env = {
    ROSTER_DATA_DIR: dataDir,
    DATABASE_URL: pg?.url ?? '',
    ROSTER_SECRET_KEY: 'ab'.repeat(32),
    ROSTER_ADMIN_EMAIL: ADMIN.email,
    ROSTER_ADMIN_PASSWORD: ADMIN.password,
    ...TEST_NETWORK_ENV,
  };
  const seeded = await seedDirectory(env, opts.provisionUsers);
  const procs: Proc[] = [];
  let base: string;
  if (database === 'sqlite') {
    const all = await startRoster('roster (all)', env);
    procs.push(all);
    base = all.url!;
  } else {
    const api = await startRoster('roster api', { ...env, ROSTER_ROLE: 'api' });
    procs.push(
      api,
      await startRoster('roster worker 1', { ...env, ROSTER_ROLE: 'worker' }),
      await startRoster('roster worker 2', { ...env, ROSTER_ROLE: 'worker' }),
    );
    base = api.url!;
  }

  // Set-up through the API: an admin key, both applications, the binding, activation, the import.
  const api = await adminApi(base, ADMIN, 'soak');
  const connect = async (name: string, scim: ScimProcess, settings: Record<string, unknown>) => {
    const app = await must(api, 'POST', '/api/v1/applications', { name });
    await must(api, 'PUT', `/api/v1/applications/${app.id}/idm`, {
      baseUrl: scim.baseUrl,
      auth: { type: 'bearer', token: TOKEN },
      settings: { rateLimitPerSecond: 1000, rateLimitBurst: 1000, ...settings },
    });
    return app.id as string;
  };
  const sourceApp = await connect('Soak HR source', source, {});
  const targetApp = await connect('Soak provisioned app', target, { concurrency: 4 });
  await must(api, 'POST', `/api/v1/applications/${sourceApp}/idm/activate`);
  await must(api, 'PUT', `/api/v1/applications/${targetApp}/groups/${seeded.groupId}`);
  const scratchGroup = (await must(api, 'POST', '/api/v1/groups', { name: 'Soak scratch' })).id as string;

  const startedAt = Date.now();
  const until = startedAt + opts.minutes * MINUTE_MS;
  await must(api, 'POST', `/api/v1/applications/${targetApp}/idm/activate`);
  const run = (await must(api, 'POST', `/api/v1/applications/${sourceApp}/import/jobs`, { all: true })).run;

  const samples: Sample[] = [];
  const problems: Problem[] = [];
  const rss = new Map<string, Array<number | undefined>>();
  const pidOf = (c: ChildProcess | undefined) => c?.pid;
  // Each watched process: its memory, and its CPU time so far.
  type Reader = () => number | undefined;
  const ownCpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const watched: Array<[string, Reader, Reader]> = [
    ...procs.map((p): [string, Reader, Reader] => [p.label, () => rssOf(pidOf(p.child)), () => cpuOf(pidOf(p.child))]),
    ...(pg ? [['postgresql (all processes, PSS)', () => postgresPss(pg.dir), () => postgresCpu(pg.dir)] as [string, Reader, Reader]] : []),
    ['scim source', () => rssOf(source.pid), () => cpuOf(source.pid)],
    ['scim target', () => rssOf(target.pid), () => cpuOf(target.pid)],
    ['bench (clients)', () => process.memoryUsage.rss(), ownCpu],
  ];
  // CPU % of one core per process and minute, and of everything on the machine the bench did not
  // start: other work on a 2-core machine spoils latency figures, so the table says when there was some.
  const cpu = new Map<string, Array<number | undefined>>();
  const others: number[] = [];
  let cpuBefore = watched.map(([, , c]) => c());
  let machineBefore = machineBusyMs();
  let cpuAt = performance.now();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const lagSeries: number[] = [];
  let importDone: string | undefined;
  let provisionedAt: string | undefined;
  const clients = Array.from({ length: opts.clients }, (_, i) =>
    client(
      i,
      api,
      { userIds: seeded.userIds, scratchGroup, runId: run.id, appIds: [sourceApp, targetApp] },
      until,
      startedAt,
      samples,
      problems,
    ),
  );

  const header = [
    'min',
    'requests',
    'errors',
    'p50',
    'p95',
    'p99',
    'import',
    'provisioned',
    ...watched.map(([l]) => `${l} MB / CPU %`),
    'other CPU %',
    'bench lag p99',
  ];
  process.stdout.write(`${header.join(' | ')}\n`);
  let seenProblems = 0;
  for (let minute = 1; minute <= opts.minutes; minute++) {
    await sleep(Math.max(0, startedAt + minute * MINUTE_MS - Date.now()));
    const lat = samples
      .filter((s) => s.minute === minute - 1)
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    const r = await api.call('GET', `/api/v1/import-runs/${run.id}`).catch(() => undefined);
    const imp = r?.json ? `${r.json.status} ${r.json.processed}/${r.json.total || opts.importUsers}` : '?';
    if (!importDone && r?.json && (r.json.status === 'completed' || r.json.status === 'failed')) {
      const took =
        r.json.startedAt && r.json.finishedAt ? ((Date.parse(r.json.finishedAt) - Date.parse(r.json.startedAt)) / 1000).toFixed(0) : '?';
      importDone =
        `${r.json.status} after ${took} s: ${r.json.created} created, ${r.json.skipped} skipped, ${r.json.failed} failed` +
        (r.json.error ? ` (${r.json.error})` : '');
    }
    const remote = await remoteCount(target);
    if (!provisionedAt && remote !== undefined && remote >= opts.provisionUsers)
      provisionedAt = `all ${remote} accounts by minute ${minute}`;
    for (const [l, read] of watched) rss.set(l, [...(rss.get(l) ?? []), read()]);
    const cpuNow = watched.map(([, , c]) => c());
    const machineNow = machineBusyMs();
    const elapsed = performance.now() - cpuAt;
    const pct = cpuNow.map((c, i) => (c === undefined || cpuBefore[i] === undefined ? undefined : ((c - cpuBefore[i]!) / elapsed) * 100));
    watched.forEach(([l], i) => cpu.set(l, [...(cpu.get(l) ?? []), pct[i]]));
    others.push(Math.max(0, ((machineNow - machineBefore) / elapsed) * 100 - pct.reduce<number>((n, c) => n + (c ?? 0), 0)));
    [cpuBefore, machineBefore, cpuAt] = [cpuNow, machineNow, performance.now()];
    lagSeries.push(lag.percentile(99) / 1e6);
    lag.reset();
    const row = [
      minute,
      lat.length,
      problems.length - seenProblems,
      fmt(percentile(lat, 50)),
      fmt(percentile(lat, 95)),
      fmt(percentile(lat, 99)),
      imp,
      remote ?? '?',
      ...watched.map(([l], i) => `${mb(rss.get(l)!.at(-1))} / ${pct[i] === undefined ? '-' : pct[i]!.toFixed(0)}`),
      others.at(-1)!.toFixed(0),
      fmt(lagSeries.at(-1)!),
    ];
    seenProblems = problems.length;
    process.stdout.write(`${row.join(' | ')}\n`);
  }
  await Promise.all(clients);
  lag.disable();

  // The outcome.
  const all = samples.map((s) => s.ms).sort((a, b) => a - b);
  const warm = samples
    .filter((s) => s.minute >= 1)
    .map((s) => s.ms)
    .sort((a, b) => a - b);
  const finalRun = (await api.call('GET', `/api/v1/import-runs/${run.id}`)).json;
  const status = (await api.call('GET', `/api/v1/applications/${targetApp}/idm/status`)).json;
  const remote = await remoteCount(target);
  const byOp = new Map<string, number[]>();
  for (const s of samples) byOp.set(s.op, [...(byOp.get(s.op) ?? []), s.ms]);
  process.stdout.write(
    `\nper operation (count, p50, p95, max ms): ${[...byOp]
      .map(([op, ms]) => {
        const sorted = ms.sort((a, b) => a - b);
        return `${op} ${sorted.length}/${fmt(percentile(sorted, 50))}/${fmt(percentile(sorted, 95))}/${fmt(sorted.at(-1)!)}`;
      })
      .join('; ')}\n`,
  );
  if (problems.length) {
    process.stdout.write(
      `first errors:\n${problems
        .slice(0, 8)
        .map((p) => `  ${p.op} -> ${p.status} ${p.body}`)
        .join('\n')}\n`,
    );
  }
  const logged = procs.flatMap((p) =>
    p
      .output()
      .split('\n')
      .filter((l) => /"level":(50|60)/.test(l))
      .map((l) => `${p.label}: ${l.slice(0, 300)}`),
  );
  if (logged.length)
    process.stdout.write(`error lines in the server logs (${logged.length}), first ones:\n${logged.slice(0, 5).join('\n')}\n`);
  const processesAlive = procs.every((p) => p.child.exitCode === null && p.child.signalCode === null);
  const result: SoakResult = {
    database,
    requests: samples.length,
    errors: problems.length,
    p95: percentile(all, 95),
    p95AfterWarmUp: percentile(warm, 95),
    rss,
    cpu,
    others,
    importOutcome: importDone ?? `not finished: ${finalRun.status} ${finalRun.processed}/${finalRun.total}`,
    provisioningOutcome:
      `${remote ?? '?'} of ${opts.provisionUsers} accounts on the application (${provisionedAt ?? 'not all'}); ` +
      `last sync ${status.lastSync?.status ?? 'none'}, ${status.failed?.total ?? '?'} failed`,
    processesAlive,
  };
  process.stdout.write(`import: ${result.importOutcome}\nprovisioning: ${result.provisioningOutcome}\n`);
  process.stdout.write(
    `API: ${result.requests} requests, ${result.errors} errors, p95 ${fmt(result.p95)} ms ` +
      `(after minute 1: ${fmt(result.p95AfterWarmUp)} ms); processes alive at the end: ${processesAlive}\n`,
  );
  if (pg) await printTopStatements(pg.url);
  await cleanUp();
  return result;
}

/** The statements PostgreSQL spent most of its time on (pg_stat_statements), with calls and mean. */
async function printTopStatements(url: string): Promise<void> {
  const { default: pgLib } = await import('pg');
  const client = new pgLib.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const { rows } = await client.query<{ query: string; calls: string; total: number; mean: number }>(
      `SELECT query, calls, total_exec_time AS total, mean_exec_time AS mean FROM pg_stat_statements
       WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT 12`,
    );
    const all = (await client.query<{ total: number }>('SELECT sum(total_exec_time) AS total FROM pg_stat_statements')).rows[0].total;
    process.stdout.write(`PostgreSQL's time by statement (pg_stat_statements; ${(all / 1000).toFixed(0)} s in all):\n`);
    for (const r of rows) {
      process.stdout.write(
        `  ${(r.total / 1000).toFixed(1).padStart(7)} s ${String(r.calls).padStart(8)} calls ${r.mean.toFixed(2).padStart(8)} ms  ` +
          `${r.query.replace(/\s+/g, ' ').slice(0, 220)}\n`,
      );
    }
  } catch (err) {
    process.stdout.write(`(no statement statistics: ${(err as Error).message})\n`);
  } finally {
    await client.end().catch(() => {});
  }
}

// --- main ----------------------------------------------------------------------------------------

const results: SoakResult[] = [];
try {
  for (const database of opts.databases) results.push(await soak(database));
} catch (err) {
  process.stderr.write(`soak failed: ${(err as Error).stack ?? err}\n`);
  await cleanUp();
  process.exit(1);
}

process.stdout.write('\n== verdict ==\n');
for (const r of results) {
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  process.stdout.write(`${r.database}: errors ${r.errors} (target 0: ${verdict(r.errors === 0 && r.processesAlive)})`);
  process.stdout.write(
    `; API p95 ${fmt(r.p95)} ms, after warm-up ${fmt(r.p95AfterWarmUp)} ms` +
      (r.database === 'postgres' ? ` (target < 50 ms: ${verdict(r.p95AfterWarmUp < 50)})` : ' (no target on SQLite)') +
      '\n',
  );
  for (const [label, series] of r.rss) {
    const known = series.filter((v): v is number => v !== undefined);
    const second = series[Math.min(1, series.length - 1)];
    const last = series.at(-1);
    const growth = second && last ? (last - second) / second : 0;
    process.stdout.write(
      `  RSS ${label}: ${series.map(mb).join(' ')} MB; peak ${mb(Math.max(...known))}; ` +
        `minute 2 -> last ${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(0)}%` +
        `${label.startsWith('roster') && growth > 0.2 ? ' (GROWS)' : ''}\n`,
    );
  }
  for (const [label, series] of r.cpu)
    process.stdout.write(`  CPU % of one core, ${label}: ${series.map((c) => (c === undefined ? '-' : c.toFixed(0))).join(' ')}\n`);
  const busyOthers = r.others.filter((c) => c > 20).length;
  process.stdout.write(
    `  CPU % of processes the bench did not start (${os.availableParallelism()} cores in all): ` +
      `${r.others.map((c) => c.toFixed(0)).join(' ')}` +
      `${busyOthers ? `  <- other work in ${busyOthers} minute(s): latency figures are not clean` : ''}\n`,
  );
}
