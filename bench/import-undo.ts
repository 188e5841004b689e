// Imports every user of the test SCIM server (own process, page size 1,000) into Roster, then undoes
// that run (issue 14: an undo of a 100,000-user run at most 2x the time of the import that created
// it). Roster runs as `npm start` runs it, in a process of its own; both runs are started and followed
// over the API. Peak RSS: the Roster process's VmHWM after the import and after the undo, and the
// highest VmRSS sampled every 100 ms during the undo alone.
// Usage: npm run bench:import-undo -- [--users 100000] [--postgres] [--suspend]
import { parseArgs } from 'node:util';
import { mb, must, rssOf, startPostgres, startScimProcess } from './support.ts';
import { BENCH_TOKEN, benchRoster, followRun, loadAverage, type RunAnswer } from './sync-support.ts';

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

const secondsOf = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const serverMs = (run: RunAnswer) => Date.parse(run.finishedAt ?? '') - Date.parse(run.startedAt ?? '');

const scim = await startScimProcess(['--users', String(users), '--token', BENCH_TOKEN, '--quirks', 'maxPageSize=1000']);
const pg = values.postgres ? await startPostgres() : undefined;
let stopRoster: (() => Promise<void>) | undefined;
try {
  const { api, pid, appId, stop } = await benchRoster({ baseUrl: scim.baseUrl, postgresUrl: pg?.url, pageSize: 1000, label: 'undo' });
  stopRoster = stop;
  await must(api, 'POST', `/api/v1/applications/${appId}/idm/activate`);
  const idleRss = rssOf(pid) ?? NaN;

  let t = performance.now();
  const started = (await must(api, 'POST', `/api/v1/applications/${appId}/import/jobs`, { all: true })).run as { id: string };
  const imported = await followRun(api, started.id, pid);
  const importMs = performance.now() - t;
  const importHwm = rssOf(pid, 'VmHWM') ?? NaN;
  if (imported.run.status !== 'completed') throw new Error(`the import ended ${imported.run.status}: ${imported.run.error}`);

  t = performance.now();
  const preview = await must(api, 'GET', `/api/v1/import-runs/${started.id}/undo`);
  const previewMs = performance.now() - t;
  t = performance.now();
  const body = { users: values.suspend ? 'suspend' : 'delete' };
  const undoStarted = (await must(api, 'POST', `/api/v1/import-runs/${started.id}/undo`, body)).run as { id: string };
  const undone = await followRun(api, undoStarted.id, pid);
  const undoMs = performance.now() - t;
  const undoHwm = rssOf(pid, 'VmHWM') ?? NaN;
  await stop();
  stopRoster = undefined;

  const u = undone.run;
  console.log(`Import undo benchmark: ${users.toLocaleString('en')} users, ${pg ? 'postgres' : 'sqlite'}, users ${body.users}`);
  console.log(`  load average (1, 5, 15 min): ${loadAverage()}`);
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
  await stopRoster?.();
  await scim.stop();
  await pg?.stop();
}
