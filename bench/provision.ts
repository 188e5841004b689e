// Pushes N new directory users (one bound group) to the test SCIM server in its own process, set to
// answer after 20 ms and to allow 200 requests per second (429 beyond). Prints the operations per
// second achieved, the bound min(rate limit, concurrency / latency), their ratio, the 429s seen, and
// lost or duplicated users (both must be 0). Usage:
//   npm run bench:provision -- [--users 10000] [--latency 20] [--rate 200] [--concurrency 8] [--postgres]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bindGroup } from '../server/applications/index.ts';
import { closeDeps } from '../server/deps.ts';
import { activateIntegration } from '../server/integrations/index.ts';
import { runSync } from '../server/provisioning/index.ts';
import { ScimClient } from '../server/scim/index.ts';
import { connectedRoster, mb, peakRss, seedGroupOfUsers, startPostgres, startScimProcess } from './support.ts';
import { TEST_NETWORK } from '../test/network.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    latency: { type: 'string', default: '20' },
    rate: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '8' },
    postgres: { type: 'boolean', default: false },
  },
});
const users = Number(values.users);
const latency = Number(values.latency);
const rate = Number(values.rate);
const concurrency = Number(values.concurrency);
if (![users, latency, rate, concurrency].every((n) => Number.isInteger(n) && n > 0) || users > 1_000_000 || concurrency > 64) {
  process.stderr.write('--users (1..1000000), --latency, --rate and --concurrency (1..64) must be positive whole numbers\n');
  process.exit(2);
}

const TOKEN = 'bench-token';
// The server's bucket allows a burst of 20; ours refills at the same rate but sends at most 5 at once
// after a pause, so scheduling jitter between the two processes does not cost 429s.
const scim = await startScimProcess(['--token', TOKEN, '--latency', String(latency), '--rate-limit', `${rate}/20`, '--no-log']);
const pg = values.postgres ? await startPostgres() : undefined;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-bench-provision-'));
try {
  const { deps, db, actor, app } = await connectedRoster({
    dataDir,
    postgresUrl: pg?.url,
    baseUrl: scim.baseUrl,
    token: TOKEN,
    settings: { rateLimitPerSecond: rate, rateLimitBurst: 5, concurrency },
  });

  // The directory: N users in one group, bound to the application (the integration is not active yet).
  const { group, rows } = await seedGroupOfUsers(deps, actor, { users, prefix: 'bench', firstname: 'Bench', groupName: 'Everyone' });
  await bindGroup({ db, clock: deps.clock, changes: deps.changes }, actor, app.id, group.id);
  await activateIntegration({ db, clock: deps.clock }, actor, app.id);
  // Let the server's bucket fill up before measuring.
  await new Promise((r) => setTimeout(r, 1000));

  const started = performance.now();
  const outcome = await runSync(deps, { organizationId: actor.organizationId, applicationId: app.id, trigger: 'activation' });
  const seconds = (performance.now() - started) / 1000;
  const rssPeak = peakRss();

  // What the application has now: every user once.
  await new Promise((r) => setTimeout(r, 1000));
  const client = new ScimClient({
    baseUrl: scim.baseUrl,
    auth: { type: 'bearer', token: TOKEN },
    network: TEST_NETWORK,
    rateLimit: { requestsPerSecond: rate / 2, burst: 5 },
    paging: { pageSize: 1000 },
  });
  const remote = await client.listUsers({ pageSize: 1000 }).toArray();
  await client.close();
  const names = new Map<string, number>();
  for (const u of remote) names.set(String(u.userName).toLowerCase(), (names.get(String(u.userName).toLowerCase()) ?? 0) + 1);
  const lost = rows.filter((r) => !names.has(r.username_lower)).length;
  const duplicated = [...names.values()].reduce((n, c) => n + (c > 1 ? c - 1 : 0), 0);
  await closeDeps(deps, { graceMs: 0 });

  const counts = outcome.counts;
  const operations = (counts?.created ?? 0) + (counts?.linked ?? 0) + (counts?.updated ?? 0);
  const achieved = operations / seconds;
  const bound = Math.min(rate, (concurrency * 1000) / latency);
  const statuses = outcome.http?.statuses ?? {};
  const requests = Object.values(statuses).reduce((a, b) => a + b, 0);
  console.log(
    `Provisioning benchmark: ${users.toLocaleString('en')} new users, ${latency} ms latency, ` +
      `server limit ${rate}/s, concurrency ${concurrency}, ${deps.database.dialect}`,
  );
  console.log(
    `  sync:        ${outcome.status} in ${seconds.toFixed(2)} s; ` +
      `created ${counts?.created}, linked ${counts?.linked}, failed ${counts?.failed}`,
  );
  console.log(`  achieved:    ${achieved.toFixed(1)} operations/s (${requests} HTTP answers, ${(requests / seconds).toFixed(1)}/s)`);
  console.log(
    `  bound:       ${bound.toFixed(1)} operations/s = ` +
      `min(rate limit ${rate}/s, concurrency/latency ${((concurrency * 1000) / latency).toFixed(0)}/s)`,
  );
  console.log(`  ratio:       ${((achieved / bound) * 100).toFixed(1)}% of the bound (target >= 90%)`);
  console.log(`  429s:        ${statuses[429] ?? 0}`);
  console.log(`  lost:        ${lost}   duplicated: ${duplicated}   (remote users: ${remote.length})`);
  console.log(`  peak RSS:    ${mb(rssPeak)}`);
  if (lost || duplicated) process.exitCode = 1;
} finally {
  await scim.stop();
  await pg?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
