// A run's results: created users come from the run's chunks (import_run_created), linked, skipped and failed
// users from their own rows; the API, its paging and outcome filter, and the CSV list them all in the
// order the run answered them. A run stopped mid-way and resumed answers every remote user once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUntilShutdown } from '../../test/stop-run.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { connectApplication, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { createImportRun, executeRun } from './index.ts';

const person = (userName: string, email: string | null) => ({
  userName,
  name: { givenName: userName.split('.')[0], familyName: 'Result' },
  ...(email ? { emails: [{ value: email, type: 'work', primary: true }] } : {}),
  active: true,
});

interface Item {
  remoteId: string;
  userName: string;
  email: string;
  outcome: 'created' | 'linked' | 'skipped' | 'failed';
  reason?: string;
  userId?: string;
}

describe.each(dialects)('import results on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    // Small batches, so that a run's created users span many chunks and batches.
    t = await createTestApp(dialect, { ROSTER_IMPORT_BATCH_SIZE: '7' });
    // The job queue is not started: the tests run and resume the runs themselves.
    await t.admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'already.here', email: 'already@directory.example' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A SCIM server with seeded users and, spread among them, users that fail or match a directory user (linked). */
  async function scimWithMix(seed: number): Promise<{ scim: RunningScimServer; order: string[]; dupFirst: string; dupSecond: string }> {
    const scim = await startScimServer({ users: 110, seed, auth: { type: 'bearer', token: SCIM_TOKEN } });
    const add = (u: ReturnType<typeof person>) =>
      scim.store.insertUser({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], ...u }).id;
    add(person(`no.email.${seed}`, null));
    const dupFirst = add(person(`dup.first.${seed}`, `dup.${seed}@remote.example`));
    add(person('already.here', `already.${seed}@remote.example`));
    for (let i = 0; i < 15; i++) add(person(`late.${seed}.${i}`, `late.${seed}.${i}@remote.example`));
    // Far behind its twin: written in a later batch (after the stop, in the resumed run).
    const dupSecond = add(person(`dup.second.${seed}`, `DUP.${seed}@remote.example`));
    const order = scim.store.liveUserSlots().map((s) => scim.store.userAt(s)!.id);
    return { scim, order, dupFirst, dupSecond };
  }

  const results = async (runId: string, query: string, limit: number): Promise<Item[]> => {
    const out: Item[] = [];
    let cursor: string | null = null;
    do {
      const r = await t.admin({
        method: 'GET',
        url: `/api/v1/import-runs/${runId}/results?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`,
      });
      expect(r.statusCode, r.body).toBe(200);
      out.push(...r.json().items);
      cursor = r.json().nextCursor;
    } while (cursor);
    return out;
  };

  it('lists created, linked and failed users in the order the run answered them, paged and filtered by outcome', async () => {
    const { scim, order, dupFirst, dupSecond } = await scimWithMix(21);
    try {
      const appId = await connectApplication(t, scim, 'Results App', { pageSize: 9 });
      const { run } = await createImportRun(t.deps, t.adminActor, appId, { all: true });
      const done = await executeRun(t.deps, run.id);
      expect(done).toMatchObject({
        status: 'completed',
        processed: order.length,
        created: order.length - 3,
        linked: 1,
        skipped: 0,
        failed: 2,
      });

      const all = await results(run.id, '', 500);
      expect(all.map((r) => r.remoteId)).toEqual(order);
      expect(all.filter((r) => r.outcome === 'created')).toHaveLength(done.created);
      expect(all.find((r) => r.remoteId === dupSecond)).toMatchObject({ outcome: 'failed', reason: expect.stringContaining(dupFirst) });
      expect(all.find((r) => r.userName === 'already.here')).toMatchObject({ outcome: 'linked', userId: expect.any(String) });
      const made = await t.database.db.selectFrom('users').select(['id', 'email']).where('source_import_run_id', '=', run.id).execute();
      const byId = new Map(made.map((u) => [u.id, u.email]));
      for (const r of all.filter((x) => x.outcome === 'created')) {
        expect(byId.get(r.userId!)).toBe(r.email);
        expect(r.reason).toBeUndefined();
      }
      expect(new Set(all.filter((x) => x.outcome === 'created').map((r) => r.userId)).size).toBe(made.length);

      // Pages of 6 (fewer than a batch, not a divisor of anything) give the same list.
      expect(await results(run.id, '', 6)).toEqual(all);
      for (const outcome of ['created', 'linked', 'failed'] as const) {
        expect(await results(run.id, `&outcome=${outcome}`, 4)).toEqual(all.filter((r) => r.outcome === outcome));
      }
      const csv = await t.admin({ method: 'GET', url: `/api/v1/import-runs/${run.id}/results?format=csv` });
      const lines = csv.body.trim().split('\r\n');
      expect(lines).toHaveLength(order.length + 1);
      expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(order);

      // A created user deleted since is still listed as the run created him: results say what the run did.
      const gone = all.find((r) => r.outcome === 'created')!;
      expect((await t.admin({ method: 'DELETE', url: `/api/v1/users/${gone.userId}` })).statusCode).toBe(204);
      expect((await results(run.id, '', 500)).find((r) => r.remoteId === gone.remoteId)).toEqual(gone);
    } finally {
      await scim.stop();
    }
  });

  it('resumes a run stopped mid-way and answers every remote user exactly once', async () => {
    const { scim, order, dupFirst, dupSecond } = await scimWithMix(22);
    try {
      const appId = await connectApplication(t, scim, 'Resumed App', { pageSize: 9 });
      const { run } = await createImportRun(t.deps, t.adminActor, appId, { all: true });
      // Stopped like a shutdown stops it, once most batches have committed (the rest of a batch never
      // half-commits: a kill -9 rolls its transaction back).
      await runUntilShutdown(t.deps, run.id, 115); // the SCIM read it cancelled, thrown for the job to resume the run
      const half = (await t.admin({ method: 'GET', url: `/api/v1/import-runs/${run.id}` })).json();
      expect(half.status).toBe('running');
      // Past the users that fail, are linked and the first twin (from index 110), short of the second twin (the last).
      expect(half.processed).toBeGreaterThanOrEqual(115);
      expect(half.processed).toBeLessThan(order.length - 1);

      const done = await executeRun(t.deps, run.id);
      expect(done).toMatchObject({
        status: 'completed',
        processed: order.length,
        created: order.length - 3,
        linked: 1,
        skipped: 0,
        failed: 2,
      });
      const all = await results(run.id, '', 7);
      expect(all.map((r) => r.remoteId)).toEqual(order);
      // The twin written after the resume is still told apart from the user the first attempt created.
      expect(all.find((r) => r.remoteId === dupSecond)).toMatchObject({ outcome: 'failed', reason: expect.stringContaining(dupFirst) });
      const { db } = t.database;
      const users = await db.selectFrom('users').select('id').where('source_import_run_id', '=', run.id).execute();
      expect(users).toHaveLength(done.created);
      const links = await db.selectFrom('app_user_links').select('remote_id').where('application_id', '=', appId).execute();
      expect(links).toHaveLength(done.created + done.linked);
      const events = await db
        .selectFrom('insight_events')
        .select('resource_id')
        .where('import_run_id', '=', run.id)
        .where('event_type', '=', 'user_create')
        .execute();
      expect(new Set(events.map((e) => e.resource_id)).size).toBe(done.created);
      expect(events).toHaveLength(done.created);

      // Running it once more answers nothing again.
      await db.updateTable('import_runs').set({ status: 'running' }).where('id', '=', run.id).execute();
      expect(await executeRun(t.deps, run.id)).toMatchObject({ processed: order.length, created: done.created });
      expect(await results(run.id, '', 500)).toEqual(all);
    } finally {
      await scim.stop();
    }
  });

  it('keeps the imported user_create event lean: the attributes he was created with, not his username twice', async () => {
    const scim = await startScimServer({ users: 0, auth: { type: 'bearer', token: SCIM_TOKEN } });
    try {
      scim.store.insertUser({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], ...person('lean.user', 'lean@remote.example') });
      const appId = await connectApplication(t, scim, 'Lean App');
      const { run } = await createImportRun(t.deps, t.adminActor, appId, { all: true });
      expect(run).toMatchObject({ status: 'completed', created: 1 });
      const events = (await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=user_create&applicationId=${appId}` })).json();
      expect(events.items).toHaveLength(1);
      expect(events.items[0]).toMatchObject({ resource: { type: 'user', username: 'lean.user' }, importRunId: run.id });
      expect(events.items[0].changes).toEqual({
        email: 'lean@remote.example',
        firstname: 'lean',
        lastname: 'Result',
        state: 'ACTIVE',
        passwordStatus: 'PENDING',
      });
    } finally {
      await scim.stop();
    }
  });
});
