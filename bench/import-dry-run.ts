// Dry runs against the real runs they stand for (issue 14): N users of the test SCIM server, a dry run
// of the first import (all new), the import itself, then 3 attributes of every remote user change and a
// dry update run (all users, every field) is followed by the real update run. Prints each run's time,
// counts and Roster's peak RSS, the API's latency during the dry runs (the SQLite writer thread keeps
// the event loop free), and whether each dry run counted what its real run did.
// Usage: npm run bench:import-dry-run -- [--users 20000] [--postgres] [--page-size 1000]
import { parseArgs } from 'node:util';
import { startScimServer } from '../test/scim-server/index.ts';
import { type Api, mb, startPostgres } from './support.ts';
import { BENCH_TOKEN, benchRoster, changeEveryRemoteUser, loadAverage, type RunAnswer, timedRun } from './sync-support.ts';

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

/** A run that must complete, with the API's latency meanwhile. */
async function probedRun(api: Api, pid: number | undefined, appId: string, body: Record<string, unknown>) {
  const r = await timedRun(api, pid, appId, body, true);
  if (r.run.status !== 'completed') throw new Error(`the run ended ${r.run.status}: ${r.run.error}`);
  return r;
}

const counts = (r: RunAnswer) => ({ created: r.created, linked: r.linked, updated: r.updated, skipped: r.skipped, failed: r.failed });
const same = (a: RunAnswer, b: RunAnswer) => JSON.stringify(counts(a)) === JSON.stringify(counts(b));

const scim = await startScimServer({ users, seed: 1, auth: { type: 'bearer', token: BENCH_TOKEN }, quirks: { maxPageSize: 1000 } });
const pg = values.postgres ? await startPostgres() : undefined;
let stopRoster: (() => Promise<void>) | undefined;
try {
  const { api, pid, appId, stop } = await benchRoster({ baseUrl: scim.baseUrl, postgresUrl: pg?.url, pageSize, label: 'dry' });
  stopRoster = stop;
  const load0 = loadAverage();
  const dryImport = await probedRun(api, pid, appId, { all: true, dryRun: true });
  const realImport = await probedRun(api, pid, appId, { all: true });
  changeEveryRemoteUser(scim);
  const dryUpdate = await probedRun(api, pid, appId, { all: true, update: { fields: 'all' }, dryRun: true });
  const realUpdate = await probedRun(api, pid, appId, { all: true, update: { fields: 'all' } });
  const load1 = loadAverage();

  const line = (label: string, r: Awaited<ReturnType<typeof probedRun>>) =>
    console.log(
      `  ${label.padEnd(12)} ${(r.ms / 1000).toFixed(2)} s  ${JSON.stringify(counts(r.run))}  peak RSS ${mb(r.peak)}  API ${r.latency}`,
    );
  console.log(`Dry-run benchmark: ${users.toLocaleString('en')} users, page size ${pageSize}, ${pg ? 'postgres' : 'sqlite'}`);
  line('dry import', dryImport);
  line('import', realImport);
  line('dry update', dryUpdate);
  line('update', realUpdate);
  console.log(`  dry runs count what the real runs did: ${same(dryImport.run, realImport.run) && same(dryUpdate.run, realUpdate.run)}`);
  console.log(`  load average before/after: ${load0} / ${load1}`);
} finally {
  await stopRoster?.();
  await scim.stop();
  await pg?.stop();
}
