// Users runs as a sync (issue 14): matching users are linked, their chosen fields updated with a
// per-field diff, conflicts skipped until resolved, excluded users left out, dry runs store only their
// results, groupId puts the run's users into a group (and so into its applications), and an update run
// resumes after a stop. The guardrail and deactivation: sync-stops.test.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runUntilShutdown } from '../../test/stop-run.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { connectApplication, eventually, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { registerWorkers } from '../workers.ts';
import { createImportRun, executeRun } from './index.ts';

const byText = (a: string, b: string) => a.localeCompare(b);
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

interface Person {
  userName: string;
  email: string;
  title?: string;
  given?: string;
  department?: string;
}
const scimUser = (p: Person) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: p.userName,
  name: { givenName: p.given ?? 'Remote', familyName: 'Sync' },
  emails: [{ value: p.email, type: 'work', primary: true }],
  active: true,
  ...(p.title ? { title: p.title } : {}),
  ...(p.department ? { [ENTERPRISE]: { department: p.department } } : {}),
});

interface Result {
  remoteId: string;
  outcome: string;
  code?: string;
  reason?: string;
  userId?: string;
  changes?: { field: string; before: unknown; after: unknown }[];
  linked?: boolean;
}

describe.each(dialects)('users runs that link and update on %s', (dialect) => {
  let t: TestApp;
  let n = 0;
  const servers: RunningScimServer[] = [];
  beforeAll(async () => {
    // Small batches: a run spans many of them (resume, deactivation).
    t = await createTestApp(dialect, { ROSTER_IMPORT_BATCH_SIZE: '7' });
    registerWorkers(t.deps);
    await t.deps.queue.start();
  });
  // A tag per test, in every name it makes.
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
    expect([200, 201, 202, 204], `${opts.method} ${opts.url}: ${r.body}`).toContain(r.statusCode);
    return r.statusCode === 204 ? undefined : r.json();
  };
  const dirUser = async (username: string, extra: Record<string, unknown> = {}) =>
    (await ok({ method: 'POST', url: '/api/v1/users', payload: { username, email: `${username}@dir.example`, ...extra } })).id as string;
  const getUser = async (id: string) => ok({ method: 'GET', url: `/api/v1/users/${id}` });

  /** A SCIM server with these remote users and an application reading it; remote ids by userName. */
  async function application(people: Person[], settings: Record<string, unknown> = {}) {
    const scim = await startScimServer({ users: 0, auth: { type: 'bearer', token: SCIM_TOKEN } });
    servers.push(scim);
    const ids: Record<string, string> = {};
    for (const p of people) ids[p.userName] = scim.store.insertUser(scimUser(p)).id;
    const appId = await connectApplication(t, scim, `Sync App ${n}`, settings);
    return { scim, ids, appId };
  }
  const startJob = (appId: string, payload: Record<string, unknown>) =>
    t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/import/jobs`, payload });
  async function runNow(appId: string, payload: Record<string, unknown>) {
    const r = await startJob(appId, payload);
    expect(r.statusCode, r.body).toBe(200);
    const { results, ...run } = r.json().run;
    return { run, byRemote: new Map<string, Result>((results as Result[]).map((x) => [x.remoteId, x])), results: results as Result[] };
  }
  const runEvents = async (runId: string, eventType: string) =>
    (
      await t.database.db
        .selectFrom('insight_events')
        .selectAll()
        .where('import_run_id', '=', runId)
        .where('event_type', '=', eventType)
        .execute()
    ).map((e) => ({ ...e, changes: e.changes ? JSON.parse(e.changes) : null }));
  const linkOf = (appId: string, userId: string) =>
    t.database.db
      .selectFrom('app_user_links')
      .selectAll()
      .where('application_id', '=', appId)
      .where('user_id', '=', userId)
      .executeTakeFirst();

  it('links matching users without changing their profile; the results and Insights say linked', async () => {
    const alice = await dirUser(`alice.${n}`, { jobTitle: 'Directory title' });
    const bob = await dirUser(`bob.${n}`);
    const { ids, appId } = await application([
      { userName: `alice.${n}`, email: `alice.other.${n}@remote.example`, title: 'Remote title' },
      { userName: `robert.${n}`, email: `bob.${n}@dir.example` },
      { userName: `carol.${n}`, email: `carol.${n}@remote.example` },
    ]);
    const before = await getUser(alice);
    const { run, byRemote } = await runNow(appId, { all: true });
    expect(run).toMatchObject({ status: 'completed', created: 1, linked: 2, updated: 0, skipped: 0, failed: 0, options: { link: true } });
    expect(byRemote.get(ids[`alice.${n}`])).toMatchObject({ outcome: 'linked', userId: alice });
    expect(byRemote.get(ids[`carol.${n}`])).toMatchObject({ outcome: 'created' });
    expect([...byRemote.values()].find((r) => r.userId === bob)).toMatchObject({ outcome: 'linked' });
    expect(await getUser(alice)).toEqual(before);
    expect(await linkOf(appId, alice)).toMatchObject({ origin: 'import' });
    expect(await linkOf(appId, bob)).toBeTruthy();
    const linked = await runEvents(run.id, 'user_link');
    expect(linked.map((e) => e.resource_id!).toSorted(byText)).toEqual([alice, bob].toSorted(byText));
    expect(linked[0]).toMatchObject({ application_id: appId, service: 'import' });
    // Again: linked already, nothing asked to update.
    const again = await runNow(appId, { all: true });
    expect(again.run).toMatchObject({ created: 0, linked: 0, skipped: 3 });
    expect(again.results.every((r) => r.code === 'unchanged')).toBe(true);
  });

  it('updates only the chosen fields (a list, then all), never username or state, with user_update events naming the run', async () => {
    const dana = await dirUser(`dana.${n}`, { firstname: 'Dana', jobTitle: 'Old title', department: 'Old dept' });
    await ok({ method: 'PATCH', url: `/api/v1/users/${dana}`, payload: { state: 'SUSPENDED' } });
    const { ids, appId } = await application([
      // The username differs in letter case only: still the same user, and the directory's spelling stays.
      { userName: `Dana.${n}`, email: `dana.${n}@dir.example`, given: 'Daniela', title: 'New title', department: 'New dept' },
    ]);
    const remoteId = Object.values(ids)[0];
    const first = await runNow(appId, { all: true, update: { fields: ['jobTitle'] } });
    expect(first.run).toMatchObject({ updated: 1, linked: 0, options: { update: { fields: ['jobTitle'] } } });
    expect(first.byRemote.get(remoteId)).toMatchObject({
      outcome: 'updated',
      userId: dana,
      linked: true,
      changes: [{ field: 'jobTitle', before: 'Old title', after: 'New title' }],
    });
    let user = await getUser(dana);
    expect(user).toMatchObject({
      username: `dana.${n}`,
      state: 'SUSPENDED',
      jobTitle: 'New title',
      firstname: 'Dana',
      department: 'Old dept',
    });
    expect(await linkOf(appId, dana)).toBeTruthy();
    const [event] = await runEvents(first.run.id, 'user_update');
    expect(event).toMatchObject({ resource_id: dana, application_id: appId, service: 'import' });
    expect(event.changes).toEqual({ jobTitle: { from: 'Old title', to: 'New title' } });
    const viaApi = (await ok({ method: 'GET', url: `/api/v1/insights/events?resourceId=${dana}&eventType=user_update` })).items;
    expect(viaApi[0]).toMatchObject({ importRunId: first.run.id, application: { id: appId } });

    const second = await runNow(appId, { all: true, update: { fields: 'all' } });
    const r = second.byRemote.get(remoteId)!;
    expect(r).toMatchObject({ outcome: 'updated' });
    expect(r.linked).toBeUndefined();
    expect(r.changes!.map((c) => c.field).toSorted(byText)).toEqual(['department', 'firstname', 'lastname']);
    user = await getUser(dana);
    expect(user).toMatchObject({ username: `dana.${n}`, state: 'SUSPENDED', firstname: 'Daniela', department: 'New dept' });
    const search = await ok({ method: 'GET', url: `/api/v1/users?q=daniela` });
    expect(search.items.map((u: { id: string }) => u.id)).toContain(dana);
  });

  it('refuses an email change that another user has in any letter case, and goes on with the rest', async () => {
    const erin = await dirUser(`erin.${n}`);
    // Another user has the new email as his username, in other letters.
    await dirUser(`Wanted.${n}@Example.com`, { email: `holder.${n}@dir.example` });
    const frank = await dirUser(`frank.${n}`, { jobTitle: 'x' });
    const { appId } = await application([
      { userName: `erin.${n}`, email: `wanted.${n}@example.com` },
      { userName: `frank.${n}`, email: `frank.${n}@dir.example`, title: 'y' },
    ]);
    const { run, results } = await runNow(appId, { all: true, update: { fields: 'all' } });
    expect(run).toMatchObject({ updated: 1, failed: 1 });
    expect(results.find((x) => x.userId === erin)).toMatchObject({ outcome: 'failed', code: 'email_taken' });
    expect((await getUser(erin)).email).toBe(`erin.${n}@dir.example`);
    expect((await getUser(frank)).jobTitle).toBe('y');
  });

  it('leaves excluded remote users out, with no result', async () => {
    const { ids, appId } = await application([
      { userName: `ex.a.${n}`, email: `ex.a.${n}@remote.example` },
      { userName: `ex.b.${n}`, email: `ex.b.${n}@remote.example` },
    ]);
    const [a, b] = Object.values(ids);
    const { run, byRemote } = await runNow(appId, { all: true, exclude: [b] });
    expect(run).toMatchObject({ processed: 1, created: 1, options: { exclude: [b] } });
    expect(byRemote.has(a)).toBe(true);
    expect(byRemote.has(b)).toBe(false);
    const made = await t.database.db.selectFrom('users').select('username').where('source_import_run_id', '=', run.id).execute();
    expect(made.map((u) => u.username)).toEqual([`ex.a.${n}`]);
  });

  it('skips a conflict until resolve picks one of its candidates; a resolve naming anyone else fails', async () => {
    const byName = await dirUser(`gil.${n}`);
    const byEmail = await dirUser(`gilbert.${n}`, { email: `gil.${n}@remote.example` });
    const other = await dirUser(`hal.${n}`);
    const byName2 = await dirUser(`ivy.${n}`);
    await dirUser(`ivy2.${n}`, { email: `ivy.${n}@remote.example` });
    const { ids, appId } = await application([
      { userName: `gil.${n}`, email: `gil.${n}@remote.example` },
      { userName: `ivy.${n}`, email: `ivy.${n}@remote.example` },
    ]);
    const [gil, ivy] = Object.values(ids);
    const first = await runNow(appId, { all: true });
    expect(first.run).toMatchObject({ skipped: 2, linked: 0, created: 0 });
    expect(first.byRemote.get(gil)).toMatchObject({
      outcome: 'skipped',
      code: 'conflict',
      reason: expect.stringContaining('2 directory users'),
    });
    const second = await runNow(appId, {
      all: true,
      resolve: [
        { remoteId: gil, userId: byEmail },
        { remoteId: ivy, userId: other },
      ],
    });
    expect(second.byRemote.get(gil)).toMatchObject({ outcome: 'linked', userId: byEmail });
    expect(second.byRemote.get(ivy)).toMatchObject({ outcome: 'failed', code: 'resolve_not_candidate' });
    expect(await linkOf(appId, byEmail)).toMatchObject({ remote_id: gil });
    expect(await linkOf(appId, byName)).toBeUndefined();
    expect(await linkOf(appId, byName2)).toBeUndefined();
  });

  it('refuses to update a user changed since the preview (changed_since_preview) and applies the rest', async () => {
    const kim = await dirUser(`kim.${n}`, { jobTitle: 'k0' });
    const lee = await dirUser(`lee.${n}`, { jobTitle: 'l0' });
    const { ids, appId } = await application([
      { userName: `kim.${n}`, email: `kim.${n}@dir.example`, title: 'k1' },
      { userName: `lee.${n}`, email: `lee.${n}@dir.example`, title: 'l1' },
    ]);
    const [rk, rl] = Object.values(ids);
    const preview = await ok({ method: 'GET', url: `/api/v1/applications/${appId}/import/users?limit=10` });
    expect(preview.items).toHaveLength(2);
    // The preview records each matched user's version (the preview's helper fills it; filled here when absent).
    const { db } = t.database;
    const snapshotId = preview.snapshot.id as string;
    for (const [remote, userId] of [
      [rk, kim],
      [rl, lee],
    ]) {
      const u = await getUser(userId);
      await db
        .updateTable('import_snapshot_users')
        .set({ existing_user_id: userId, existing_version: u.updatedAt })
        .where('snapshot_id', '=', snapshotId)
        .where('remote_id', '=', remote)
        .where('existing_version', 'is', null)
        .execute();
    }
    await new Promise((r) => setTimeout(r, 5)); // a later updated_at
    await ok({ method: 'PATCH', url: `/api/v1/users/${kim}`, payload: { department: 'changed meanwhile' } });
    const { run, byRemote } = await runNow(appId, { remoteIds: [rk, rl], update: { fields: 'all' } });
    expect(run).toMatchObject({ status: 'completed', updated: 1, failed: 1 });
    expect(byRemote.get(rk)).toMatchObject({
      outcome: 'failed',
      code: 'changed_since_preview',
      reason: expect.stringMatching(/preview again/),
    });
    expect(byRemote.get(rl)).toMatchObject({ outcome: 'updated' });
    expect((await getUser(kim)).jobTitle).toBe('k0');
    expect((await getUser(lee)).jobTitle).toBe('l1');
  });

  it('a dry run stores its results and writes nothing else: no users, links, profile changes, events or email', async () => {
    const mo = await dirUser(`mo.${n}`, { jobTitle: 'm0', firstname: 'Remote', lastname: 'Sync' });
    const { ids, appId } = await application([
      { userName: `mo.${n}`, email: `mo.${n}@dir.example`, title: 'm1' },
      { userName: `newbie.${n}`, email: `newbie.${n}@remote.example` },
    ]);
    const [rm, rn] = Object.values(ids);
    const before = await getUser(mo);
    const { run, byRemote } = await runNow(appId, { all: true, update: { fields: 'all' }, dryRun: true });
    expect(run).toMatchObject({ status: 'completed', dryRun: true, created: 1, updated: 1 });
    expect(byRemote.get(rn)).toMatchObject({ outcome: 'created' });
    expect(byRemote.get(rn)!.userId).toBeUndefined();
    expect(byRemote.get(rm)).toMatchObject({
      outcome: 'updated',
      linked: true,
      changes: [{ field: 'jobTitle', before: 'm0', after: 'm1' }],
    });
    const listed = await ok({ method: 'GET', url: `/api/v1/import-runs/${run.id}/results?limit=10` });
    expect(listed.items).toHaveLength(2);
    expect(await getUser(mo)).toEqual(before);
    const { db } = t.database;
    expect(await db.selectFrom('users').select('id').where('username_lower', '=', `newbie.${n}`).execute()).toHaveLength(0);
    expect(await db.selectFrom('app_user_links').select('user_id').where('application_id', '=', appId).execute()).toHaveLength(0);
    expect(await db.selectFrom('insight_events').select('id').where('import_run_id', '=', run.id).execute()).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 300));
    const outbox = (await ok({ method: 'GET', url: '/api/v1/mail/outbox' })).items;
    expect(outbox.filter((m: { relatedId?: string }) => m.relatedId === run.id)).toHaveLength(0);
  });

  it('puts the created and linked users into groupId, and the group bound to an application provisions them', async () => {
    const known = await dirUser(`nia.${n}`);
    const group = (await ok({ method: 'POST', url: '/api/v1/groups', payload: { name: `Imported ${n}` } })).id;
    const target = await startScimServer({ users: 0, auth: { type: 'bearer', token: SCIM_TOKEN } });
    servers.push(target);
    const targetApp = await connectApplication(t, target, `Target ${n}`);
    await ok({ method: 'PUT', url: `/api/v1/applications/${targetApp}/groups/${group}` });
    await ok({ method: 'POST', url: `/api/v1/applications/${targetApp}/idm/activate` });
    const { appId } = await application([
      { userName: `nia.${n}`, email: `nia.${n}@dir.example` },
      { userName: `oz.${n}`, email: `oz.${n}@remote.example` },
    ]);
    const missing = await startJob(appId, { all: true, groupId: '00000000-0000-7000-8000-000000000000' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details).toEqual([{ path: 'body.groupId', message: 'no such group' }]);
    const { run, results } = await runNow(appId, { all: true, groupId: group });
    expect(run).toMatchObject({ created: 1, linked: 1, options: { groupId: group } });
    const members = (await ok({ method: 'GET', url: `/api/v1/groups/${group}/members?limit=10` })).items.map((m: { id: string }) => m.id);
    expect(members.toSorted(byText)).toEqual(results.map((r) => r.userId!).toSorted(byText));
    expect(members).toContain(known);
    const added = await t.database.db
      .selectFrom('insight_events')
      .select('resource_id')
      .where('event_type', '=', 'group_member_add')
      .execute();
    expect(added.map((e) => e.resource_id)).toEqual(expect.arrayContaining(members));
    await eventually(async () => (target.store.userCount() === 2 ? true : undefined), 20_000, 'the group to be provisioned');
    const provisioned = target.store.listUsers().map((u) => u.userName!);
    expect(provisioned.toSorted(byText)).toEqual([`nia.${n}`, `oz.${n}`].toSorted(byText));
  });

  it('a stopped update run resumes and updates every user exactly once', async () => {
    const people = Array.from({ length: 30 }, (_, i) => ({
      userName: `res.${n}.${i}`,
      email: `res.${n}.${i}@remote.example`,
      title: 't0',
    }));
    const { scim, appId } = await application(people, { pageSize: 5 });
    const created = await createImportRun(t.deps, t.adminActor, appId, { all: true });
    expect(created.run).toMatchObject({ status: 'completed', created: 30 });
    for (const u of scim.store.listUsers()) scim.store.updateUser(u.id!, { title: 't1' });
    const { run } = await createImportRun(t.deps, t.adminActor, appId, { all: true, update: { fields: 'all' } });
    expect(run).toMatchObject({ status: 'completed', updated: 30 }); // under 100 users: within the request
    // A second update run, stopped mid-way like a shutdown stops it, then resumed.
    for (const u of scim.store.listUsers()) scim.store.updateUser(u.id!, { title: 't2' });
    const row = await t.database.db.selectFrom('import_runs').selectAll().where('id', '=', run.id).executeTakeFirstOrThrow();
    const second = {
      ...row,
      id: crypto.randomUUID(),
      status: 'queued' as const,
      processed: 0,
      updated: 0,
      skipped: 0,
      created: 0,
      linked: 0,
      failed: 0,
    };
    await t.database.db.insertInto('import_runs').values(second).execute();
    await runUntilShutdown(t.deps, second.id, 14);
    const half = await t.database.db.selectFrom('import_runs').selectAll().where('id', '=', second.id).executeTakeFirstOrThrow();
    expect(half.updated).toBeGreaterThanOrEqual(14);
    expect(half.updated).toBeLessThan(30);
    const done = await executeRun(t.deps, second.id);
    expect(done).toMatchObject({ status: 'completed', processed: 30, updated: 30, failed: 0 });
    const events = await runEvents(second.id, 'user_update');
    expect(events).toHaveLength(30);
    expect(new Set(events.map((e) => e.resource_id)).size).toBe(30);
    const titles = await t.database.db.selectFrom('users').select('job_title').where('source_import_run_id', '=', created.run.id).execute();
    expect(titles.every((u) => u.job_title === 't2')).toBe(true);
  });
});
