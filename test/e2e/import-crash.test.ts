// kill -9 in the middle of a large import: on restart the run resumes from its checkpoint and
// finishes, losing nothing and duplicating nothing. Real server processes, both databases; on SQLite
// also with batches large enough to go to the import's writer thread (killed with its batch open).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { THREAD_MIN_BATCH } from '../../server/imports/batch-writer.ts';
import { listResults } from '../../server/imports/index.ts';
import { createTestDatabaseUrl, dialects } from '../db.ts';
import { eventually, SCIM_TOKEN } from '../idm.ts';
import { type RunningScimServer, startScimServer } from '../scim-server/index.ts';
import { startServerProcess, type ServerProcess } from './process.ts';

const ADMIN = { email: 'crash@example.com', password: 'a long enough password' };
const cases = [
  ...dialects.map((dialect) => ({ dialect, users: 600, batchSize: 30, pageSize: 10, latencyMs: 40, label: 'small batches' })),
  ...(dialects.includes('sqlite')
    ? [{ dialect: 'sqlite' as const, users: 2000, batchSize: THREAD_MIN_BATCH, pageSize: 50, latencyMs: 60, label: 'the writer thread' }]
    : []),
];

describe.each(cases)('import crash and resume on $dialect, $label', ({ dialect, users: USERS, batchSize, pageSize, latencyMs }) => {
  let scim: RunningScimServer;
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let dataDir: string;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    scim = await startScimServer({ users: USERS, seed: 5, auth: { type: 'bearer', token: SCIM_TOKEN }, logRequests: false });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-crash-'));
    const db = dialect === 'postgres' ? await createTestDatabaseUrl('postgres') : { url: '', drop: async () => {} };
    drop = db.drop;
    env = {
      ROSTER_DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      ROSTER_ADMIN_EMAIL: ADMIN.email,
      ROSTER_ADMIN_PASSWORD: ADMIN.password,
      ROSTER_JOB_LEASE_SECONDS: '10',
      ROSTER_IMPORT_BATCH_SIZE: String(batchSize),
    };
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await scim?.stop();
    await drop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function api(s: ServerProcess, cookie: string, method: string, url: string, body?: unknown) {
    const r = await fetch(`${s.url}${url}`, {
      method,
      headers: { cookie, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, json: (await r.json()) as Record<string, any> };
  }
  async function login(s: ServerProcess) {
    const r = await fetch(`${s.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    expect(r.status).toBe(200);
    return r.headers.get('set-cookie')!.split(';')[0];
  }

  it('resumes after SIGKILL and ends with every remote user created exactly once', async () => {
    server = await startServerProcess(env);
    let cookie = await login(server);
    const app = await api(server, cookie, 'POST', '/api/v1/applications', { name: 'Crash App' });
    const appId = app.json.id;
    const put = await api(server, cookie, 'PUT', `/api/v1/applications/${appId}/idm`, {
      baseUrl: scim.baseUrl,
      auth: { type: 'bearer', token: SCIM_TOKEN },
      settings: { pageSize, rateLimitPerSecond: 1000, rateLimitBurst: 1000 },
    });
    expect(put.status).toBe(200);
    scim.setQuirks({ latencyMs });
    const started = await api(server, cookie, 'POST', `/api/v1/applications/${appId}/import/jobs`, { all: true });
    expect(started.status).toBe(202);
    const runId = started.json.run.id;
    const s1 = server;
    const before = await eventually(
      async () => {
        const r = await api(s1, cookie, 'GET', `/api/v1/import-runs/${runId}`);
        return r.json.processed >= Math.min(100, batchSize) ? r.json : undefined;
      },
      30_000,
      'the run to make progress',
    );
    expect(before.status).toBe('running');
    expect(await server.stop('SIGKILL')).toBe(null);

    scim.setQuirks({ latencyMs: 0 });
    server = await startServerProcess(env);
    cookie = await login(server);
    const s2 = server;
    const done = await eventually(
      async () => {
        const r = await api(s2, cookie, 'GET', `/api/v1/import-runs/${runId}`);
        return r.json.status === 'completed' || r.json.status === 'failed' ? r.json : undefined;
      },
      90_000,
      'the resumed run to finish',
    );
    expect(done).toMatchObject({ status: 'completed', total: USERS, processed: USERS, created: USERS, skipped: 0, failed: 0 });

    await server.stop('SIGTERM');
    server = undefined;
    const database = openDatabase(env.DATABASE_URL || `sqlite:${path.join(dataDir, 'roster.db')}`);
    try {
      const { db } = database;
      const users = await db.selectFrom('users').select(['id', 'username_lower']).where('source_import_run_id', '=', runId).execute();
      expect(users).toHaveLength(USERS);
      expect(new Set(users.map((u) => u.username_lower)).size).toBe(USERS);
      const linkRows = await db.selectFrom('app_user_links').select('remote_id').where('application_id', '=', appId).execute();
      expect(new Set(linkRows.map((l) => l.remote_id)).size).toBe(USERS);
      expect(linkRows).toHaveLength(USERS);
      const results = await listResults(db, runId, -1, USERS + 1);
      expect(results).toHaveLength(USERS);
      expect(new Set(results.map((r) => r.remote_id)).size).toBe(USERS);
      const runEvents = (eventType: 'user_create' | 'import_completed') =>
        db
          .selectFrom('insight_events')
          .select('resource_id')
          .where('import_run_id', '=', runId)
          .where('event_type', '=', eventType)
          .execute();
      const events = await runEvents('user_create');
      expect(new Set(events.map((e) => e.resource_id)).size).toBe(USERS);
      expect(events).toHaveLength(USERS);
      expect(await runEvents('import_completed')).toHaveLength(1);
    } finally {
      await database.close();
    }
  }, 150_000);
});
