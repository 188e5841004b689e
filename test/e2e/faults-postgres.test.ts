// PostgreSQL restarted in the middle of an import: the run retries and resumes from its checkpoint,
// every remote user is created exactly once, and /readyz says 503 during the outage and 200 after it,
// without restarting Roster. Real processes: a PostgreSQL of this test's own, a Roster server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { exitHooksFromNowOn, loadEmbeddedPostgres, throwawayOptions, throwawayUrl } from '../embedded-postgres.ts';
import { eventually, SCIM_TOKEN } from '../idm.ts';
import { type RunningScimServer, startScimServer } from '../scim-server/index.ts';
import { freePort, startServerProcess, type ServerProcess } from './process.ts';

const ADMIN = { email: 'faults@example.com', password: 'restart-tolerant-heron-5' };
const USERS = 1500;

describe('PostgreSQL restarted mid-import and mid-provisioning', () => {
  // (The server process used to die here: a pooled client checked out between the queries of a
  // transaction reported the terminated connection as an 'error' event nobody listened to.)
  let scim: RunningScimServer;
  let pg: InstanceType<Awaited<ReturnType<typeof loadEmbeddedPostgres>>>;
  let pgDir: string;
  let dataDir: string;
  let url: string;
  let server: ServerProcess | undefined;
  let target: RunningScimServer | undefined;
  let call: (method: string, u: string, body?: unknown) => Promise<{ status: number; json: Record<string, any> }>;
  const removeExitHooks = exitHooksFromNowOn();
  /** A new application whose integration talks to `to` with these settings; returns its id. */
  const connectApplication = async (name: string, to: RunningScimServer, settings: Record<string, number>): Promise<string> => {
    const appId = (await call('POST', '/api/v1/applications', { name })).json.id;
    const put = await call('PUT', `/api/v1/applications/${appId}/idm`, {
      baseUrl: to.baseUrl,
      auth: { type: 'bearer', token: SCIM_TOKEN },
      settings,
    });
    expect(put.status).toBe(200);
    return appId;
  };

  beforeAll(async () => {
    scim = await startScimServer({ users: USERS, seed: 11, auth: { type: 'bearer', token: SCIM_TOKEN }, logRequests: false });
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    pgDir = path.join(os.tmpdir(), `roster-faults-pg-${process.pid}-${Date.now()}`);
    const port = await freePort();
    pg = new EmbeddedPostgres(throwawayOptions(pgDir, port, { persistent: true }));
    await pg.initialise();
    await pg.start();
    url = throwawayUrl(port);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-faults-'));
  }, 120_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await target?.stop();
    await pg?.stop().catch(() => {});
    removeExitHooks();
    await scim?.stop();
    fs.rmSync(pgDir, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes the import after the outage and creates every user exactly once; /readyz follows the database', async () => {
    server = await startServerProcess(
      {
        ROSTER_DATA_DIR: dataDir,
        DATABASE_URL: url,
        ROSTER_SECRET_KEY: 'ef'.repeat(32),
        ROSTER_ADMIN_EMAIL: ADMIN.email,
        ROSTER_ADMIN_PASSWORD: ADMIN.password,
        ROSTER_JOB_LEASE_SECONDS: '10',
        ROSTER_IMPORT_BATCH_SIZE: '50',
      },
      60_000,
    );
    const base = server.url;
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    call = async (method: string, u: string, body?: unknown) => {
      const r = await fetch(`${base}${u}`, {
        method,
        headers: { cookie, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).catch((err) => {
        throw new Error(`${method} ${u} failed (${err.cause?.message}); server output:\n${server?.output()}`);
      });
      return { status: r.status, json: (await r.json().catch(() => ({}))) as Record<string, any> };
    };
    const appId = await connectApplication('Faults App', scim, { pageSize: 25, rateLimitPerSecond: 1000, rateLimitBurst: 1000 });
    scim.setQuirks({ latencyMs: 20 });
    const started = await call('POST', `/api/v1/applications/${appId}/import/jobs`, { all: true });
    expect(started.status).toBe(202);
    const runId = started.json.run.id;
    await eventually(
      async () => ((await call('GET', `/api/v1/import-runs/${runId}`)).json.processed >= 200 ? true : undefined),
      60_000,
      'the import to make progress',
    );

    await pg.stop();
    await eventually(async () => ((await fetch(`${base}/readyz`)).status === 503 ? true : undefined), 20_000, '/readyz to say 503');
    const outage = await fetch(`${base}/readyz`);
    expect(await outage.json()).toMatchObject({ status: 'unavailable', waitingFor: ['database'] });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    scim.setQuirks({ latencyMs: 0 });
    await pg.start();
    await eventually(async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined), 60_000, '/readyz to recover');

    const done = await eventually(
      async () => {
        const r = await call('GET', `/api/v1/import-runs/${runId}`);
        return r.json.status === 'completed' || r.json.status === 'failed' ? r.json : undefined;
      },
      120_000,
      'the run to finish after the outage',
    );
    expect(done).toMatchObject({ status: 'completed', total: USERS, processed: USERS, created: USERS, failed: 0 });

    const database = openDatabase(url);
    try {
      const { db } = database;
      const n = async (q: Promise<{ n: unknown }>) => Number((await q).n);
      const count = (table: 'users' | 'app_user_links' | 'insight_events') => db.selectFrom(table).select((eb) => eb.fn.countAll().as('n'));
      expect(await n(count('users').executeTakeFirstOrThrow())).toBe(USERS);
      expect(await n(count('app_user_links').where('application_id', '=', appId).executeTakeFirstOrThrow())).toBe(USERS);
      expect(await n(count('insight_events').where('event_type', '=', 'user_create').executeTakeFirstOrThrow())).toBe(USERS);
      expect(await n(count('insight_events').where('event_type', '=', 'import_completed').executeTakeFirstOrThrow())).toBe(1);
    } finally {
      await database.close();
    }
  }, 300_000);

  it('lives through an outage in the middle of a provisioning sync, creating no account twice', async () => {
    const MEMBERS = 300;
    const readyz = async () =>
      (
        await fetch(`${server!.url}/readyz`).catch((err) => {
          throw new Error(`/readyz failed (${err.cause?.message}); server output:\n${server?.output()}`);
        })
      ).status;
    // The server lived through the first outage.
    expect(server!.child.exitCode, server!.output()).toBeNull();
    target = await startScimServer({ users: 0, auth: { type: 'bearer', token: SCIM_TOKEN }, logRequests: false });
    const appId = await connectApplication('Provisioned App', target, { concurrency: 2, rateLimitPerSecond: 1000, rateLimitBurst: 1000 });
    const groupId = (await call('POST', '/api/v1/groups', { name: 'Provisioned' })).json.id;
    let cursor: string | null = null;
    const ids: string[] = [];
    do {
      const page = await call('GET', `/api/v1/users?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...page.json.items.map((u: { id: string }) => u.id));
      cursor = page.json.nextCursor;
    } while (cursor && ids.length < MEMBERS);
    for (const id of ids.slice(0, MEMBERS)) expect((await call('PUT', `/api/v1/groups/${groupId}/members/${id}`)).status).toBeLessThan(300);
    expect((await call('PUT', `/api/v1/applications/${appId}/groups/${groupId}`)).status).toBe(201);
    target.setQuirks({ latencyMs: 30 });
    expect((await call('POST', `/api/v1/applications/${appId}/idm/activate`)).status).toBe(200);
    await eventually(async () => (target!.store.userCount() >= 40 ? true : undefined), 60_000, 'the sync to create accounts');

    await pg.stop();
    await eventually(async () => ((await readyz()) === 503 ? true : undefined), 20_000, '/readyz to say 503');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    target.setQuirks({ latencyMs: 0 });
    await pg.start();
    await eventually(async () => ((await readyz()) === 200 ? true : undefined), 60_000, '/readyz to recover');

    // The sync the outage interrupted is retried once its lock runs out (a minute): the retry takes over
    // its users (they stayed claimed for ten minutes before, and the retry skipped them and called
    // itself complete) and finishes the work. Every member gets exactly one account.
    const status = await eventually(
      async () => {
        const r = await call('GET', `/api/v1/applications/${appId}/idm/status`);
        return r.status === 200 &&
          !r.json.running &&
          r.json.pending.queuedSyncs === 0 &&
          !r.json.pending.fullReconcile &&
          target!.store.userCount() >= MEMBERS
          ? r.json
          : undefined;
      },
      150_000,
      'the provisioning to finish after the outage',
    );
    expect(server!.child.exitCode, server!.output()).toBeNull();
    expect(status.integrationStatus).toBe('active');
    expect(status.failed.total).toBe(0);
    const remote = target.store.listUsers().map((u) => String(u.userName).toLowerCase());
    expect(new Set(remote).size).toBe(remote.length);
    expect(remote).toHaveLength(MEMBERS);
    const syncs = await call('GET', `/api/v1/applications/${appId}/idm/syncs`);
    expect(syncs.status).toBe(200);
    expect(syncs.json.items.filter((s: { status: string }) => s.status === 'running')).toEqual([]);
  }, 300_000);
});
