// Undo of an import run (issue 14): the created users deleted or suspended unless changed since or
// provisioned somewhere (listed, left alone), updated fields set back where unchanged, links removed;
// the undo as a run with results, events and an email; the 409s; resume after a crash; deactivation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUntilShutdown } from '../../test/stop-run.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { connectApplication, eventually, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { registerWorkers } from '../workers.ts';
import { createImportRun, executeRun, startUndo } from './index.ts';

interface Result {
  remoteId: string;
  userName: string;
  outcome: string;
  code?: string;
  userId?: string;
  changes?: { field: string; before: unknown; after: unknown }[];
  left?: { field: string; code: string }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(dialects)('import undo on %s', (dialect) => {
  let t: TestApp;
  const servers: RunningScimServer[] = [];
  beforeAll(async () => {
    // Small batches, so that an undo of a few dozen users spans several transactions.
    t = await createTestApp(dialect, { ROSTER_IMPORT_BATCH_SIZE: '7' });
    registerWorkers(t.deps);
    await t.deps.queue.start();
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    await t?.close();
  });

  /** An application of `users` remote users, imported (inline: fewer than 100). */
  async function imported(name: string, users: number, seed: number) {
    const scim = await startScimServer({ users, seed, auth: { type: 'bearer', token: SCIM_TOKEN } });
    servers.push(scim);
    const appId = await connectApplication(t, scim, name, { pageSize: 10 });
    const { run } = await createImportRun(t.deps, t.adminActor, appId, { all: true });
    expect(run).toMatchObject({ status: 'completed', created: users });
    return { appId, runId: run.id };
  }

  const api = adminApi();
  function adminApi() {
    return {
      run: async (id: string) => (await t.admin({ method: 'GET', url: `/api/v1/import-runs/${id}` })).json(),
      undo: (id: string, payload?: object) =>
        t.admin({ method: 'POST', url: `/api/v1/import-runs/${id}/undo`, ...(payload ? { payload } : {}) }),
      preview: async (id: string) => (await t.admin({ method: 'GET', url: `/api/v1/import-runs/${id}/undo` })).json(),
      results: async (id: string): Promise<Result[]> =>
        (await t.admin({ method: 'GET', url: `/api/v1/import-runs/${id}/results?limit=5000` })).json().items,
      finished: (id: string) =>
        eventually(
          async () => {
            const r = await api.run(id);
            return r.status === 'completed' || r.status === 'failed' ? r : undefined;
          },
          20_000,
          `undo run ${id} to end`,
        ),
    };
  }

  const usersOfRun = (runId: string) =>
    t.database.db.selectFrom('users').select(['id', 'state', 'username']).where('source_import_run_id', '=', runId).execute();
  const linksOf = (appId: string) =>
    t.database.db.selectFrom('app_user_links').select(['user_id', 'remote_id']).where('application_id', '=', appId).execute();

  it('deletes the users a run created, leaves alone one changed since and one in a bound group, and lists them', async () => {
    const { appId, runId } = await imported('Undo Delete App', 30, 31);
    const made = await usersOfRun(runId);
    const [changed, grouped] = made;
    await sleep(5); // updated_at must move past created_at
    expect((await t.admin({ method: 'PATCH', url: `/api/v1/users/${changed.id}`, payload: { department: 'Moved' } })).statusCode).toBe(200);
    const group = (await t.admin({ method: 'POST', url: '/api/v1/groups', payload: { name: 'Undo Bound' } })).json();
    expect((await t.admin({ method: 'PUT', url: `/api/v1/groups/${group.id}/members/${grouped.id}` })).statusCode).toBe(201);
    const other = (await t.admin({ method: 'POST', url: '/api/v1/applications', payload: { name: 'Undo Other App' } })).json();
    expect((await t.admin({ method: 'PUT', url: `/api/v1/applications/${other.id}/groups/${group.id}` })).statusCode).toBe(201);

    expect(await api.preview(runId)).toEqual({
      runId,
      created: { total: 30, remove: 28, changedSince: 1, provisioned: 1, gone: 0 },
      updated: 0,
      links: 0,
    });
    const r = await api.undo(runId);
    expect(r.statusCode, r.body).toBe(202);
    const undoId = r.json().run.id;
    expect(r.json().run).toMatchObject({ kind: 'undo', undoOf: runId, total: 30, options: { undo: { users: 'delete' } } });
    const done = await api.finished(undoId);
    expect(done).toMatchObject({ status: 'completed', processed: 30, total: 30, reverted: 28, skipped: 2, failed: 0 });

    const left = await usersOfRun(runId);
    expect(left.map((u) => u.id).sort()).toEqual([changed.id, grouped.id].sort());
    expect((await linksOf(appId)).map((l) => l.user_id).sort()).toEqual([changed.id, grouped.id].sort());
    const results = await api.results(undoId);
    expect(results).toHaveLength(30);
    expect(results.filter((x) => x.outcome === 'deleted')).toHaveLength(28);
    expect(results.find((x) => x.userId === changed.id)).toMatchObject({ outcome: 'skipped', code: 'changed_since_import' });
    expect(results.find((x) => x.userId === grouped.id)).toMatchObject({ outcome: 'skipped', code: 'provisioned' });
    // Same remote ids, in the order of the undone run's results.
    expect(results.map((x) => x.remoteId)).toEqual((await api.results(runId)).map((x) => x.remoteId));

    const events = (await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=user_delete&limit=100` })).json().items;
    const mine = events.filter((e: { importRunId?: string }) => e.importRunId === undoId);
    expect(mine).toHaveLength(28);
    expect(mine[0]).toMatchObject({ service: 'import', application: { id: appId, name: 'Undo Delete App' } });
    const runEvents = (await t.admin({ method: 'GET', url: `/api/v1/insights/events?resourceId=${undoId}` })).json().items;
    expect(runEvents.map((e: { eventType: string }) => e.eventType)).toEqual(['import_completed', 'import_started']);
    const mail = await eventually(
      async () =>
        (await t.admin({ method: 'GET', url: '/api/v1/mail/outbox' }))
          .json()
          .items.find((m: { relatedId?: string }) => m.relatedId === undoId),
      10_000,
      'the undo email',
    );
    expect(mail.to).toBe(t.adminActor.email);
    expect(mail.text).toContain(undoId);

    expect((await api.run(runId)).undoneBy).toBe(undoId);
    expect((await api.undo(runId)).json().error.code).toBe('IMPORT_RUN_ALREADY_UNDONE');
    expect((await api.undo(undoId)).json().error.code).toBe('IMPORT_UNDO_OF_UNDO');
    expect((await api.preview(runId)).refused.code).toBe('IMPORT_RUN_ALREADY_UNDONE');
  });

  it('suspends instead when asked, removing the links; a dry run stores the results and changes nothing', async () => {
    const { appId, runId } = await imported('Undo Suspend App', 12, 32);
    const dry = await api.undo(runId, { users: 'suspend', dryRun: true });
    expect(dry.statusCode, dry.body).toBe(202);
    const dryRun = await api.finished(dry.json().run.id);
    expect(dryRun).toMatchObject({ status: 'completed', dryRun: true, reverted: 12 });
    expect((await api.results(dryRun.id)).every((x) => x.outcome === 'suspended')).toBe(true);
    expect((await usersOfRun(runId)).every((u) => u.state === 'ACTIVE')).toBe(true);
    expect(await linksOf(appId)).toHaveLength(12);
    expect((await api.run(runId)).undoneBy).toBeUndefined();
    // A dry run of an import has nothing to undo.
    expect((await api.undo(dryRun.id)).json().error.code).toBe('IMPORT_UNDO_OF_UNDO');

    const r = await api.undo(runId, { users: 'suspend' });
    expect(r.statusCode, r.body).toBe(202);
    const done = await api.finished(r.json().run.id);
    expect(done).toMatchObject({ status: 'completed', reverted: 12, skipped: 0 });
    const users = await usersOfRun(runId);
    expect(users).toHaveLength(12);
    expect(users.every((u) => u.state === 'SUSPENDED')).toBe(true);
    expect(await linksOf(appId)).toHaveLength(0);
    const updates = (await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=user_update,user_unlink&limit=100` }))
      .json()
      .items.filter((e: { importRunId?: string }) => e.importRunId === done.id);
    expect(updates.filter((e: { eventType: string }) => e.eventType === 'user_update')).toHaveLength(12);
    expect(updates.filter((e: { eventType: string }) => e.eventType === 'user_unlink')).toHaveLength(12);
    expect(updates.find((e: { eventType: string }) => e.eventType === 'user_update').changes).toEqual({
      state: { from: 'ACTIVE', to: 'SUSPENDED' },
    });
  });

  it('refuses with 409 while the run has not ended, for a dry run, and 404 for an unknown run; a bad body is a 400', async () => {
    const { runId } = await imported('Undo Refusals App', 3, 33);
    const { db } = t.database;
    for (const status of ['running', 'queued', 'paused'] as const) {
      await db.updateTable('import_runs').set({ status }).where('id', '=', runId).execute();
      const r = await api.undo(runId);
      expect(r.statusCode).toBe(409);
      expect(r.json().error.code).toBe('IMPORT_RUN_NOT_FINISHED');
    }
    await db.updateTable('import_runs').set({ status: 'completed', dry_run: 1 }).where('id', '=', runId).execute();
    expect((await api.undo(runId)).json().error.code).toBe('IMPORT_RUN_NOTHING_TO_UNDO');
    await db.updateTable('import_runs').set({ dry_run: 0 }).where('id', '=', runId).execute();
    const bad = await api.undo(runId, { users: 'archive' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().error.details)).toContain('users');
    expect((await api.undo(runId, { users: 'delete', extra: 1 })).statusCode).toBe(400);
    expect((await api.undo('0190f0a0-0000-7000-8000-000000000000')).statusCode).toBe(404);
  });

  it('sets back the fields an update changed where unchanged since, and removes the links the run made', async () => {
    const { appId, runId } = await imported('Undo Update App', 2, 34);
    const { db } = t.database;
    const mk = async (username: string, payload: object) =>
      (await t.admin({ method: 'POST', url: '/api/v1/users', payload: { username, email: `${username}@dir.example`, ...payload } })).json()
        .id;
    // As the runs helper records them: the user's fields after the update, the before and after in detail.
    const upd = await mk('undo.updated', { department: 'New Dept', jobTitle: 'Changed Since', lastname: 'After' });
    const lnk = await mk('undo.linked', {});
    const moved = await mk('undo.moved', {});
    const now = new Date().toISOString();
    const link = (user_id: string, remote_id: string) => ({
      organization_id: t.adminActor.organizationId,
      application_id: appId,
      user_id,
      remote_id,
      remote_user_name: remote_id,
      origin: 'import' as const,
      created_at: now,
      updated_at: now,
    });
    await db
      .insertInto('app_user_links')
      .values([link(upd, 'r-upd'), link(lnk, 'r-lnk'), link(moved, 'r-moved-now')])
      .execute();
    const row = (seq: number, remote_id: string, user_id: string, outcome: 'updated' | 'linked', detail: object | null = null) => ({
      run_id: runId,
      remote_id,
      seq,
      user_name: remote_id,
      email: `${remote_id}@remote.example`,
      outcome,
      reason: null,
      user_id,
      detail: detail ? JSON.stringify(detail) : null,
      code: null,
    });
    const changes = [
      { field: 'department', before: 'Old Dept', after: 'New Dept' },
      { field: 'jobTitle', before: 'Old Title', after: 'Imported Title' },
      { field: 'lastname', before: 'Before', after: 'After' },
    ];
    await db
      .insertInto('import_run_results')
      .values([
        row(100, 'r-upd', upd, 'updated', { changes, linked: true }),
        row(101, 'r-lnk', lnk, 'linked'),
        row(102, 'r-moved', moved, 'linked'),
      ])
      .execute();
    await db.updateTable('import_runs').set({ processed: 5, updated: 1, linked: 2 }).where('id', '=', runId).execute();

    expect(await api.preview(runId)).toMatchObject({ created: { total: 2, remove: 2 }, updated: 1, links: 3 });
    const r = await api.undo(runId);
    expect(r.statusCode, r.body).toBe(202);
    const done = await api.finished(r.json().run.id);
    expect(done).toMatchObject({ status: 'completed', processed: 5, reverted: 4, skipped: 1 });
    const results = await api.results(done.id);
    expect(results.find((x) => x.remoteId === 'r-upd')).toMatchObject({
      outcome: 'reverted',
      changes: [
        { field: 'department', before: 'New Dept', after: 'Old Dept' },
        { field: 'lastname', before: 'After', after: 'Before' },
      ],
      left: [{ field: 'jobTitle', code: 'changed_since_import' }],
    });
    expect(results.find((x) => x.remoteId === 'r-lnk')).toMatchObject({ outcome: 'unlinked' });
    expect(results.find((x) => x.remoteId === 'r-moved')).toMatchObject({ outcome: 'skipped', code: 'link_changed' });
    const user = (await t.admin({ method: 'GET', url: `/api/v1/users/${upd}` })).json();
    expect(user).toMatchObject({ department: 'Old Dept', jobTitle: 'Changed Since', lastname: 'Before' });
    // The search text follows the name set back.
    const found = (await t.admin({ method: 'GET', url: '/api/v1/users?q=undo.updated' })).json().items;
    expect(found).toHaveLength(1);
    expect((await linksOf(appId)).map((l) => l.remote_id)).toEqual(['r-moved-now']);
    const update = (await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=user_update&resourceId=${upd}` })).json()
      .items[0];
    expect(update).toMatchObject({ importRunId: done.id, changes: { department: { from: 'New Dept', to: 'Old Dept' } } });
  });
});

describe.each(dialects)('import undo, resumed and stopped, on %s', (dialect) => {
  let t: TestApp;
  let scim: RunningScimServer;
  beforeAll(async () => {
    // No workers: the tests run, stop and resume the undo themselves.
    t = await createTestApp(dialect, { ROSTER_IMPORT_BATCH_SIZE: '5' });
    scim = await startScimServer({ users: 40, seed: 35, auth: { type: 'bearer', token: SCIM_TOKEN } });
  });
  afterAll(async () => {
    await scim?.stop();
    await t?.close();
  });

  it('resumes an undo stopped mid-way (a crash), undoing every user once; deactivation stops one, which may be retried', async () => {
    const appId = await connectApplication(t, scim, 'Undo Resume App', { pageSize: 10 });
    const { run } = await createImportRun(t.deps, t.adminActor, appId, { all: true });
    expect(run.created).toBe(40);

    // Deactivation stops an undo: it ends failed, having removed nobody.
    expect((await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/activate` })).statusCode).toBe(200);
    const stopped = await startUndo(t.deps, t.adminActor, run.id);
    expect((await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/deactivate` })).statusCode).toBe(200);
    expect(await executeRun(t.deps, stopped.id)).toMatchObject({ status: 'failed', error: 'integration deactivated', processed: 0 });
    const { db } = t.database;
    const count = async () => (await db.selectFrom('users').select('id').where('source_import_run_id', '=', run.id).execute()).length;
    expect(await count()).toBe(40);

    // A failed undo may be tried again; this one is stopped as a shutdown stops it, after a few batches.
    const undo = await startUndo(t.deps, t.adminActor, run.id);
    await runUntilShutdown(t.deps, undo.id, 15, 'shutting down');
    const half = (await t.admin({ method: 'GET', url: `/api/v1/import-runs/${undo.id}` })).json();
    expect(half).toMatchObject({ status: 'running', processed: 15, reverted: 15 });
    expect(await count()).toBe(25);

    const done = await executeRun(t.deps, undo.id);
    expect(done).toMatchObject({ status: 'completed', processed: 40, reverted: 40, skipped: 0 });
    expect(await count()).toBe(0);
    const results = (await t.admin({ method: 'GET', url: `/api/v1/import-runs/${undo.id}/results?limit=100` })).json().items;
    expect(results).toHaveLength(40);
    expect(new Set(results.map((x: Result) => x.remoteId)).size).toBe(40);
    const deletes = await db
      .selectFrom('insight_events')
      .select('id')
      .where('import_run_id', '=', undo.id)
      .where('event_type', '=', 'user_delete')
      .execute();
    expect(deletes).toHaveLength(40);
  });

  it('runs an undo in this process when asked (the CLI), reporting progress', async () => {
    const appId = await connectApplication(t, scim, 'Undo Inline App', { pageSize: 10 });
    const { run } = await createImportRun(t.deps, t.adminActor, appId, { all: true });
    expect(run.created).toBe(40);
    const seen: number[] = [];
    const done = await startUndo(
      t.deps,
      t.adminActor,
      run.id,
      { users: 'suspend' },
      { inline: true, onProgress: (p) => seen.push(p.processed) },
    );
    expect(done).toMatchObject({ kind: 'undo', status: 'completed', processed: 40, reverted: 40 });
    expect(seen).toEqual([5, 10, 15, 20, 25, 30, 35, 40]);
    const states = await t.database.db.selectFrom('users').select('state').where('source_import_run_id', '=', run.id).execute();
    expect(states.map((u) => u.state)).toEqual(Array(40).fill('SUSPENDED'));
  });
});
