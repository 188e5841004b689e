// The application's SCIM server dies in the middle of an import (kill -9 of its process) and stays
// down past the retries: the run ends failed with a plain message naming the cause, and once the
// server is back, importing again picks up where it stopped: every remote user exists exactly once.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWorkers } from '../../server/workers.ts';
import { createTestApp, type TestApp } from '../app.ts';
import { countRows } from '../factories.ts';
import { importRuns } from './import-runs.ts';
import { freePort, ROOT } from './process.ts';

const USERS = 1200;
const TOKEN = 'scim-faults-token-0123456789';

/** The test SCIM server in its own process, on a fixed port and seed, so that it can come back the same. */
async function startScim(port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'test/scim-server/cli.ts'),
      '--port',
      String(port),
      '--users',
      String(USERS),
      '--seed',
      '3',
      '--token',
      TOKEN,
      '--latency',
      '15',
      '--no-log',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', () => resolve());
    child.once('exit', (code) => reject(new Error(`test SCIM server exited with ${code}`)));
  });
  return child;
}

describe("the application's SCIM server killed mid-import", () => {
  let t: TestApp;
  let scim: ChildProcess | undefined;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { ROSTER_IMPORT_BATCH_SIZE: '50' });
    registerWorkers(t.deps);
    await t.deps.queue.start();
    port = await freePort();
    scim = await startScim(port);
  });
  afterAll(async () => {
    if (scim && scim.exitCode === null) scim.kill('SIGKILL');
    await t?.close();
  });

  it('fails the run with a plain error, and a new import after the restart creates only the rest', async () => {
    const appId = (await t.admin({ method: 'POST', url: '/api/v1/applications', payload: { name: 'Dying App' } })).json().id;
    const put = await t.admin({
      method: 'PUT',
      url: `/api/v1/applications/${appId}/idm`,
      payload: {
        baseUrl: `http://127.0.0.1:${port}/scim/v2`,
        auth: { type: 'bearer', token: TOKEN },
        settings: { pageSize: 25, requestTimeoutMs: 2000, rateLimitPerSecond: 1000, rateLimitBurst: 1000 },
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    const runs = importRuns(t);
    const firstId = await runs.start(appId);
    await runs.progressed(firstId, 200);

    scim!.kill('SIGKILL');
    const failed = await runs.ended(firstId, 'the run to give up');
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/Could not reach 127\.0\.0\.1:\d+ \(connection refused\)/);
    expect(failed.error).not.toMatch(/\n\s+at /);
    const createdBefore = failed.created as number;
    expect(createdBefore).toBeGreaterThanOrEqual(200);
    expect(createdBefore).toBeLessThan(USERS);

    scim = await startScim(port);
    const done = await runs.ended(await runs.start(appId), 'the second import to finish');
    expect(done).toMatchObject({ status: 'completed', created: USERS - createdBefore, failed: 0 });
    const count = (table: 'users' | 'app_user_links') => countRows(t.database.db, table);
    expect(await count('users')).toBe(USERS);
    expect(await count('app_user_links')).toBe(USERS);
  }, 300_000);
});
