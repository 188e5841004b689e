// Undo of a users run with groupId (issue 14): the run records the memberships it added to the group;
// its undo removes those (a user who was a member before the run stays), through the directory with
// its events and provisioning told, so the group's bound application deprovisions them; a created user
// whom only the run's membership provisioned is deleted, not skipped as provisioned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { connectApplication, eventually, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { registerWorkers } from '../workers.ts';

interface Result {
  remoteId: string;
  outcome: string;
  code?: string;
  userId?: string;
  leftGroup?: boolean;
}

const byText = (a: string, b: string) => a.localeCompare(b);
const scimUser = (userName: string, email: string) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  name: { givenName: 'Remote', familyName: 'Group' },
  emails: [{ value: email, type: 'work', primary: true }],
  active: true,
});

describe.each(dialects)('undo of a run with groupId on %s', (dialect) => {
  let t: TestApp;
  const servers: RunningScimServer[] = [];
  beforeAll(async () => {
    t = await createTestApp(dialect, { ROSTER_IMPORT_BATCH_SIZE: '7' });
    registerWorkers(t.deps);
    await t.deps.queue.start();
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
  const dirUser = async (username: string) =>
    (await ok({ method: 'POST', url: '/api/v1/users', payload: { username, email: `${username}@dir.example` } })).id as string;
  const membersOf = async (group: string) =>
    (await ok({ method: 'GET', url: `/api/v1/groups/${group}/members?limit=50` })).items.map((m: { id: string }) => m.id) as string[];
  const results = async (runId: string): Promise<Result[]> =>
    (await ok({ method: 'GET', url: `/api/v1/import-runs/${runId}/results?limit=50` })).items;
  const finished = (id: string) =>
    eventually(
      async () => {
        const r = await ok({ method: 'GET', url: `/api/v1/import-runs/${id}` });
        return r.status === 'completed' || r.status === 'failed' ? r : undefined;
      },
      20_000,
      `run ${id} to end`,
    );
  const undo = async (runId: string, payload: object = {}) =>
    finished((await ok({ method: 'POST', url: `/api/v1/import-runs/${runId}/undo`, payload })).run.id);
  const remoteActive = (target: RunningScimServer) =>
    target.store
      .listUsers()
      .filter((u) => u.active !== false)
      .map((u) => u.userName!)
      .toSorted(byText);

  /** A group bound to an active second application, and a source application of these remote users. */
  async function setup() {
    const group = (await ok({ method: 'POST', url: '/api/v1/groups', payload: { name: 'Undo Joined' } })).id as string;
    const target = await startScimServer({ users: 0, auth: { type: 'bearer', token: SCIM_TOKEN } });
    servers.push(target);
    const targetApp = await connectApplication(t, target, 'Undo Target');
    await ok({ method: 'PUT', url: `/api/v1/applications/${targetApp}/groups/${group}` });
    await ok({ method: 'POST', url: `/api/v1/applications/${targetApp}/idm/activate` });
    const source = await startScimServer({ users: 0, auth: { type: 'bearer', token: SCIM_TOKEN } });
    servers.push(source);
    for (const [userName, email] of [
      ['kay.g', 'kay.g@dir.example'],
      ['nia.g', 'nia.g@dir.example'],
      ['oz.g', 'oz.g@remote.example'],
    ])
      source.store.insertUser(scimUser(userName, email));
    const appId = await connectApplication(t, source, 'Undo Source');
    return { group, target, appId };
  }

  it('takes back the memberships the run added, deletes the created user, and the bound application deprovisions them', async () => {
    const kay = await dirUser('kay.g');
    const nia = await dirUser('nia.g');
    const { group, target, appId } = await setup();
    await ok({ method: 'PUT', url: `/api/v1/groups/${group}/members/${kay}` });
    const r = await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/import/jobs`, payload: { all: true, groupId: group } });
    expect(r.statusCode, r.body).toBe(200);
    const run = r.json().run;
    expect(run).toMatchObject({ status: 'completed', created: 1, linked: 2 });
    const oz = (run.results as Result[]).find((x) => x.outcome === 'created')!.userId!;
    expect((await membersOf(group)).toSorted(byText)).toEqual([kay, nia, oz].toSorted(byText));
    await eventually(async () => (remoteActive(target).length === 3 ? true : undefined), 20_000, 'the group to be provisioned');
    // The created user is provisioned to the target application only through the run's membership.
    const preview = await ok({ method: 'GET', url: `/api/v1/import-runs/${run.id}/undo` });
    expect(preview).toEqual({
      runId: run.id,
      created: { total: 1, remove: 1, changedSince: 0, provisioned: 0, gone: 0 },
      updated: 0,
      links: 2,
      memberships: 2,
    });

    const dry = await undo(run.id, { dryRun: true });
    expect(dry).toMatchObject({ status: 'completed', reverted: 3, skipped: 0 });
    expect((await results(dry.id)).find((x) => x.userId === oz)).toMatchObject({ outcome: 'deleted', leftGroup: true });
    expect((await membersOf(group)).toSorted(byText)).toEqual([kay, nia, oz].toSorted(byText));

    const done = await undo(run.id);
    expect(done).toMatchObject({ status: 'completed', reverted: 3, skipped: 0, failed: 0 });
    const byUser = new Map((await results(done.id)).map((x) => [x.userId, x]));
    expect(byUser.get(oz)).toMatchObject({ outcome: 'deleted', leftGroup: true });
    expect(byUser.get(nia)).toMatchObject({ outcome: 'unlinked', leftGroup: true });
    expect(byUser.get(kay)).toMatchObject({ outcome: 'unlinked' });
    expect(byUser.get(kay)!.leftGroup).toBeUndefined();
    // kay was a member before the run: he stays.
    expect(await membersOf(group)).toEqual([kay]);
    expect((await t.admin({ method: 'GET', url: `/api/v1/users/${oz}` })).statusCode).toBe(404);
    const removed = await t.database.db
      .selectFrom('insight_events')
      .select(['resource_id', 'service'])
      .where('event_type', '=', 'group_member_remove')
      .execute();
    expect(removed.map((e) => e.resource_id!).toSorted(byText)).toEqual([nia, oz].toSorted(byText));
    expect(removed[0].service).toBe('directory');
    await eventually(async () => (remoteActive(target).length === 1 ? true : undefined), 20_000, 'the target to deprovision them');
    expect(remoteActive(target)).toEqual(['kay.g']);
    expect((await ok({ method: 'GET', url: `/api/v1/import-runs/${run.id}/undo` })).memberships).toBe(0);
  });
});
