// Deactivation stops an import at once in every process: one api and two worker processes on
// PostgreSQL (as the README shows), an import running in a worker, the integration deactivated through
// the api. After the deactivation has answered, only the requests already in flight may still reach
// the application (the worker used to page on through its whole write batch, about 20 more requests).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl } from '../db.ts';
import { eventually, SCIM_TOKEN } from '../idm.ts';
import { type RunningScimServer, startScimServer } from '../scim-server/index.ts';
import { spawnServerProcess, type SpawnedServer, startServerProcess, type ServerProcess } from './process.ts';

const ADMIN = { email: 'stop@example.com', password: 'halting copper river 4' };
const USERS = 6000;
const CONCURRENCY = 2;

async function startWorker(env: Record<string, string>): Promise<SpawnedServer> {
  const w = spawnServerProcess({ ...env, ROSTER_ROLE: 'worker' });
  await eventually(
    async () => {
      if (w.child.exitCode !== null) throw new Error(`worker exited:\n${w.output()}`);
      return w.output().includes('Roster worker running') ? true : undefined;
    },
    30_000,
    'the worker to start',
  );
  return w;
}

/** Signs in as the admin; returns a JSON caller with the session cookie. */
async function signIn(base: string) {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  return async (method: string, url: string, body?: unknown) => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: { cookie, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, json: (r.status === 204 ? {} : await r.json()) as Record<string, any> };
  };
}

type Call = Awaited<ReturnType<typeof signIn>>;
const IMPORT_SETTINGS = { pageSize: 20, concurrency: CONCURRENCY, rateLimitPerSecond: 1000, rateLimitBurst: 1000 };

/**
 * An active application on `scim` with an import of all its users paging through it (slow pages, so
 * that the run is in the middle of its first write batch when it is stopped).
 */
async function startPagingImport(call: Call, scim: RunningScimServer, name: string) {
  const appId = (await call('POST', '/api/v1/applications', { name })).json.id as string;
  expect(
    (
      await call('PUT', `/api/v1/applications/${appId}/idm`, {
        baseUrl: scim.baseUrl,
        auth: { type: 'bearer', token: SCIM_TOKEN },
        settings: IMPORT_SETTINGS,
      })
    ).status,
  ).toBe(200);
  expect((await call('POST', `/api/v1/applications/${appId}/idm/activate`)).status).toBe(200);
  scim.setQuirks({ latencyMs: 25 });
  scim.clearRequests();
  const started = await call('POST', `/api/v1/applications/${appId}/import/jobs`, { all: true });
  expect(started.status).toBe(202);
  const listing = () => scim.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Users'));
  await eventually(async () => (listing().length >= 15 ? true : undefined), 30_000, 'the import to page through the application');
  return { appId, runId: started.json.run.id as string, listing };
}

/** The run once it has ended (neither queued nor running). */
function runEnded(call: Call, runId: string, timeoutMs: number) {
  return eventually(
    async () => {
      const r = await call('GET', `/api/v1/import-runs/${runId}`);
      return r.json.status === 'running' || r.json.status === 'queued' ? undefined : r.json;
    },
    timeoutMs,
    'the run to end',
  );
}

describe('deactivation across processes (PostgreSQL)', () => {
  let scim: RunningScimServer;
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let dataDir: string;
  let api: ServerProcess | undefined;
  const workers: SpawnedServer[] = [];
  beforeAll(async () => {
    scim = await startScimServer({ users: USERS, seed: 9, auth: { type: 'bearer', token: SCIM_TOKEN } });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-stop-'));
    const db = await createTestDatabaseUrl('postgres');
    drop = db.drop;
    env = {
      ROSTER_DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      ROSTER_SECRET_KEY: 'cd'.repeat(32),
      ROSTER_ADMIN_EMAIL: ADMIN.email,
      ROSTER_ADMIN_PASSWORD: ADMIN.password,
    };
  });
  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await api?.stop('SIGKILL');
    await scim?.stop();
    await drop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("stops the worker's paging the moment the api process has answered", async () => {
    api = await startServerProcess({ ...env, ROSTER_ROLE: 'api' });
    workers.push(await startWorker(env), await startWorker(env));
    const call = await signIn(api.url);
    const { appId, runId, listing } = await startPagingImport(call, scim, 'Stop App');

    const deactivated = await call('POST', `/api/v1/applications/${appId}/idm/deactivate`);
    expect(deactivated.status).toBe(200);
    // Requests are numbered as they arrive: those after this number came after the answer.
    const answeredAt = scim.stats().requests;

    const run = await runEnded(call, runId, 30_000);
    expect(run).toMatchObject({ status: 'failed', error: 'integration deactivated' });
    // Anything still on its way has arrived by now: a few more pages' worth of the server's latency.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = listing().filter((r) => r.seq > answeredAt);
    expect(after.length, `requests after the deactivation answered: ${after.length}`).toBeLessThanOrEqual(CONCURRENCY);
  }, 120_000);

  it("stops the worker's paging the moment the application is deleted", async () => {
    const call = await signIn(api!.url);
    const { appId, listing } = await startPagingImport(call, scim, 'Doomed App');

    expect((await call('DELETE', `/api/v1/applications/${appId}`)).status).toBe(204);
    // Requests are numbered as they arrive: those after this number came after the answer.
    const answeredAt = scim.stats().requests;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = listing().filter((r) => r.seq > answeredAt);
    expect(after.length, `requests after the deletion answered: ${after.length}`).toBeLessThanOrEqual(CONCURRENCY);
    for (const w of workers) expect(w.child.exitCode, w.output()).toBeNull();
    // The run went with the application: its job ends without retries (it used to fail four times).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(workers.map((w) => w.output()).join('\n')).not.toMatch(/"name":"import.run","msg":"job attempt failed"/);
  }, 120_000);

  it(
    "a new connection stops the worker's paging on the old one the moment the api has answered; " + 'the run resumes on the new one',
    async () => {
      const call = await signIn(api!.url);
      // The same users behind another address and token: the application moved.
      const moved = await startScimServer({ users: USERS, seed: 9, auth: { type: 'bearer', token: 'moved-token' } });
      try {
        const { appId, runId, listing } = await startPagingImport(call, scim, 'Moving App');
        const put = await call('PUT', `/api/v1/applications/${appId}/idm`, {
          baseUrl: moved.baseUrl,
          auth: { type: 'bearer', token: 'moved-token' },
          settings: IMPORT_SETTINGS,
        });
        expect(put.status).toBe(200);
        // Requests are numbered as they arrive: those after this number came after the answer.
        const answeredAt = scim.stats().requests;
        const run = await runEnded(call, runId, 60_000);
        const after = listing().filter((r) => r.seq > answeredAt);
        expect(after.length, `requests to the old address after the change answered: ${after.length}`).toBeLessThanOrEqual(CONCURRENCY);
        // It went on where it was, reading the new address: every user answered once, none failed.
        expect(run).toMatchObject({ status: 'completed', processed: USERS, failed: 0 });
        expect(moved.requests.some((r) => r.path.endsWith('/Users'))).toBe(true);
      } finally {
        await moved.stop();
      }
    },
    120_000,
  );

  it('stops a provisioning sync running in a worker the moment the deactivation has answered', async () => {
    const call = await signIn(api!.url);
    const target = await startScimServer({ users: 0, auth: { type: 'bearer', token: SCIM_TOKEN }, logRequests: true });
    try {
      const appId = (await call('POST', '/api/v1/applications', { name: 'Provisioned App' })).json.id;
      expect(
        (
          await call('PUT', `/api/v1/applications/${appId}/idm`, {
            baseUrl: target.baseUrl,
            auth: { type: 'bearer', token: SCIM_TOKEN },
            settings: { concurrency: CONCURRENCY, rateLimitPerSecond: 1000, rateLimitBurst: 1000 },
          })
        ).status,
      ).toBe(200);
      // 300 directory users in a group bound to the application.
      const groupId = (await call('POST', '/api/v1/groups', { name: 'Provisioned' })).json.id;
      for (let i = 0; i < 300; i++) {
        const user = await call('POST', '/api/v1/users', { username: `prov.user${i}`, email: `prov.user${i}@example.com` });
        expect(user.status).toBe(201);
        expect((await call('PUT', `/api/v1/groups/${groupId}/members/${user.json.id}`)).status).toBeLessThan(300);
      }
      expect((await call('PUT', `/api/v1/applications/${appId}/groups/${groupId}`)).status).toBe(201);
      target.setQuirks({ latencyMs: 25 });
      expect((await call('POST', `/api/v1/applications/${appId}/idm/activate`)).status).toBe(200);
      const creates = () => target.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Users'));
      await eventually(async () => (creates().length >= 30 ? true : undefined), 30_000, 'the sync to create accounts');

      expect((await call('POST', `/api/v1/applications/${appId}/idm/deactivate`)).status).toBe(200);
      // Requests are numbered as they arrive: those after this number came after the answer.
      const answeredAt = target.stats().requests;
      const sync = await eventually(
        async () => {
          const r = await call('GET', `/api/v1/applications/${appId}/idm/syncs`);
          const last = r.json.items?.[0];
          return last && last.status !== 'running' && last.status !== 'queued' ? last : undefined;
        },
        30_000,
        'the sync to end',
      );
      expect(sync).toMatchObject({ status: 'cancelled' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const after = target.requests.filter((r) => r.seq > answeredAt);
      expect(after.length, `requests after the deactivation answered: ${after.length}`).toBeLessThanOrEqual(CONCURRENCY);
      expect(target.store.userCount()).toBeLessThan(300);
    } finally {
      await target.stop();
    }
  }, 120_000);
});
