// Dry runs against the real runs they stand for (issue 14): N users of the test SCIM server, a dry run
// of the first import (all new), the import itself, then 3 attributes of every remote user change and a
// dry update run (all users, every field) is followed by the real update run. Prints each run's time,
// counts and Roster's peak RSS, the API's latency during the dry runs (the SQLite writer thread keeps
// the event loop free), and whether each dry run counted what its real run did.
// Usage: npm run bench:import-dry-run -- [--users 20000] [--postgres] [--page-size 1000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { closeDeps } from '../server/deps.ts';
import { startScimServer } from '../test/scim-server/index.ts';
import { adminApi, type Api, connectedRoster, mb, must, rssOf, startApiProbe, startPostgres, startRoster } from './support.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '20000' },
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
  created: number;
  linked: number;
  updated: number;
  skipped: number;
  failed: number;
  error?: string;
}

async function finished(api: Api, runId: string): Promise<RunAnswer> {
  for (;;) {
    const run = (await must(api, 'GET', `/api/v1/import-runs/${runId}`)) as RunAnswer;
    if (run.status === 'completed' || run.status === 'failed' || run.status === 'paused') return run;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts a run over the API and follows it: the run, its time end to end, Roster's peak RSS, the API's latency meanwhile. */
async function timedRun(api: Api, pid: number | undefined, appId: string, body: Record<string, unknown>) {
  if (pid) fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  const probe = startApiProbe(api);
  const t0 = performance.now();
  const started = (await must(api, 'POST', `/api/v1/applications/${appId}/import/jobs`, body)).run as { id: string };
  const run = await finished(api, started.id);
  const ms = performance.now() - t0;
  const latency = await probe.stop();
  if (run.status !== 'completed') throw new Error(`the run ended ${run.status}: ${run.error}`);
  return { run, ms, peak: rssOf(pid, 'VmHWM') ?? NaN, latency };
}

function changeEveryRemoteUser(scim: Awaited<ReturnType<typeof startScimServer>>): void {
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
}

const counts = (r: RunAnswer) => ({ created: r.created, linked: r.linked, updated: r.updated, skipped: r.skipped, failed: r.failed });
const same = (a: RunAnswer, b: RunAnswer) => JSON.stringify(counts(a)) === JSON.stringify(counts(b));

const scim = await startScimServer({ users, seed: 1, auth: { type: 'bearer', token: TOKEN }, quirks: { maxPageSize: 1000 } });
const pg = values.postgres ? await startPostgres() : undefined;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-bench-dry-'));
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
  const dryImport = await timedRun(api, pid, app.id, { all: true, dryRun: true });
  const realImport = await timedRun(api, pid, app.id, { all: true });
  changeEveryRemoteUser(scim);
  const dryUpdate = await timedRun(api, pid, app.id, { all: true, update: { fields: 'all' }, dryRun: true });
  const realUpdate = await timedRun(api, pid, app.id, { all: true, update: { fields: 'all' } });
  const load1 = os.loadavg();

  const line = (label: string, r: Awaited<ReturnType<typeof timedRun>>) =>
    console.log(
      `  ${label.padEnd(12)} ${(r.ms / 1000).toFixed(2)} s  ${JSON.stringify(counts(r.run))}  peak RSS ${mb(r.peak)}  API ${r.latency}`,
    );
  console.log(`Dry-run benchmark: ${users.toLocaleString('en')} users, page size ${pageSize}, ${pg ? 'postgres' : 'sqlite'}`);
  line('dry import', dryImport);
  line('import', realImport);
  line('dry update', dryUpdate);
  line('update', realUpdate);
  console.log(`  dry runs count what the real runs did: ${same(dryImport.run, realImport.run) && same(dryUpdate.run, realUpdate.run)}`);
  console.log(`  load average before/after: ${load0.map((x) => x.toFixed(1)).join(' ')} / ${load1.map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  await stopRoster?.();
  await scim.stop();
  await pg?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
