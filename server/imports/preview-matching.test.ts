// The preview classifies the application's users under the integration's match rules (issue 14): each
// rule, the rules' order deciding which one is named, rules turned off, conflicts with their
// candidates, the per-field diff of matching users, and a new read once the rules change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { holdingProxy } from '../../test/holding-proxy.ts';
import { connectApplication, eventually, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { DEFAULT_ORGANIZATION_ID } from '../shared/actor.ts';
import { registerWorkers } from '../workers.ts';
import type { MatchRule } from './classify.ts';
import { saveSettings } from './settings.repository.ts';
import * as snapshots from './snapshot.repository.ts';
import { candidateOf } from './snapshot.service.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const remote = (userName: string, email: string, extra: Record<string, unknown> = {}) => ({
  userName,
  name: { givenName: userName.split('.')[0], familyName: 'Remote' },
  emails: [{ value: email, type: 'work', primary: true }],
  active: true,
  ...extra,
});

interface Item {
  remoteId: string;
  userName: string;
  status: string;
  reasons: string[];
  existingUserId?: string;
  match?: { by: string; userId: string };
  candidates?: { userId: string; by: string }[];
  changes?: { field: string; current: unknown; remote: unknown }[];
}
interface Answer {
  items: Item[];
  total: number;
  counts: Record<string, number>;
  complete: boolean;
  snapshot: { id: string; status: string };
}

describe.each(dialects)('preview matching on %s', (dialect) => {
  let t: TestApp;
  let scim: RunningScimServer;
  /** Directory user ids by key. */
  const dir: Record<string, string> = {};
  /** Remote ids by key. */
  const ids: Record<string, string> = {};

  const makeUser = async (key: string, payload: Record<string, unknown>) => {
    const r = await t.admin({ method: 'POST', url: '/api/v1/users', payload });
    expect(r.statusCode, r.body).toBe(201);
    dir[key] = r.json().id as string;
  };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    registerWorkers(t.deps);
    await t.deps.queue.start();
    scim = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN } });
    await makeUser('ada', {
      username: 'ada',
      email: 'ada@dir.example',
      firstname: 'Ada',
      lastname: 'Lovelace',
      jobTitle: 'Analyst',
      department: 'Mathematics',
    });
    await makeUser('bob', { username: 'bob', email: 'bob@dir.example' });
    await makeUser('carl', { username: 'carl', email: 'carl@dir.example', employeeIdentifier: 'E-100' });
    await makeUser('dora', { username: 'dora', email: 'dora@dir.example' });
    await makeUser('eve', { username: 'eve', email: 'eve@dir.example' });
    await makeUser('fay', { username: 'fay', email: 'fay@dir.example' });
    for (const [key, u] of Object.entries({
      // username in another letter case; other last name and email; the same job title; no department.
      ada: remote('ADA', 'ada@remote.example', { name: { givenName: 'Ada', familyName: 'Byron' }, title: 'Analyst' }),
      bob: remote('robert', 'BOB@dir.example', { name: { givenName: 'bob', familyName: '' } }),
      carl: remote('carl.remote', 'carl@remote.example', { externalId: 'E-100', name: { givenName: 'carl', familyName: '' } }),
      // username of one directory user, email of another.
      dora: remote('dora', 'eve@dir.example', { name: { givenName: 'dora', familyName: '' } }),
      // both username and email of the same directory user.
      fay: remote('fay', 'fay@dir.example', { name: { givenName: 'fay', familyName: '' } }),
      fresh: remote('fresh.person', 'fresh@remote.example'),
      linked: remote('lin.remote', 'lin@remote.example', { [ENTERPRISE]: { department: 'Sales' } }),
    })) {
      ids[key] = scim.store.addUser(u).id as string;
    }
  });
  afterAll(async () => {
    await scim?.stop();
    await t?.close();
  });

  const setRules = async (appId: string, rules: MatchRule[]) =>
    saveSettings(t.deps.database.db, {
      application_id: appId,
      organization_id: DEFAULT_ORGANIZATION_ID,
      match_by: JSON.stringify(rules),
      schedule_cron: null,
      schedule_set_by_type: null,
      schedule_set_by_id: null,
      schedule_set_by_email: null,
      schedule_time_zone: null,
      schedule_mode: null,
      schedule_fields: null,
      schedule_guardrail_percent: null,
      next_run_at: null,
      last_scheduled_run_id: null,
      updated_at: new Date().toISOString(),
    });
  const preview = async (appId: string, query = '') => {
    const r = await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/import/users?limit=100${query}` });
    expect(r.statusCode, r.body).toBe(200);
    const answer = r.json() as Answer;
    // One SCIM page: answered whole.
    expect(answer.complete).toBe(true);
    return answer;
  };
  const item = (p: Answer, key: string) => {
    const found = p.items.find((i) => i.remoteId === ids[key]);
    expect(found, key).toBeDefined();
    return found!;
  };
  /** A new application with these rules (the default ones when none are given). */
  const appWith = async (name: string, rules?: MatchRule[]) => {
    const appId = await connectApplication(t, scim, name);
    if (rules) await setRules(appId, rules);
    return appId;
  };

  it('matches by username and email under the default rules, saying which rule, and shows exactly the fields that differ', async () => {
    const p = await preview(await appWith('Defaults'));
    expect(item(p, 'ada')).toMatchObject({
      status: 'exists',
      existingUserId: dir.ada,
      match: { by: 'username', userId: dir.ada },
      reasons: ['matches a directory user: same username'],
    });
    // Email and last name differ; the job title is the same; the department and middle name are not sent.
    expect(item(p, 'ada').changes).toEqual([
      { field: 'email', current: 'ada@dir.example', remote: 'ada@remote.example' },
      { field: 'lastname', current: 'Lovelace', remote: 'Byron' },
    ]);
    expect(item(p, 'ada').candidates).toBeUndefined();
    // Email in another letter case is the same email: it is no change.
    expect(item(p, 'bob')).toMatchObject({ status: 'exists', match: { by: 'email', userId: dir.bob } });
    expect(item(p, 'bob').changes).toEqual([{ field: 'firstname', current: '', remote: 'bob' }]);
    expect(item(p, 'fresh')).toMatchObject({ status: 'new', reasons: [] });
    expect(item(p, 'fresh').match).toBeUndefined();
    expect(item(p, 'fresh').changes).toBeUndefined();
    // externalId is not a rule by default: carl's employee identifier does not match him.
    expect(item(p, 'carl').status).toBe('new');
  });

  it("stores the matched user's version and the remote externalId, which a run reads back from the snapshot", async () => {
    const appId = await appWith('Versions');
    const p = await preview(appId);
    const user = (await t.admin({ method: 'GET', url: `/api/v1/users/${dir.ada}` })).json();
    const [adaRow, carlRow] = await snapshots
      .findSnapshotUsers(t.deps.database.db, p.snapshot.id, [ids.ada, ids.carl])
      .then((rows) => [ids.ada, ids.carl].map((id) => rows.find((r) => r.remote_id === id)!));
    expect(adaRow.existing_version).toBe(user.updatedAt);
    expect(adaRow.match_by).toBe('username');
    expect(carlRow.existing_version).toBeNull();
    expect(carlRow.external_id).toBe('E-100');
    expect(candidateOf(carlRow).externalId).toBe('E-100');
    expect(candidateOf(adaRow).externalId).toBeUndefined();
  });

  it('matches externalId to the employee identifier when that rule is on', async () => {
    const p = await preview(await appWith('By employee id', ['link', 'externalId']));
    expect(item(p, 'carl')).toMatchObject({
      status: 'exists',
      match: { by: 'externalId', userId: dir.carl },
      reasons: ['matches a directory user: externalId equals the employee identifier'],
    });
    expect(item(p, 'carl').changes).toEqual([
      { field: 'email', current: 'carl@dir.example', remote: 'carl@remote.example' },
      { field: 'firstname', current: '', remote: 'carl' },
    ]);
  });

  it('names the first rule in the order that finds the user', async () => {
    expect(item(await preview(await appWith('Username first', ['link', 'username', 'email'])), 'fay').match).toEqual({
      by: 'username',
      userId: dir.fay,
    });
    expect(item(await preview(await appWith('Email first', ['email', 'username', 'link'])), 'fay').match).toEqual({
      by: 'email',
      userId: dir.fay,
    });
  });

  it('leaves a username-only collision invalid, with its reason, when username is not a rule', async () => {
    const p = await preview(await appWith('Email only', ['link', 'email']));
    const ada = item(p, 'ada');
    expect(ada).toMatchObject({ status: 'invalid' });
    expect(ada.reasons).toEqual(['a directory user already has the username ADA, and username is not a match rule']);
    expect(ada.existingUserId).toBeUndefined();
    expect(ada.match).toBeUndefined();
    expect(ada.changes).toBeUndefined();
    // Email still matches; dora's email (eve's) too, so she is no conflict under these rules.
    expect(item(p, 'bob').match).toEqual({ by: 'email', userId: dir.bob });
    expect(item(p, 'dora')).toMatchObject({ status: 'exists', match: { by: 'email', userId: dir.eve } });
  });

  it('lists both candidates of a conflict, links nothing, and filters and counts conflicts', async () => {
    const appId = await appWith('Conflicts');
    const p = await preview(appId);
    const dora = item(p, 'dora');
    expect(dora.status).toBe('conflict');
    expect(dora.candidates).toEqual([
      { userId: dir.dora, by: 'username' },
      { userId: dir.eve, by: 'email' },
    ]);
    expect(dora.reasons).toEqual(['matches 2 directory users (by username and email)']);
    expect(dora.existingUserId).toBeUndefined();
    expect(dora.match).toBeUndefined();
    expect(dora.changes).toBeUndefined();

    const remoteUsers = Object.keys(ids).length;
    expect(p.counts).toEqual({ new: 3, exists: 3, conflict: 1, invalid: 0 });
    expect(p.total).toBe(remoteUsers);
    const conflicts = await preview(appId, '&status=conflict');
    expect(conflicts.items.map((i) => i.remoteId)).toEqual([ids.dora]);
    expect(conflicts.total).toBe(1);
    expect(conflicts.counts.conflict).toBe(1);
    const sorted = await preview(appId, '&sort=status');
    expect(sorted.items.filter((i) => i.status === 'conflict')).toHaveLength(1);
    const bad = await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/import/users?status=clash` });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('status');
  });

  it('matches a linked remote user by his link whatever his names, and says so of another who matches a linked user', async () => {
    const appId = await appWith('Linked');
    // Import him: created and linked to his remote account.
    const run = await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/import/jobs`, payload: { remoteIds: [ids.linked] } });
    expect(run.statusCode, run.body).toBe(200);
    const linkedUser = run.json().run.results[0].userId as string;
    expect(linkedUser).toBeTruthy();
    // He is renamed in the application; someone else there takes his old username.
    scim.store.updateUser(ids.linked, (u) => ({
      ...u,
      userName: 'lin.renamed',
      emails: [{ value: 'lin2@remote.example', primary: true }],
    }));
    ids.other = scim.store.addUser(remote('lin.remote', 'other@remote.example')).id as string;
    try {
      const p = await preview(appId, '&refresh=true');
      expect(item(p, 'linked')).toMatchObject({
        status: 'exists',
        match: { by: 'link', userId: linkedUser },
        reasons: ['matches a directory user: already linked to this remote user in this application'],
      });
      expect(item(p, 'linked').changes).toEqual([{ field: 'email', current: 'lin@remote.example', remote: 'lin2@remote.example' }]);
      expect(item(p, 'other')).toMatchObject({ status: 'exists', match: { by: 'username', userId: linkedUser } });
      expect(item(p, 'other').reasons[0]).toMatch(new RegExp(`linked to another remote user \\(${ids.linked}\\)`));
      // Whatever the other rules, a link holds: with username matching first he is still his linked user.
      await setRules(appId, ['link', 'username', 'email']);
      expect(item(await preview(appId), 'linked')).toMatchObject({ status: 'exists', match: { by: 'link', userId: linkedUser } });
    } finally {
      scim.store.deleteUser(ids.other);
      delete ids.other;
    }
  });

  it('reads the application again when the rules change, and not when they stay', async () => {
    const appId = await appWith('Changing rules');
    const before = await preview(appId);
    expect(item(before, 'carl').status).toBe('new');
    expect((await preview(appId)).snapshot.id).toBe(before.snapshot.id);

    await setRules(appId, ['link', 'username', 'email', 'externalId']);
    const after = await preview(appId);
    expect(after.snapshot.id).not.toBe(before.snapshot.id);
    expect(item(after, 'carl').match).toEqual({ by: 'externalId', userId: dir.carl });
    expect(after.counts.exists).toBe(before.counts.exists + 1);
    expect((await preview(appId)).snapshot.id).toBe(after.snapshot.id);
    // The snapshot remembers the rules it was classified under; the one before is gone.
    const snapshot = await snapshots.findSnapshot(t.deps.database.db, after.snapshot.id);
    expect(snapshot?.match_by).toBe('["link","username","email","externalId"]');
    expect(await snapshots.findSnapshot(t.deps.database.db, before.snapshot.id)).toBeUndefined();
  });

  it("replaces a read going on under rules that changed, and drops the old read's snapshot", async () => {
    const proxy = await holdingProxy(scim.baseUrl);
    try {
      const appId = await connectApplication(t, { ...scim, baseUrl: proxy.baseUrl } as RunningScimServer, 'Held', { pageSize: 2 });
      const ask = async (query = '') => {
        const r = await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/import/users?limit=100${query}` });
        expect(r.statusCode, r.body).toBe(200);
        return r.json() as Answer;
      };
      const firstPages = () => proxy.listRequests.filter((u) => /[?&]startIndex=1(&|$)/.test(u)).length;
      const old = await ask();
      expect(old.snapshot.status).toBe('reading');
      expect(firstPages()).toBe(1);
      await setRules(appId, ['link', 'email']);
      const answer = ask();
      // The new read asks for its first page; then the application answers everyone.
      await eventually(async () => (firstPages() === 2 ? true : undefined), 20_000, 'the new read');
      proxy.releaseAll();
      const fresh = await answer;
      expect(fresh.snapshot.id).not.toBe(old.snapshot.id);
      await eventually(
        async () => ((await snapshots.findSnapshot(t.deps.database.db, old.snapshot.id)) ? undefined : true),
        20_000,
        'the old snapshot to go',
      );
      // Whoever watched the old snapshot is answered from the new one, read whole under the new rules.
      const watched = await eventually(
        async () => {
          const p = await ask(`&snapshotId=${old.snapshot.id}`);
          return p.complete ? p : undefined;
        },
        20_000,
        'the new read to end',
      );
      expect(watched.snapshot.id).toBe(fresh.snapshot.id);
      expect(item(watched, 'ada').status).toBe('invalid');
      expect((await snapshots.findSnapshot(t.deps.database.db, fresh.snapshot.id))?.match_by).toBe('["link","email"]');
    } finally {
      proxy.releaseAll();
      await proxy.stop();
    }
  });
});
