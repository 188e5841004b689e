// The sync end to end through the API (issue 14): a preview shows a directory user's differing field,
// an update run takes it and the user's other application is provisioned the new value, the undo of
// that run sets it back (and removes the link the run made), and that application follows again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUntilShutdown } from '../../test/stop-run.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { connectApplication, eventually, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { registerWorkers } from '../workers.ts';
import { createImportRun, executeRun } from './index.ts';

describe.each(dialects)('import as sync, end to end, on %s', (dialect) => {
  let t: TestApp;
  let source: RunningScimServer;
  let target: RunningScimServer;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    registerWorkers(t.deps);
    await t.deps.queue.start();
    source = await startScimServer({ users: 0, auth: { type: 'bearer', token: SCIM_TOKEN } });
    target = await startScimServer({ users: 0, auth: { type: 'bearer', token: SCIM_TOKEN } });
  });
  afterAll(async () => {
    await source?.stop();
    await target?.stop();
    await t?.close();
  });

  const ok = async (o: { method: 'GET' | 'POST' | 'PUT'; url: string; payload?: object }) => {
    const r = await t.admin(o);
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  };
  const runEnd = (id: string) =>
    eventually(
      async () => {
        const run = await ok({ method: 'GET', url: `/api/v1/import-runs/${id}` });
        return run.status === 'completed' || run.status === 'failed' ? run : undefined;
      },
      30_000,
      `run ${id} to end`,
    );
  const titleAt = (userName: string) => target.store.listUsers().find((u) => u.userName === userName)?.title;

  it('previews a diff, updates and provisions it, and the undo sets it back everywhere', async () => {
    const ada = await ok({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'ada', email: 'ada@example.com', jobTitle: 'Analyst', department: 'Research' },
    });
    const group = await ok({ method: 'POST', url: '/api/v1/groups', payload: { name: 'Provisioned' } });
    await ok({ method: 'PUT', url: `/api/v1/groups/${group.id}/members/${ada.id}` });
    const targetApp = await connectApplication(t, target, 'Target');
    await ok({ method: 'PUT', url: `/api/v1/applications/${targetApp}/groups/${group.id}` });
    await ok({ method: 'POST', url: `/api/v1/applications/${targetApp}/idm/activate` });
    await eventually(async () => (titleAt('ada') === 'Analyst' ? true : undefined), 20_000, 'ada provisioned');

    const remote = source.store.addUser({
      userName: 'ada.remote',
      emails: [{ value: 'ADA@example.com', type: 'work', primary: true }],
      name: { givenName: 'Ada', familyName: 'Remote' },
      title: 'Lead Analyst',
      active: true,
    });
    const sourceApp = await connectApplication(t, source, 'HR');
    const preview = await ok({ method: 'GET', url: `/api/v1/applications/${sourceApp}/import/users?limit=10` });
    const row = preview.items.find((i: { remoteId: string }) => i.remoteId === remote.id);
    expect(row).toMatchObject({ status: 'exists', match: { by: 'email', userId: ada.id } });
    expect(row.changes).toEqual(expect.arrayContaining([{ field: 'jobTitle', current: 'Analyst', remote: 'Lead Analyst' }]));

    const started = await ok({
      method: 'POST',
      url: `/api/v1/applications/${sourceApp}/import/jobs`,
      payload: { remoteIds: [remote.id], update: { fields: ['jobTitle'] } },
    });
    expect(started.run).toMatchObject({ status: 'completed', updated: 1, created: 0 });
    expect(started.run.results[0]).toMatchObject({
      outcome: 'updated',
      userId: ada.id,
      changes: [{ field: 'jobTitle', before: 'Analyst', after: 'Lead Analyst' }],
    });
    const updated = await ok({ method: 'GET', url: `/api/v1/users/${ada.id}` });
    // Only the chosen field: the first name the application also has differently stays.
    expect(updated).toMatchObject({ username: 'ada', jobTitle: 'Lead Analyst', department: 'Research', firstname: '' });
    await eventually(async () => (titleAt('ada') === 'Lead Analyst' ? true : undefined), 20_000, 'the update provisioned');

    const preUndo = await ok({ method: 'GET', url: `/api/v1/import-runs/${started.run.id}/undo` });
    expect(preUndo).toMatchObject({ updated: 1 });
    const undo = await ok({ method: 'POST', url: `/api/v1/import-runs/${started.run.id}/undo`, payload: { users: 'suspend' } });
    const undone = await runEnd(undo.run.id);
    expect(undone).toMatchObject({ status: 'completed', kind: 'undo', undoOf: started.run.id, reverted: 1 });
    const results = await ok({ method: 'GET', url: `/api/v1/import-runs/${undo.run.id}/results` });
    expect(results.items[0]).toMatchObject({ outcome: 'reverted', userId: ada.id });
    const back = await ok({ method: 'GET', url: `/api/v1/users/${ada.id}` });
    expect(back).toMatchObject({ jobTitle: 'Analyst', state: 'ACTIVE' });
    // The link the update run made is gone: the next preview matches him by email again, not by link.
    const again = await ok({ method: 'GET', url: `/api/v1/applications/${sourceApp}/import/users?limit=10&refresh=true` });
    expect(again.items[0]).toMatchObject({ status: 'exists', match: { by: 'email' } });
    await eventually(async () => (titleAt('ada') === 'Analyst' ? true : undefined), 20_000, 'the undo provisioned');
    expect((await ok({ method: 'GET', url: `/api/v1/import-runs/${started.run.id}` })).undoneBy).toBe(undo.run.id);
    const second = await t.admin({ method: 'POST', url: `/api/v1/import-runs/${started.run.id}/undo`, payload: {} });
    expect(second.statusCode).toBe(409);
  });
});

describe.each(dialects)('an update run that stopped before telling provisioning, on %s', (dialect) => {
  let t: TestApp;
  let source: RunningScimServer;
  let target: RunningScimServer;
  beforeAll(async () => {
    // No workers: the hints stay in the table for the test to read. Two users per batch.
    t = await createTestApp(dialect, { ROSTER_IMPORT_BATCH_SIZE: '2' });
    source = await startScimServer({ users: 0, auth: { type: 'bearer', token: SCIM_TOKEN } });
    target = await startScimServer({ users: 0, auth: { type: 'bearer', token: SCIM_TOKEN } });
  });
  afterAll(async () => {
    await source?.stop();
    await target?.stop();
    await t?.close();
  });

  it('tells provisioning again, on resume, about every user it had updated', async () => {
    const group = (await t.admin({ method: 'POST', url: '/api/v1/groups', payload: { name: 'Bound' } })).json();
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const u = (
        await t.admin({ method: 'POST', url: '/api/v1/users', payload: { username: `u${i}`, email: `u${i}@example.com` } })
      ).json();
      await t.admin({ method: 'PUT', url: `/api/v1/groups/${group.id}/members/${u.id}` });
      ids.push(u.id);
      source.store.addUser({ userName: `u${i}`, emails: [{ value: `u${i}@example.com`, primary: true }], title: 'New', active: true });
    }
    const targetApp = await connectApplication(t, target, 'Target');
    await t.admin({ method: 'PUT', url: `/api/v1/applications/${targetApp}/groups/${group.id}` });
    expect((await t.admin({ method: 'POST', url: `/api/v1/applications/${targetApp}/idm/activate` })).statusCode).toBe(200);
    const sourceApp = await connectApplication(t, source, 'HR', { pageSize: 2 });
    const { run } = await createImportRun(
      t.deps,
      t.adminActor,
      sourceApp,
      { all: true, update: { fields: ['jobTitle'] } },
      { background: true },
    );
    await runUntilShutdown(t.deps, run.id, 4);
    const hinted = () =>
      t.database.db
        .selectFrom('provisioning_hints')
        .select('item_id')
        .where('application_id', '=', targetApp)
        .where('kind', '=', 'user')
        .execute()
        .then((rows) => rows.map((r) => r.item_id).toSorted());
    const before = await t.database.db.selectFrom('import_runs').select('updated').where('id', '=', run.id).executeTakeFirstOrThrow();
    expect(before.updated).toBeGreaterThanOrEqual(4);
    expect(before.updated).toBeLessThan(8);
    // As if the process had died between the batches' commits and their hints.
    await t.database.db.deleteFrom('provisioning_hints').where('application_id', '=', targetApp).execute();
    expect(await executeRun(t.deps, run.id)).toMatchObject({ status: 'completed', updated: 8 });
    expect(await hinted()).toEqual(ids.toSorted());
  });
});
