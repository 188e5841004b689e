// Imports every user of the test SCIM server (own process, page size 1,000) into Roster and compares
// with just listing the same server (in a child process). Roster runs as `npm start` runs it, in a
// process of its own: the import is started and followed over the API, and the server's peak RSS is
// read from outside (/proc/<pid>/status VmHWM). With --preview it first times the preview in this
// process: the first page (answered as soon as the first SCIM page is stored, as the admin's first
// look at the application is) and the whole list read into the snapshot; --preview-only stops there.
// --latency-ms makes the SCIM server answer each request that much later (a SaaS application rather
// than loopback); --concurrency and --rate-limit are the integration's settings (Advanced).
// Usage: npm run bench:import -- [--users 100000] [--page-size 1000] [--postgres] [--preview]
//          [--preview-only] [--latency-ms 20] [--concurrency 4] [--rate-limit 10000] [--probe-api]
// --probe-api asks the server for GET /api/v1/users?limit=50 every 100 ms while the import runs (the
// default single-process deployment: the import shares the process with the API), and prints the latencies.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { closeDeps } from '../server/deps.ts';
import { ensureSnapshot, previewPage, queryPreview } from '../server/imports/index.ts';
import { ScimClient } from '../server/scim/index.ts';
import {
  adminApi,
  type Api,
  connectedRoster,
  mb,
  must,
  peakRss,
  rssOf,
  startApiProbe,
  startPostgres,
  startRoster,
  startScimProcess,
} from './support.ts';
import { TEST_NETWORK } from '../test/network.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    'page-size': { type: 'string', default: '1000' },
    postgres: { type: 'boolean', default: false },
    preview: { type: 'boolean', default: false },
    'preview-only': { type: 'boolean', default: false },
    'latency-ms': { type: 'string', default: '0' },
    concurrency: { type: 'string', default: '4' },
    'rate-limit': { type: 'string', default: '10000' },
    'probe-api': { type: 'boolean', default: false },
    // Internal: the raw listing, run as a child process by this script.
    'list-only': { type: 'string' },
  },
});
if (values['list-only']) {
  const [baseUrl, token, size] = values['list-only'].split(' ');
  const t0 = performance.now();
  const client = new ScimClient({
    baseUrl,
    auth: { type: 'bearer', token },
    network: TEST_NETWORK,
    rateLimit: null,
    // One page after another: the raw sequential listing the targets are set against.
    paging: { pageSize: Number(size), parallelPages: 1 },
  });
  let n = 0;
  for await (const page of client.listUsers().pages()) n += page.length;
  await client.close();
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, listed: n, rss: peakRss() }));
  process.exit(0);
}
/** A whole-number flag within bounds, or exit 2 naming it. */
function wholeFlag(name: keyof typeof values, min: number, max: number): number {
  const n = Number(values[name]);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  process.stderr.write(`--${name} must be a whole number from ${min} to ${max}\n`);
  process.exit(2);
}
const users = wholeFlag('users', 1, 2_000_000);
const pageSize = wholeFlag('page-size', 1, 1000);
const latencyMs = wholeFlag('latency-ms', 0, 10_000);
const concurrency = wholeFlag('concurrency', 1, 16);
const rateLimit = wholeFlag('rate-limit', 1, 100_000);

const TOKEN = 'bench-token';
const scim = await startScimProcess([
  '--users',
  String(users),
  '--token',
  TOKEN,
  '--quirks',
  'maxPageSize=1000',
  ...(latencyMs ? ['--latency', String(latencyMs)] : []),
]);
const pg = values.postgres ? await startPostgres() : undefined;
const stops: Array<() => Promise<void>> = [];

interface RunAnswer {
  id: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  status: string;
  processed: number;
  created: number;
  skipped: number;
  failed: number;
  error?: string;
}

/** Follows the run over the API until it ends (every 50 ms, so the time is read within 50 ms). */
async function finished(api: Api, runId: string): Promise<RunAnswer> {
  for (;;) {
    const run = (await must(api, 'GET', `/api/v1/import-runs/${runId}`)) as RunAnswer;
    if (run.status === 'completed' || run.status === 'failed') return run;
    await new Promise((r) => setTimeout(r, 50));
  }
}
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-bench-import-'));
try {
  const { deps, actor, app } = await connectedRoster({
    dataDir,
    postgresUrl: pg?.url,
    baseUrl: scim.baseUrl,
    token: TOKEN,
    settings: { pageSize, rateLimitPerSecond: rateLimit, rateLimitBurst: rateLimit, concurrency },
  });

  // Raw listing: the same client settings, nothing written, in a process of its own.
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, import.meta.filename, '--list-only', `${scim.baseUrl} ${TOKEN} ${pageSize}`],
    { encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`raw listing failed: ${child.stderr}`);
  const { ms: listMs, listed, rss: listRss } = JSON.parse(child.stdout) as { ms: number; listed: number; rss: number };

  let previewMs: number | undefined;
  let firstPageMs: number | undefined;
  const previewPages: string[] = [];
  if (values.preview || values['preview-only']) {
    const t0 = performance.now();
    const first = await previewPage(deps, actor.organizationId, app.id, { sort: 'userName', order: 'asc', limit: 50 });
    firstPageMs = performance.now() - t0;
    if (first.items.length === 0) throw new Error('the first page of the preview is empty');
    const snapshot = await ensureSnapshot(deps, actor.organizationId, app.id, { whole: {} });
    previewMs = performance.now() - t0;
    if (snapshot.total !== users) throw new Error(`the preview read ${snapshot.total} users, not ${users}`);
    // Pages of the preview, answered from the snapshot: median and worst of 20 each.
    const base = { sort: 'userName' as const, order: 'asc' as const, limit: 50 };
    const deep = (await queryPreview(deps, snapshot, { ...base, limit: 500 })).nextCursor ?? undefined;
    for (const [label, query] of [
      ['first page', base],
      ['next page (cursor)', { ...base, cursor: deep }],
      ['sorted by last name, descending', { ...base, sort: 'lastname', order: 'desc' }],
      ['search "smith"', { ...base, q: 'smith' }],
      ['only new users', { ...base, status: 'new' }],
    ] as const) {
      const ms: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t1 = performance.now();
        await queryPreview(deps, snapshot, query);
        ms.push(performance.now() - t1);
      }
      ms.sort((a, b) => a - b);
      previewPages.push(`    ${label.padEnd(34)} median ${ms[10].toFixed(1)} ms, worst ${ms[19].toFixed(1)} ms`);
    }
  }

  if (values['preview-only']) {
    await closeDeps(deps, { graceMs: 0 });
    console.log(`Preview benchmark: ${users.toLocaleString('en')} users, page size ${pageSize}, ${deps.database.dialect}`);
    console.log(`  raw listing:        ${(listMs / 1000).toFixed(2)} s  (${listed} users)`);
    console.log(`  preview first page: ${firstPageMs!.toFixed(0)} ms (target < 1 s)`);
    console.log(
      `  preview complete:   ${(previewMs! / 1000).toFixed(2)} s  (${(previewMs! / listMs).toFixed(2)}x the raw listing; target 2x)`,
    );
    console.log(`  pages of 50 from it:\n${previewPages.join('\n')}`);
  } else {
    await closeDeps(deps, { graceMs: 0 });

    // The import, in a Roster process of its own (single process: API, jobs and import together).
    // BENCH_NODE_ARGS: extra flags for the Roster process (V8 heap settings, to compare).
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const roster = await startRoster('roster', { ROSTER_DATA_DIR: dataDir, DATABASE_URL: pg?.url ?? '' }, nodeArgs);
    stops.push(roster.stop);
    const api = await adminApi(roster.url!, { email: 'bench@example.com', password: 'measured tortoise lantern' });
    await must(api, 'POST', `/api/v1/applications/${app.id}/idm/activate`);
    const idleRss = rssOf(roster.child.pid);
    const probe = values['probe-api'] ? startApiProbe(api) : undefined;
    const t = performance.now();
    const started = (await must(api, 'POST', `/api/v1/applications/${app.id}/import/jobs`, { all: true })).run as { id: string };
    const run = await finished(api, started.id);
    const importMs = performance.now() - t;
    const probed = await probe?.stop();
    const rssPeak = rssOf(roster.child.pid, 'VmHWM') ?? NaN;
    await roster.stop();

    const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en')}/s`;
    console.log(
      `Import benchmark: ${users.toLocaleString('en')} users, page size ${pageSize}, ${pg ? 'postgres' : 'sqlite'}, ` +
        `latency ${latencyMs} ms, concurrency ${concurrency}, rate limit ${rateLimit}/s`,
    );
    console.log(`  raw listing:        ${(listMs / 1000).toFixed(2)} s  (${rate(listed, listMs)}, ${listed} users)`);
    if (previewMs !== undefined)
      console.log(
        `  preview first page: ${firstPageMs!.toFixed(0)} ms (target < 1 s)\n` +
          `  preview (snapshot): ${(previewMs / 1000).toFixed(2)} s  ` +
          `(${rate(users, previewMs)}, ${(previewMs / listMs).toFixed(2)}x the listing); ` +
          `pages of 50 from it:\n${previewPages.join('\n')}`,
      );
    console.log(
      `  import end to end:  ${(importMs / 1000).toFixed(2)} s  (${rate(run.processed, importMs)}; ` +
        `created ${run.created}, skipped ${run.skipped}, failed ${run.failed}, status ${run.status})`,
    );
    const at = (iso: string | null) => (iso ? Date.parse(iso) : NaN);
    console.log(
      `    of which waiting for the job queue ${at(run.startedAt) - at(run.createdAt)} ms, ` +
        `the run itself ${at(run.finishedAt) - at(run.startedAt)} ms (the server's clock)`,
    );
    // Targets of issue 12: 1.1x (concurrency 1) and 0.5x (concurrency 4) against a 20 ms application;
    // loopback 3.0x on SQLite, 4.0x on PostgreSQL.
    console.log(`  ratio import/list:  ${(importMs / listMs).toFixed(2)}`);
    console.log(
      `  server peak RSS:    ${mb(rssPeak)} (VmHWM of the Roster process; ${mb(idleRss ?? NaN)} before the import; ` +
        `target < 300 MB; the raw listing process peaked at ${mb(listRss)})`,
    );
    if (probed) console.log(`  GET /users?limit=50 during the import: ${probed}`);
  }
} finally {
  for (const stop of stops) await stop();
  await scim.stop();
  await pg?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
