// Imports every user of the test SCIM server (own process, page size 1,000) into Roster, then undoes
// that run (issue 14: an undo of a 100,000-user run at most 2x the time of the import that created
// it). Roster runs as `npm start` runs it, in a process of its own; both runs are started and followed
// over the API. Peak RSS: the Roster process's VmHWM after the import and after the undo, and the
// highest VmRSS sampled every 100 ms during the undo alone.
// Usage: npm run bench:import-undo -- [--users 100000] [--postgres] [--suspend]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { closeDeps } from '../server/deps.ts';
import { adminApi, type Api, connectedRoster, mb, must, rssOf, startPostgres, startRoster, startScimProcess } from './support.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    postgres: { type: 'boolean', default: false },
    suspend: { type: 'boolean', default: false },
  },
});
const users = Number(values.users);
if (!Number.isInteger(users) || users < 1 || users > 2_000_000) {
  process.stderr.write('--users must be a whole number from 1 to 2000000\n');
  process.exit(2);
}

interface RunAnswer {
  id: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  status: string;
  processed: number;
  created: number;
  reverted: number;
  skipped: number;
  failed: number;
  error?: string;
}

/** Follows the run over the API until it ends (every 50 ms), sampling the server's RSS meanwhile. */
async function finished(api: Api, runId: string, pid: number | undefined): Promise<{ run: RunAnswer; maxRss: number }> {
  let maxRss = 0;
  for (let i = 0; ; i++) {
    if (i % 2 === 0) maxRss = Math.max(maxRss, rssOf(pid) ?? 0);
    const run = (await must(api, 'GET', `/api/v1/import-runs/${runId}`)) as RunAnswer;
    if (run.status === 'completed' || run.status === 'failed') return { run, maxRss };
    await new Promise((r) => setTimeout(r, 50));
  }
}

const secondsOf = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const serverMs = (run: RunAnswer) => Date.parse(run.finishedAt ?? '') - Date.parse(run.startedAt ?? '');

const TOKEN = 'bench-token';
const scim = await startScimProcess(['--users', String(users), '--token', TOKEN, '--quirks', 'maxPageSize=1000']);
const pg = values.postgres ? await startPostgres() : undefined;
const stops: Array<() => Promise<void>> = [];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-bench-undo-'));
try {
  const { deps, app } = await connectedRoster({
    dataDir,
    postgresUrl: pg?.url,
    baseUrl: scim.baseUrl,
    token: TOKEN,
    settings: { pageSize: 1000, rateLimitPerSecond: 10_000, rateLimitBurst: 10_000, concurrency: 4 },
  });
  await closeDeps(deps, { graceMs: 0 });
  const roster = await startRoster('roster', { ROSTER_DATA_DIR: dataDir, DATABASE_URL: pg?.url ?? '' });
  stops.push(roster.stop);
  const pid = roster.child.pid;
  const api = await adminApi(roster.url!, { email: 'bench@example.com', password: 'measured tortoise lantern' });
  await must(api, 'POST', `/api/v1/applications/${app.id}/idm/activate`);
  const idleRss = rssOf(pid) ?? NaN;

  let t = performance.now();
  const started = (await must(api, 'POST', `/api/v1/applications/${app.id}/import/jobs`, { all: true })).run as { id: string };
  const imported = await finished(api, started.id, pid);
  const importMs = performance.now() - t;
  const importHwm = rssOf(pid, 'VmHWM') ?? NaN;
  if (imported.run.status !== 'completed') throw new Error(`the import ended ${imported.run.status}: ${imported.run.error}`);

  t = performance.now();
  const preview = await must(api, 'GET', `/api/v1/import-runs/${started.id}/undo`);
  const previewMs = performance.now() - t;
  t = performance.now();
  const body = { users: values.suspend ? 'suspend' : 'delete' };
  const undoStarted = (await must(api, 'POST', `/api/v1/import-runs/${started.id}/undo`, body)).run as { id: string };
  const undone = await finished(api, undoStarted.id, pid);
  const undoMs = performance.now() - t;
  const undoHwm = rssOf(pid, 'VmHWM') ?? NaN;
  await roster.stop();

  const u = undone.run;
  console.log(`Import undo benchmark: ${users.toLocaleString('en')} users, ${pg ? 'postgres' : 'sqlite'}, users ${body.users}`);
  console.log(
    `  load average (1, 5, 15 min): ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  console.log(
    `  import end to end: ${secondsOf(importMs)} (the run itself ${secondsOf(serverMs(imported.run))}; created ${imported.run.created})`,
  );
  console.log(`  undo preview:      ${previewMs.toFixed(0)} ms (${JSON.stringify(preview.created)})`);
  console.log(
    `  undo end to end:   ${secondsOf(undoMs)} (the run itself ${secondsOf(serverMs(u))}; status ${u.status}, ` +
      `reverted ${u.reverted}, skipped ${u.skipped}, failed ${u.failed}${u.error ? `, error ${u.error}` : ''})`,
  );
  console.log(`  ratio undo/import: ${(undoMs / importMs).toFixed(2)} (target <= 2)`);
  console.log(
    `  server RSS: idle ${mb(idleRss)}, peak after the import ${mb(importHwm)}, after the undo ${mb(undoHwm)}, ` +
      `highest sampled during the undo ${mb(undone.maxRss)}`,
  );
} finally {
  for (const stop of stops) await stop();
  await scim.stop();
  await pg?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
