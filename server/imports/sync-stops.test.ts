// What stops a users run (issue 14). The guardrail of scheduled runs: a run that would create and
// update more than its share of the directory pauses before the batch that crosses the limit, writing
// nothing of it (on SQLite that batch is in the writer thread, and the pause crosses back as itself).
// Deactivation stops an update run; what it updated stays updated, each with its event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { connectApplication, eventually, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { registerWorkers } from '../workers.ts';
import { createImportRun, executeRun } from './index.ts';

describe.each(dialects)('what stops a users run on %s', (dialect) => {
  let t: TestApp;
  let scim: RunningScimServer;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    registerWorkers(t.deps);
    await t.deps.queue.start();
    // 600 new users in one batch: on SQLite the writer thread writes it, and the pause must cross back.
    scim = await startScimServer({ users: 600, seed: 41, auth: { type: 'bearer', token: SCIM_TOKEN } });
  });
  afterAll(async () => {
    await t?.deps.queue.stop({ graceMs: 2000 });
    await scim?.stop();
    await t?.close();
  });

  it('pauses a run that would change more than its share of the directory, writing nothing of that batch', async () => {
    for (let i = 0; i < 20; i++) {
      await t.admin({ method: 'POST', url: '/api/v1/users', payload: { username: `g.${i}`, email: `g.${i}@dir.example` } });
    }
    const appId = await connectApplication(t, scim, 'Guarded App', { pageSize: 1000 });
    const { run } = await createImportRun(
      t.deps,
      t.adminActor,
      appId,
      { all: true },
      { inline: true, trigger: 'schedule', guardrailPercent: 10 },
    );
    expect(run).toMatchObject({ status: 'paused', trigger: 'schedule', created: 0, processed: 0, options: { guardrailPercent: 10 } });
    expect(run.pausedReason).toMatch(/^would change 600 of 2\d directory users \(\d+(\.\d)?%\), over the guardrail of 10%$/);
    const { db } = t.database;
    expect(await db.selectFrom('users').select('id').where('source_import_run_id', '=', run.id).execute()).toHaveLength(0);
    expect(await db.selectFrom('app_user_links').select('user_id').where('application_id', '=', appId).execute()).toHaveLength(0);
    expect(await db.selectFrom('import_run_results').select('remote_id').where('run_id', '=', run.id).execute()).toHaveLength(0);
    // Confirmed by an admin, it goes through.
    await db
      .updateTable('import_runs')
      .set({ status: 'queued', options: JSON.stringify({ ...run.options, guardrailConfirmed: true }) })
      .where('id', '=', run.id)
      .execute();
    expect(await executeRun(t.deps, run.id)).toMatchObject({ status: 'completed', created: 600 });
  });

  it('an update run stops when the integration is deactivated; the users it updated stay updated', async () => {
    const remote = await startScimServer({ users: 150, seed: 42, auth: { type: 'bearer', token: SCIM_TOKEN } });
    try {
      const appId = await connectApplication(t, remote, 'Deactivated Sync App', { pageSize: 10, concurrency: 1 });
      const first = await createImportRun(t.deps, t.adminActor, appId, { all: true }, { inline: true });
      expect(first.run).toMatchObject({ status: 'completed', created: 150 });
      for (const u of remote.store.listUsers()) remote.store.updateUser(u.id!, { title: 'Changed title' });
      const admin = async (method: 'GET' | 'POST', url: string, payload?: object) => {
        const r = await t.admin({ method, url, payload });
        expect(r.statusCode, r.body).toBeLessThan(300);
        return r.json();
      };
      await admin('POST', `/api/v1/applications/${appId}/idm/activate`);
      // Slow pages: the run writes what each second gathered, so it is mid-way for a while.
      remote.setQuirks({ latencyMs: 150 });
      const runId = (await admin('POST', `/api/v1/applications/${appId}/import/jobs`, { all: true, update: { fields: ['jobTitle'] } })).run
        .id;
      const runOf = () => admin('GET', `/api/v1/import-runs/${runId}`);
      await eventually(async () => ((await runOf()).updated > 10 ? true : undefined), 20_000, 'progress');
      await admin('POST', `/api/v1/applications/${appId}/idm/deactivate`);
      const run = await eventually(async () => {
        const x = await runOf();
        return x.status === 'failed' ? x : undefined;
      });
      remote.setQuirks({ latencyMs: 0 });
      expect(run.error).toBe('integration deactivated');
      expect(run.updated).toBeLessThan(150);
      const { db } = t.database;
      const mine = db.selectFrom('users').select('id').where('source_import_run_id', '=', first.run.id);
      expect(await mine.where('job_title', '=', 'Changed title').execute()).toHaveLength(run.updated);
      const events = await db
        .selectFrom('insight_events')
        .select('id')
        .where('import_run_id', '=', runId)
        .where('event_type', '=', 'user_update')
        .execute();
      expect(events).toHaveLength(run.updated);
    } finally {
      await remote.stop();
    }
  });
});
