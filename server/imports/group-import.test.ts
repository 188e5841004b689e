// Importing an application's groups (issue 14): the preview (new, exists in any letter case, invalid,
// member counts, search, paging, the 10-minute list and refresh, a failing application), and groups
// runs against the test SCIM server: groups created with the members Roster knows and the others
// reported with why, a dry run, a run resumed after a simulated crash, deactivation mid-run, one
// unfinished run per application, and bad requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUntilShutdown } from '../../test/stop-run.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { connectApplication, eventually, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { UNPLACED } from './group-run.ts';
import { createImportRun, executeRun } from './index.ts';

const person = (userName: string) => ({
  userName,
  name: { givenName: userName.split('.')[0], familyName: 'Grouped' },
  emails: [{ value: `${userName}@remote.example`, type: 'work', primary: true }],
  active: true,
});

interface PreviewItem {
  remoteId: string;
  displayName: string;
  memberCount: number;
  status: 'new' | 'exists' | 'invalid';
  existingGroupId?: string;
  reasons: string[];
}

describe.each(dialects)('group import on %s', (dialect) => {
  let t: TestApp;
  let scim: RunningScimServer;
  let appId: string;
  const users: Record<string, string> = {};
  const groups: Record<string, string> = {};
  const roster: Record<string, string> = {};
  beforeAll(async () => {
    // The job queue is not started: runs of 100 groups or more wait for the tests to run them.
    t = await createTestApp(dialect);
    scim = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN } });
    // The application leaves an empty group's member list out (G6): its group is fetched on its own.
    scim.setQuirks({ omitEmptyMembers: true });
    for (const key of ['ann', 'ben', 'cat']) users[key] = scim.store.addUser(person(`${key}.grouped`)).id as string;
    const add = (key: string, displayName: string, members: string[]) =>
      (groups[key] = scim.store.addGroup({ displayName, members: members.map((value) => ({ value })) }).id as string);
    // ann and ben are imported below; cat is listed but not imported; "ghost" is in no page of the user list.
    add('sales', 'Sales', [users.ann, users.ben, users.cat, 'ghost-member']);
    add('eng', 'ENGINEERING', [users.ann]);
    add('ops', 'ops', []);
    add('support', 'Support', [users.ann]);
    add('supportAgain', ' support', [users.ben]);
    add('long', 'L'.repeat(101), []);
    add('unnamed', '  ', [users.ann]);
    add('empty', 'Empty', []);
    for (const name of ['engineering', 'ops']) {
      const r = await t.admin({ method: 'POST', url: '/api/v1/groups', payload: { name } });
      roster[name] = r.json().id;
    }
    appId = await connectApplication(t, scim, 'Grouped App');
    // The users preview (read whole: one page) is the application's user list the run consults.
    const preview = await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/import/users` });
    expect(preview.json().snapshot.status).toBe('ready');
    const imported = await createImportRun(t.deps, t.adminActor, appId, { remoteIds: [users.ann, users.ben] });
    expect(imported.run).toMatchObject({ status: 'completed', created: 2 });
  });
  afterAll(async () => {
    await scim?.stop();
    await t?.close();
  });

  const preview = async (query = '', app = appId) => {
    const r = await t.admin({ method: 'GET', url: `/api/v1/applications/${app}/import/groups?limit=100${query}` });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as { items: PreviewItem[]; total: number; nextCursor: string | null; counts: Record<string, number> };
  };
  const startGroups = (payload: unknown, app = appId) =>
    t.admin({ method: 'POST', url: `/api/v1/applications/${app}/import/group-jobs`, payload: payload as object });
  const rosterGroupNamed = (name: string) =>
    t.database.db.selectFrom('groups').select(['id', 'name']).where('name_lower', '=', name.toLowerCase()).executeTakeFirst();

  it("previews the application's groups: new, exists in any letter case, invalid with reasons, member counts", async () => {
    const p = await preview();
    const byId = new Map(p.items.map((i) => [i.remoteId, i]));
    expect(p.total).toBe(8);
    expect(p.counts).toEqual({ new: 3, exists: 2, invalid: 3 });
    expect(byId.get(groups.sales)).toEqual({ remoteId: groups.sales, displayName: 'Sales', memberCount: 4, status: 'new', reasons: [] });
    expect(byId.get(groups.empty)).toMatchObject({ status: 'new', memberCount: 0 });
    // Listed without a member list (G6), so fetched on its own; the groups with members were not.
    expect(scim.requests.some((r) => r.path.endsWith(`/Groups/${groups.empty}`))).toBe(true);
    expect(scim.requests.some((r) => r.path.endsWith(`/Groups/${groups.sales}`))).toBe(false);
    expect(byId.get(groups.eng)).toMatchObject({
      status: 'exists',
      existingGroupId: roster.engineering,
      reasons: ["a Roster group named 'engineering' already exists (different letter case)"],
    });
    expect(byId.get(groups.ops)).toMatchObject({
      status: 'exists',
      existingGroupId: roster.ops,
      reasons: ["a Roster group named 'ops' already exists"],
    });
    // The first of two groups named alike (in the application's order) can be imported, the second cannot.
    expect(byId.get(groups.support)).toMatchObject({ status: 'new', memberCount: 1 });
    expect(byId.get(groups.supportAgain)!.status).toBe('invalid');
    expect(byId.get(groups.supportAgain)!.reasons[0]).toContain(`another group named 'Support' (${groups.support})`);
    expect(byId.get(groups.long)).toMatchObject({ status: 'invalid', reasons: ['displayName must be at most 100 characters'] });
    expect(byId.get(groups.unnamed)).toMatchObject({ status: 'invalid', reasons: ['no displayName'] });
    // Sorted by name (in any letter case).
    const names = p.items.map((i) => i.displayName.trim().toLowerCase());
    expect(names).toEqual([...names].sort());
  });

  it('searches on displayName, filters by status and pages by name', async () => {
    const found = await preview('&q=SUP');
    expect(found.items.map((i) => i.remoteId).sort()).toEqual([groups.support, groups.supportAgain].sort());
    expect(found.total).toBe(2);
    expect(found.counts).toEqual({ new: 3, exists: 2, invalid: 3 });
    const invalid = await preview('&status=invalid');
    expect(invalid.items.map((i) => i.status)).toEqual(['invalid', 'invalid', 'invalid']);
    const all = (await preview()).items;
    const paged: PreviewItem[] = [];
    let cursor: string | null = null;
    do {
      const r = await t.admin({
        method: 'GET',
        url: `/api/v1/applications/${appId}/import/groups?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      });
      expect(r.statusCode, r.body).toBe(200);
      paged.push(...r.json().items);
      cursor = r.json().nextCursor;
    } while (cursor);
    expect(paged).toEqual(all);
  });

  it('keeps the list for 10 minutes and reads it again on refresh; statuses follow the directory at once', async () => {
    const requests = () => scim.requests.filter((r) => r.path.endsWith('/Groups')).length;
    const before = requests();
    scim.store.addGroup({ displayName: 'Later Group', members: [] });
    expect((await preview('&q=later')).total).toBe(0);
    expect(requests()).toBe(before);
    // A Roster group created since shows at once (the statuses are not kept).
    const made = await t.admin({ method: 'POST', url: '/api/v1/groups', payload: { name: 'empty' } });
    expect((await preview()).items.find((i) => i.remoteId === groups.empty)).toMatchObject({
      status: 'exists',
      existingGroupId: made.json().id,
    });
    expect((await t.admin({ method: 'DELETE', url: `/api/v1/groups/${made.json().id}` })).statusCode).toBe(204);
    const refreshed = await preview('&refresh=true&q=later');
    expect(refreshed.items).toMatchObject([{ displayName: 'Later Group', status: 'new' }]);
    expect(requests()).toBeGreaterThan(before);
    const ro = await t.readOnly({ method: 'GET', url: `/api/v1/applications/${appId}/import/groups?refresh=true` });
    expect(ro.statusCode).toBe(403);
  });

  it('answers 502 saying so when the application fails to list its groups', async () => {
    const failing = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN } });
    try {
      failing.setQuirks({ faults: [{ kind: 'status', status: 403, path: '/Groups' }] });
      const app = await connectApplication(t, failing, 'Failing Groups App');
      const r = await t.admin({ method: 'GET', url: `/api/v1/applications/${app}/import/groups` });
      expect(r.statusCode, r.body).toBe(502);
      expect(r.json()).toMatchObject({ error: { code: 'SCIM_REQUEST_FAILED' } });
      expect(r.json().error.message).toMatch(/groups/);
    } finally {
      await failing.stop();
    }
  });

  const outboxFor = async (runId: string) =>
    (await t.admin({ method: 'GET', url: '/api/v1/mail/outbox?limit=500' }))
      .json()
      .items.filter((m: { relatedId?: string }) => m.relatedId === runId);
  const eventsOfRun = (runId: string, type: string) =>
    t.database.db
      .selectFrom('insight_events')
      .select(['resource_id', 'application_id'])
      .where('import_run_id', '=', runId)
      .where('event_type', '=', type)
      .execute();
  const countEvents = async (type: string) =>
    Number(
      (
        await t.database.db
          .selectFrom('insight_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('event_type', '=', type)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('imports groups with the members Roster knows, reports the others with why, skips existing names, fails invalid ones', async () => {
    // The run reads the members as they are now: ben joined "Empty" after the preview.
    scim.store.addMember(groups.empty, users.ben);
    const membersAddedBefore = await countEvents('group_member_add');
    const r = await startGroups({ remoteIds: [groups.sales, groups.eng, groups.supportAgain, groups.long, groups.empty] });
    expect(r.statusCode, r.body).toBe(200);
    const { run } = r.json();
    expect(run).toMatchObject({
      kind: 'groups',
      status: 'completed',
      dryRun: false,
      total: 5,
      processed: 5,
      created: 2,
      skipped: 1,
      failed: 2,
    });
    const result = (id: string) => run.results.find((x: { remoteId: string }) => x.remoteId === id);
    const sales = (await rosterGroupNamed('Sales'))!;
    expect(result(groups.sales)).toMatchObject({ userName: 'Sales', email: '', outcome: 'created', userId: sales.id });
    expect(result(groups.sales).members.added).toBe(2);
    expect(result(groups.sales).members.unplaced.map((u: { remoteId: string; reason: string }) => [u.remoteId, u.reason])).toEqual([
      [users.cat, UNPLACED.notLinked],
      ['ghost-member', UNPLACED.notListed],
    ]);
    const members = await t.admin({ method: 'GET', url: `/api/v1/groups/${sales.id}/members` });
    expect(members.json().items.map((m: { username: string }) => m.username)).toEqual(['ann.grouped', 'ben.grouped']);
    const empty = (await rosterGroupNamed('Empty'))!;
    expect(result(groups.empty)).toMatchObject({ outcome: 'created', userId: empty.id, members: { added: 1, unplaced: [] } });
    expect(result(groups.eng)).toMatchObject({
      outcome: 'skipped',
      code: 'exists',
      userId: roster.engineering,
      reason: "a Roster group named 'engineering' already exists (different letter case)",
    });
    expect(result(groups.supportAgain)).toMatchObject({
      outcome: 'failed',
      code: 'invalid',
      reason: expect.stringContaining('another group'),
    });
    expect(result(groups.long)).toMatchObject({ outcome: 'failed', reason: 'displayName must be at most 100 characters' });
    // group_create names the application and the run; each member added has his event; the admin is emailed.
    const created = await eventsOfRun(run.id, 'group_create');
    expect(new Set(created.map((e) => e.resource_id))).toEqual(new Set([sales.id, empty.id]));
    expect(created).toHaveLength(2);
    expect(created.every((e) => e.application_id === appId)).toBe(true);
    expect((await countEvents('group_member_add')) - membersAddedBefore).toBe(3);
    const mails = await outboxFor(run.id);
    expect(mails.map((m: { subject: string }) => m.subject)).toEqual([
      'Roster import of groups from Grouped App: 2 groups created, 1 skipped, 2 failed',
    ]);
    // The results API lists the same.
    const listed = await t.admin({ method: 'GET', url: `/api/v1/import-runs/${run.id}/results` });
    expect(listed.json().items).toEqual(run.results);
  });

  it('a dry run stores the results only: no group, member, event or email', async () => {
    const membersAddedBefore = await countEvents('group_member_add');
    const r = await startGroups({ remoteIds: [groups.support, groups.ops], dryRun: true });
    expect(r.statusCode, r.body).toBe(200);
    const { run } = r.json();
    expect(run).toMatchObject({ kind: 'groups', dryRun: true, status: 'completed', created: 1, skipped: 1 });
    const support = run.results.find((x: { remoteId: string }) => x.remoteId === groups.support);
    expect(support).toMatchObject({ outcome: 'created', members: { added: 1, unplaced: [] } });
    expect(support.userId).toBeUndefined();
    expect(await rosterGroupNamed('Support')).toBeUndefined();
    // No trace but the results: not even the run's own import_started and import_completed events.
    const traces = await t.database.db.selectFrom('insight_events').select('event_type').where('import_run_id', '=', run.id).execute();
    expect(traces).toEqual([]);
    expect(await countEvents('group_member_add')).toBe(membersAddedBefore);
    expect(await outboxFor(run.id)).toEqual([]);
  });

  it('refuses bad requests naming the field', async () => {
    const empty = await startGroups({ remoteIds: [] });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error).toMatchObject({ code: 'EMPTY_SELECTION', details: [{ path: 'body.remoteIds' }] });
    const both = await startGroups({ remoteIds: [groups.support], all: true });
    expect(both.statusCode).toBe(400);
    expect(both.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'body' }] });
    expect((await startGroups({})).statusCode).toBe(400);
    const unknown = await startGroups({ all: true, update: { fields: 'all' } });
    expect(unknown.statusCode).toBe(400);
    expect(JSON.stringify(unknown.json().error.details)).toContain('update');
    const dry = await startGroups({ all: true, dryRun: 'yes' });
    expect(dry.statusCode).toBe(400);
    expect(JSON.stringify(dry.json().error.details)).toContain('dryRun');
    const missing = await startGroups({ remoteIds: ['no-such-group'] });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatchObject({
      code: 'REMOTE_IDS_NOT_FOUND',
      details: [{ path: 'body.remoteIds', message: 'not found: no-such-group' }],
    });
    const bad = await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/import/groups?status=gone` });
    expect(bad.statusCode).toBe(400);
  });

  describe('runs of 100 groups or more', () => {
    /** A SCIM server with `n` groups named `<prefix> 000`..., each listing `members` users (one Roster does not know if 0). */
    async function manyGroups(prefix: string, n: number, members = 0): Promise<{ server: RunningScimServer; userIds: string[] }> {
      const server = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN } });
      const userIds = Array.from(
        { length: Math.max(members, 1) },
        (_, i) => server.store.addUser(person(`${prefix.toLowerCase()}.${i}`)).id as string,
      );
      for (let i = 0; i < n; i++) {
        server.store.addGroup({ displayName: `${prefix} ${String(i).padStart(3, '0')}`, members: userIds.map((value) => ({ value })) });
      }
      return { server, userIds };
    }
    const rosterGroupsLike = async (prefix: string) =>
      (await t.database.db.selectFrom('groups').select('id').where('name_lower', 'like', `${prefix.toLowerCase()} %`).execute()).length;
    const resultIds = async (runId: string) =>
      (await t.database.db.selectFrom('import_run_results').select('remote_id').where('run_id', '=', runId).execute()).map(
        (r) => r.remote_id,
      );

    it('goes to the background (202), allows one unfinished run per application, and resumes after a crash', async () => {
      const { server: bulk } = await manyGroups('Team', 120);
      try {
        const app = await connectApplication(t, bulk, 'Bulk Groups App');
        const r = await startGroups({ all: true }, app);
        expect(r.statusCode, r.body).toBe(202);
        const run = r.json().run;
        expect(run).toMatchObject({ kind: 'groups', status: 'queued', total: 120, mode: 'all' });
        const second = await startGroups({ remoteIds: [bulk.store.listGroups()[0].id] }, app);
        expect(second.statusCode).toBe(409);
        expect(second.json().error.code).toBe('IMPORT_ALREADY_RUNNING');

        // Stopped like a shutdown stops it after 40 groups: each group committed with its result, or not at all.
        await runUntilShutdown(t.deps, run.id, 40, 'shutting down');
        const half = (await t.admin({ method: 'GET', url: `/api/v1/import-runs/${run.id}` })).json();
        expect(half).toMatchObject({ status: 'running', processed: 40, created: 40 });
        expect(await rosterGroupsLike('Team')).toBe(40);
        expect(await resultIds(run.id)).toHaveLength(40);

        const done = await executeRun(t.deps, run.id);
        expect(done).toMatchObject({ status: 'completed', processed: 120, created: 120, skipped: 0, failed: 0 });
        expect(await rosterGroupsLike('Team')).toBe(120);
        const ids = await resultIds(run.id);
        expect(new Set(ids)).toEqual(new Set(bulk.store.listGroups().map((g) => g.id as string)));
        expect(ids).toHaveLength(120);
        expect(await eventsOfRun(run.id, 'group_create')).toHaveLength(120);
        expect(await outboxFor(run.id)).toHaveLength(1);
        const page = await t.admin({ method: 'GET', url: `/api/v1/import-runs/${run.id}/results?limit=1` });
        expect(page.json().items[0].members).toEqual({ added: 0, unplaced: [expect.objectContaining({ reason: UNPLACED.notLinked })] });
      } finally {
        await bulk.stop();
      }
    });

    it('stops between groups when the integration is deactivated: failed "integration deactivated", created groups stay', async () => {
      // Groups with members Roster knows take a while each: the deactivation lands between two of them.
      const { server: bulk, userIds } = await manyGroups('Deact', 120, 20);
      try {
        const app = await connectApplication(t, bulk, 'Deactivated Groups App');
        expect((await createImportRun(t.deps, t.adminActor, app, { remoteIds: userIds })).run.created).toBe(20);
        expect((await t.admin({ method: 'POST', url: `/api/v1/applications/${app}/idm/activate` })).statusCode).toBe(200);
        const r = await startGroups({ all: true }, app);
        expect(r.statusCode, r.body).toBe(202);
        let deactivation: Promise<{ statusCode: number }> | undefined;
        const run = await executeRun(t.deps, r.json().run.id, {
          onProgress: (p) => {
            if (p.processed === 3) deactivation = t.admin({ method: 'POST', url: `/api/v1/applications/${app}/idm/deactivate` });
          },
        });
        expect((await deactivation!).statusCode).toBe(200);
        expect(run).toMatchObject({ status: 'failed', error: 'integration deactivated' });
        expect(run.processed).toBeGreaterThanOrEqual(3);
        expect(run.processed).toBeLessThan(120);
        expect(await rosterGroupsLike('Deact')).toBe(run.created);
        expect(await resultIds(run.id)).toHaveLength(run.processed);
        const mail = await eventually(async () => (await outboxFor(run.id))[0], 5000, 'the email');
        expect(mail.text).toMatch(/integration deactivated/);
      } finally {
        await bulk.stop();
      }
    });
  });
});
