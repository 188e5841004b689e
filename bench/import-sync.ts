// The update run of issue 14 against the import that created the users: imports N users of the test
// SCIM server into Roster (a process of its own, as `npm start` runs it), changes 3 attributes of every
// remote user (title, department, cost center), then runs an update run (all users, every field) and
// prints both times, their ratio (target: the update at most 2x the import) and the Roster process's
// peak RSS during each. The SCIM server runs in this process so that its users can be changed in place
// (the same for both runs); this process does nothing else but follow the runs over the API.
// Usage: npm run bench:import-sync -- [--users 100000] [--postgres] [--page-size 1000]
import { parseArgs } from 'node:util';
import { startScimServer } from '../test/scim-server/index.ts';
import { mb, startPostgres } from './support.ts';
import { BENCH_TOKEN, benchRoster, changeEveryRemoteUser, loadAverage, type RunAnswer, timedRun } from './sync-support.ts';

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

const scim = await startScimServer({ users, seed: 1, auth: { type: 'bearer', token: BENCH_TOKEN }, quirks: { maxPageSize: 1000 } });
const pg = values.postgres ? await startPostgres() : undefined;
let stopRoster: (() => Promise<void>) | undefined;
try {
  const { api, pid, appId, stop } = await benchRoster({ baseUrl: scim.baseUrl, postgresUrl: pg?.url, pageSize, label: 'sync' });
  stopRoster = stop;
  const load0 = loadAverage();

  const imported = await timedRun(api, pid, appId, { all: true });
  if (imported.run.status !== 'completed') throw new Error(`the import ended ${imported.run.status}: ${imported.run.error}`);
  const t0 = performance.now();
  const changed = changeEveryRemoteUser(scim);
  const changeMs = performance.now() - t0;
  const update = await timedRun(api, pid, appId, { all: true, update: { fields: 'all' } });
  const load1 = loadAverage();

  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const counts = (r: RunAnswer) =>
    `created ${r.created}, linked ${r.linked}, updated ${r.updated}, skipped ${r.skipped}, failed ${r.failed}, status ${r.status}`;
  console.log(`Import-sync benchmark: ${users.toLocaleString('en')} users, page size ${pageSize}, ${pg ? 'postgres' : 'sqlite'}`);
  console.log(`  import (creates them):      ${s(imported.ms)}  (${counts(imported.run)}); Roster peak RSS ${mb(imported.peak)}`);
  console.log(`  remote users changed:       ${changed} (3 attributes each, in ${s(changeMs)}, not timed)`);
  console.log(`  update run (fields all):    ${s(update.ms)}  (${counts(update.run)}); Roster peak RSS ${mb(update.peak)}`);
  console.log(`  ratio update/import:        ${(update.ms / imported.ms).toFixed(2)} (target <= 2)`);
  console.log(`  load average before/after:  ${load0} / ${load1}`);
} finally {
  await stopRoster?.();
  await scim.stop();
  await pg?.stop();
}
