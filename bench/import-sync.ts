// The update run of issue 14 against the import that created the users: imports N users of the test
// SCIM server into Roster (a process of its own, as `npm start` runs it), changes 3 attributes of every
// remote user (title, department, cost center), then runs an update run (all users, every field) and
// prints both times, their ratio (target: the update at most 2x the import) and the Roster process's
// peak RSS during each. The SCIM server runs in this process so that its users can be changed in place
// (the same for both runs); this process does nothing else but follow the runs over the API.
// Usage: npm run bench:import-sync -- [--users 100000] [--postgres] [--page-size 1000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { closeDeps } from '../server/deps.ts';
import { startScimServer } from '../test/scim-server/index.ts';
import { adminApi, type Api, connectedRoster, mb, must, rssOf, startPostgres, startRoster } from './support.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    'page-size': { type: 'string', default: '1000' },
    postgres: { type: 'boolean', default: false },
  },
});
const users = Number(values.users);
const pageSize = Number(values['page-size']);
if (!Number.isInteger(users) || users < 1 || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
  process.stderr.write('--users must be a whole number from 1, --page-size from 1 to 1000\n');
  process.exit(2);
}

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const TOKEN = 'bench-token';

interface RunAnswer {
  id: string;
  status: string;
  processed: number;
  created: number;
  linked: number;
  updated: number;
  skipped: number;
  failed: number;
  startedAt: string | null;
  finishedAt: string | null;
  error?: string;
}

async function finished(api: Api, runId: string): Promise<RunAnswer> {
  for (;;) {
    const run = (await must(api, 'GET', `/api/v1/import-runs/${runId}`)) as RunAnswer;
    if (run.status === 'completed' || run.status === 'failed' || run.status === 'paused') return run;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts a run over the API and follows it: the run, the time end to end, the process's peak RSS during it. */
async function timedRun(api: Api, pid: number | undefined, appId: string, body: Record<string, unknown>) {
  // Linux: writing 5 to clear_refs resets VmHWM, so each run's peak is its own.
  if (pid) fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  const t0 = performance.now();
  const started = (await must(api, 'POST', `/api/v1/applications/${appId}/import/jobs`, body)).run as { id: string };
  const run = await finished(api, started.id);
  return { run, ms: performance.now() - t0, peak: rssOf(pid, 'VmHWM') ?? NaN };
}

/** Three attributes of every remote user change: title, department, cost center. */
function changeEveryRemoteUser(scim: Awaited<ReturnType<typeof startScimServer>>): number {
  let n = 0;
  for (const slot of scim.store.liveUserSlots()) {
    const rec = scim.store.userAt(slot)!;
    const data = structuredClone(rec.data) as Record<string, unknown>;
    const ext = (data[ENTERPRISE] ?? {}) as Record<string, unknown>;
    data.title = `${String(data.title ?? 'Staff')} II`;
    data[ENTERPRISE] = { ...ext, department: `${String(ext.department ?? 'Dept')} (new)`, costCenter: `CC-${9000 + (n % 900)}` };
    scim.store.writeUser(rec.id, data);
    n++;
  }
  return n;
}

const scim = await startScimServer({ users, seed: 1, auth: { type: 'bearer', token: TOKEN }, quirks: { maxPageSize: 1000 } });
const pg = values.postgres ? await startPostgres() : undefined;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-bench-sync-'));
let stopRoster: (() => Promise<void>) | undefined;
try {
  const { deps, app } = await connectedRoster({
    dataDir,
    postgresUrl: pg?.url,
    baseUrl: scim.baseUrl,
    token: TOKEN,
    settings: { pageSize, rateLimitPerSecond: 10_000, rateLimitBurst: 10_000, concurrency: 4 },
  });
  await closeDeps(deps, { graceMs: 0 });
  const roster = await startRoster('roster', { ROSTER_DATA_DIR: dataDir, DATABASE_URL: pg?.url ?? '' });
  stopRoster = roster.stop;
  const api = await adminApi(roster.url!, { email: 'bench@example.com', password: 'measured tortoise lantern' });
  const pid = roster.child.pid;
  const load0 = os.loadavg();

  const imported = await timedRun(api, pid, app.id, { all: true });
  if (imported.run.status !== 'completed') throw new Error(`the import ended ${imported.run.status}: ${imported.run.error}`);
  const t0 = performance.now();
  const changed = changeEveryRemoteUser(scim);
  const changeMs = performance.now() - t0;
  const update = await timedRun(api, pid, app.id, { all: true, update: { fields: 'all' } });
  const load1 = os.loadavg();

  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const counts = (r: RunAnswer) =>
    `created ${r.created}, linked ${r.linked}, updated ${r.updated}, skipped ${r.skipped}, failed ${r.failed}, status ${r.status}`;
  console.log(`Import-sync benchmark: ${users.toLocaleString('en')} users, page size ${pageSize}, ${pg ? 'postgres' : 'sqlite'}`);
  console.log(`  import (creates them):      ${s(imported.ms)}  (${counts(imported.run)}); Roster peak RSS ${mb(imported.peak)}`);
  console.log(`  remote users changed:       ${changed} (3 attributes each, in ${s(changeMs)}, not timed)`);
  console.log(`  update run (fields all):    ${s(update.ms)}  (${counts(update.run)}); Roster peak RSS ${mb(update.peak)}`);
  console.log(`  ratio update/import:        ${(update.ms / imported.ms).toFixed(2)} (target <= 2)`);
  console.log(`  load average before/after:  ${load0.map((x) => x.toFixed(1)).join(' ')} / ${load1.map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  await stopRoster?.();
  await scim.stop();
  await pg?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
