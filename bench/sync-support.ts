// What the import-as-sync benchmarks share (import-sync, import-dry-run, import-undo): Roster in a
// process of its own against the test SCIM server with one connected application, import runs followed
// over the API, and every remote user changed in place.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeDeps } from '../server/deps.ts';
import type { startScimServer } from '../test/scim-server/index.ts';
import { adminApi, type Api, connectedRoster, must, rssOf, startApiProbe, startRoster } from './support.ts';

export const BENCH_TOKEN = 'bench-token';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A run as the API answers it (the fields the benchmarks print). */
export interface RunAnswer {
  id: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  processed: number;
  created: number;
  linked: number;
  updated: number;
  reverted: number;
  skipped: number;
  failed: number;
  error?: string;
}

/**
 * Roster as `npm start` runs it, on a fresh data folder (or the given PostgreSQL), with an admin and an
 * application connected to the SCIM server at `baseUrl`. `stop` ends it and removes its folder.
 */
export async function benchRoster(o: { baseUrl: string; postgresUrl?: string; pageSize: number; label: string }) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `roster-bench-${o.label}-`));
  const { deps, app } = await connectedRoster({
    dataDir,
    postgresUrl: o.postgresUrl,
    baseUrl: o.baseUrl,
    token: BENCH_TOKEN,
    settings: { pageSize: o.pageSize, rateLimitPerSecond: 10_000, rateLimitBurst: 10_000, concurrency: 4 },
  });
  await closeDeps(deps, { graceMs: 0 });
  const roster = await startRoster('roster', { ROSTER_DATA_DIR: dataDir, DATABASE_URL: o.postgresUrl ?? '' });
  const stop = async () => {
    await roster.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const api = await adminApi(roster.url!, { email: 'bench@example.com', password: 'measured tortoise lantern' });
    return { api, pid: roster.child.pid, appId: app.id, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Follows the run over the API until it ends or pauses (every 50 ms), sampling Roster's RSS meanwhile. */
export async function followRun(api: Api, runId: string, pid: number | undefined): Promise<{ run: RunAnswer; maxRss: number }> {
  let maxRss = 0;
  for (let i = 0; ; i++) {
    if (i % 2 === 0) maxRss = Math.max(maxRss, rssOf(pid) ?? 0);
    const run = (await must(api, 'GET', `/api/v1/import-runs/${runId}`)) as RunAnswer;
    if (run.status === 'completed' || run.status === 'failed' || run.status === 'paused') return { run, maxRss };
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resets the Roster process's peak RSS (Linux: 5 to clear_refs), so that the next VmHWM is one run's own. */
export function resetPeak(pid: number | undefined): void {
  if (pid) fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/**
 * Starts a users run over the API and follows it: the run, its time end to end, Roster's peak RSS during
 * it, and with `probe` the API's latency meanwhile.
 */
export async function timedRun(api: Api, pid: number | undefined, appId: string, body: Record<string, unknown>, probe = false) {
  resetPeak(pid);
  const prober = probe ? startApiProbe(api) : undefined;
  const t0 = performance.now();
  const started = (await must(api, 'POST', `/api/v1/applications/${appId}/import/jobs`, body)).run as { id: string };
  const { run } = await followRun(api, started.id, pid);
  const ms = performance.now() - t0;
  const latency = await prober?.stop();
  return { run, ms, peak: rssOf(pid, 'VmHWM') ?? NaN, latency };
}

/** Three attributes of every remote user change: title, department, cost center. Returns how many users. */
export function changeEveryRemoteUser(scim: Awaited<ReturnType<typeof startScimServer>>): number {
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

export const loadAverage = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
