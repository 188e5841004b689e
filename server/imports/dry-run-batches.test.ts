// A dry run stores exactly the results its real run would, also across batches (dry-run-state.ts): a
// real run's later batch finds what its earlier ones wrote (the users it created, the links it made,
// the emails it changed), a dry run's finds the same in its state, rebuilt from its results when it
// resumes. Batches of 2 users, pages of 2: every pair below is a batch of its own.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runUntilShutdown } from '../../test/stop-run.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { connectApplication, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { registerWorkers } from '../workers.ts';
import { createImportRun, executeRun } from './index.ts';

interface Result {
  remoteId: string;
  userName: string;
  outcome: string;
  code?: string;
  reason?: string;
  userId?: string;
  changes?: unknown[];
  linked?: boolean;
}

/** What a result says, but the id of a created user (a dry run creates none). */
const said = (r: Result) => ({
  outcome: r.outcome,
  code: r.code,
  reason: r.reason,
  ...(r.outcome === 'created' ? {} : { userId: r.userId, changes: r.changes, linked: r.linked }),
});
const counts = (run: Record<string, number>) => ({
  processed: run.processed,
  created: run.created,
  linked: run.linked,
  updated: run.updated,
  skipped: run.skipped,
  failed: run.failed,
});

describe.each(dialects)('dry runs across batches on %s', (dialect) => {
  let t: TestApp;
  let n = 0;
  const servers: RunningScimServer[] = [];
  beforeAll(async () => {
    t = await createTestApp(dialect, { ROSTER_IMPORT_BATCH_SIZE: '2' });
    registerWorkers(t.deps);
    await t.deps.queue.start();
  });
  beforeEach(() => {
    n++;
  });
  afterAll(async () => {
    await t?.deps.queue.stop({ graceMs: 2000 });
    for (const s of servers) await s.stop();
    await t?.close();
  });

  const ok = async (opts: Parameters<TestApp['admin']>[0]) => {
    const r = await t.admin(opts);
    expect([200, 201], `${opts.method} ${opts.url}: ${r.body}`).toContain(r.statusCode);
    return r.json();
  };
  const dirUser = async (username: string) =>
    (await ok({ method: 'POST', url: '/api/v1/users', payload: { username, email: `${username}@dir.example` } })).id as string;

  /**
   * Directory users x, y, z, w; remote users in batches of two: (1) alice, new; x, who takes a title.
   * (2) y, who takes a new email; bob, new. (3) alice2, alice's email in other letters; x.other, x's
   * email. (4) z with y's new email; w with y's old email.
   */
  async function scenario(matchBy?: string[]) {
    const dir = { x: await dirUser(`x.${n}`), y: await dirUser(`y.${n}`), z: await dirUser(`z.${n}`), w: await dirUser(`w.${n}`) };
    const scim = await startScimServer({ users: 0, auth: { type: 'bearer', token: SCIM_TOKEN } });
    servers.push(scim);
    const people: [string, string, string?][] = [
      [`alice.${n}`, `alice.${n}@remote.example`],
      [`x.${n}`, `x.${n}@dir.example`, 'Remote title'],
      [`y.${n}`, `newy.${n}@remote.example`],
      [`bob.${n}`, `bob.${n}@remote.example`],
      [`alice2.${n}`, `Alice.${n}@Remote.Example`],
      [`x.other.${n}`, `x.${n}@dir.example`],
      [`z.${n}`, `newy.${n}@remote.example`],
      [`w.${n}`, `y.${n}@dir.example`],
    ];
    const ids: Record<string, string> = {};
    for (const [userName, email, title] of people) {
      ids[userName.replace(`.${n}`, '')] = scim.store.insertUser({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName,
        name: { givenName: 'Remote', familyName: 'Sync' },
        emails: [{ value: email, type: 'work', primary: true }],
        active: true,
        ...(title ? { title } : {}),
      }).id;
    }
    const appId = await connectApplication(t, scim, `Dry App ${n}`, { pageSize: 2 });
    if (matchBy) await ok({ method: 'PUT', url: `/api/v1/applications/${appId}/import/settings`, payload: { matchBy } });
    return { dir, ids, appId };
  }

  const JOB = { all: true as const, update: { fields: 'all' as const } };
  async function runNow(appId: string, payload: Record<string, unknown>) {
    const r = await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/import/jobs`, payload });
    expect(r.statusCode, r.body).toBe(200);
    const { results, ...run } = r.json().run;
    return { run, results: results as Result[] };
  }
  const byRemote = (results: Result[]) => new Map(results.map((r) => [r.remoteId, r]));

  /** The real run over the same application gives what the dry run said, user by user. */
  async function expectSame(appId: string, dry: { run: Record<string, number>; results: Result[] }) {
    const real = await runNow(appId, JOB);
    expect(real.run).toMatchObject({ status: 'completed', dryRun: false });
    expect(counts(dry.run)).toEqual(counts(real.run));
    const dryBy = byRemote(dry.results);
    for (const r of real.results) expect(said(dryBy.get(r.remoteId)!), r.userName).toEqual(said(r));
    expect(dry.results).toHaveLength(real.results.length);
    return byRemote(real.results);
  }

  it('under the default rules: a cross-batch duplicate, a user matched twice, emails changed and freed by earlier batches', async () => {
    const { dir, ids, appId } = await scenario();
    const dry = await runNow(appId, { ...JOB, dryRun: true });
    expect(dry.run).toMatchObject({ status: 'completed', dryRun: true });
    const real = await expectSame(appId, dry);
    expect(real.get(ids.alice)).toMatchObject({ outcome: 'created' });
    expect(real.get(ids.alice2)).toMatchObject({ outcome: 'failed', code: 'duplicate', reason: expect.stringContaining(ids.alice) });
    expect(real.get(ids.x)).toMatchObject({ outcome: 'updated', userId: dir.x, linked: true });
    expect(real.get(ids['x.other'])).toMatchObject({ outcome: 'skipped', code: 'linked_elsewhere', userId: dir.x });
    expect(real.get(ids['x.other'])!.reason!.split('linked to another remote user')).toHaveLength(2); // said once
    // y's new email is his by then: z matches two users.
    expect(real.get(ids.z)).toMatchObject({ outcome: 'skipped', code: 'conflict' });
    // y's old email is nobody's by then: w takes it.
    expect(real.get(ids.w)).toMatchObject({ outcome: 'updated', userId: dir.w });
    expect(real.get(ids.w)!.changes).toContainEqual({ field: 'email', before: `w.${n}@dir.example`, after: `y.${n}@dir.example` });
  });

  it('with username as the only rule: an email an earlier batch gave away is taken', async () => {
    const { dir, ids, appId } = await scenario(['link', 'username']);
    const dry = await runNow(appId, { ...JOB, dryRun: true });
    const real = await expectSame(appId, dry);
    expect(real.get(ids.z)).toMatchObject({ outcome: 'failed', code: 'email_taken', userId: dir.z });
    expect(real.get(ids.w)).toMatchObject({ outcome: 'updated', userId: dir.w });
    // alice2 has alice's email, and email is no rule: the user alice became holds it.
    expect(real.get(ids.alice2)).toMatchObject({ outcome: 'failed', code: 'duplicate' });
  });

  it('a dry run stopped after two batches and resumed still says what the real run does', async () => {
    const { appId } = await scenario();
    const { db } = t.database;
    // A dry run row as the job runs it, stopped like a shutdown stops it, then resumed.
    const first = await createImportRun(t.deps, t.adminActor, appId, { ...JOB, dryRun: true });
    const row = await db.selectFrom('import_runs').selectAll().where('id', '=', first.run.id).executeTakeFirstOrThrow();
    const zero = { processed: 0, created: 0, linked: 0, updated: 0, skipped: 0, failed: 0 };
    const again = { ...row, ...zero, id: crypto.randomUUID(), status: 'queued' as const };
    await db.insertInto('import_runs').values(again).execute();
    await runUntilShutdown(t.deps, again.id, 4);
    const half = await db.selectFrom('import_runs').selectAll().where('id', '=', again.id).executeTakeFirstOrThrow();
    expect(half.processed).toBe(4);
    const done = await executeRun(t.deps, again.id);
    expect(done).toMatchObject({ status: 'completed', processed: 8, dryRun: true });
    const listed = await ok({ method: 'GET', url: `/api/v1/import-runs/${again.id}/results?limit=20` });
    const real = await expectSame(appId, { run: done as unknown as Record<string, number>, results: listed.items as Result[] });
    expect([...real.values()].map((r) => r.code).filter(Boolean)).toEqual(
      expect.arrayContaining(['duplicate', 'linked_elsewhere', 'conflict']),
    );
  });
});
