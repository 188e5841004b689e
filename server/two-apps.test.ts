// Two apps in one process share nothing: each change enqueues its jobs (a provisioning sync after an
// admin's edit or an activation, an import run, the email about it) on the queue of the app it happened in, and only there. Nothing is
// registered in module state: every queue, registry and cache belongs to one Deps.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../test/app.ts';
import { dialects } from '../test/db.ts';
import { connectApplication, SCIM_TOKEN } from '../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../test/scim-server/index.ts';
import { DEFAULT_ORGANIZATION_ID } from './shared/actor.ts';

describe.each(dialects)('two apps in one process on %s', (dialect) => {
  let scim: RunningScimServer;
  const apps: Array<{ t: TestApp; appId: string; userId: string; groupId: string; enqueued: string[] }> = [];

  /** Builds one app with a user in a group bound to an application (inactive, so nothing is enqueued yet). */
  async function oneApp(name: string) {
    const t = await createTestApp(dialect);
    const ok = async (opts: Parameters<TestApp['admin']>[0]) => {
      const r = await t.admin(opts);
      expect(r.statusCode, r.body).toBeLessThan(300);
      return r.json();
    };
    const appId = await connectApplication(t, scim, name);
    const userId = (await ok({ method: 'POST', url: '/api/v1/users', payload: { username: `${name}.user`, email: `${name}@example.com` } }))
      .id;
    const groupId = (await ok({ method: 'POST', url: '/api/v1/groups', payload: { name: `${name} group` } })).id;
    await ok({ method: 'PUT', url: `/api/v1/groups/${groupId}/members/${userId}` });
    await ok({ method: 'PUT', url: `/api/v1/applications/${appId}/groups/${groupId}` });
    const enqueued: string[] = [];
    const real = t.deps.queue.enqueue.bind(t.deps.queue);
    vi.spyOn(t.deps.queue, 'enqueue').mockImplementation((db, jobName, payload, options) => {
      enqueued.push(jobName);
      return real(db, jobName, payload, options);
    });
    return { t, appId, userId, groupId, enqueued };
  }

  beforeAll(async () => {
    scim = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN } });
    scim.store.addUser({
      userName: 'remote.one',
      emails: [{ value: 'remote.one@example.com', type: 'work', primary: true }],
      active: true,
    });
    apps.push(await oneApp('first'), await oneApp('second'));
  });
  afterAll(async () => {
    for (const a of apps) await a.t.close();
    await scim?.stop();
  });

  type OneApp = (typeof apps)[number];
  /**
   * Does `act` in each app in turn and checks that the jobs it enqueued are exactly `jobs` (a set: a
   * job may be enqueued more than once), all on that app's queue and none on the other's.
   */
  const expectJobsInEachApp = async (jobs: string[], act: (a: OneApp, i: number) => Promise<void>) => {
    for (const [i, a] of apps.entries()) {
      for (const each of apps) each.enqueued.length = 0;
      await act(a, i);
      expect(a.enqueued.length).toBeGreaterThan(0);
      expect(new Set(a.enqueued)).toEqual(new Set(jobs));
      expect(apps[1 - i].enqueued).toEqual([]);
    }
  };

  it('each app is wired to its own queue', () => {
    const [a, b] = apps;
    expect(a.t.deps.queue).not.toBe(b.t.deps.queue);
    expect(a.t.deps.changes).not.toBe(b.t.deps.changes);
    expect(a.t.deps.mail).not.toBe(b.t.deps.mail);
    expect(a.t.deps.snapshots).not.toBe(b.t.deps.snapshots);
  });

  it('activation enqueues its sync on the queue of the app it happened in, only', async () => {
    await expectJobsInEachApp(['provisioning.sync'], async (a) => {
      const r = await a.t.admin({ method: 'POST', url: `/api/v1/applications/${a.appId}/idm/activate` });
      expect(r.statusCode, r.body).toBe(200);
      expect(a.enqueued).toEqual(['provisioning.sync']);
    });
  });

  it("a directory change reported through an app's changes enqueues on that app's queue only", async () => {
    await expectJobsInEachApp(['provisioning.sync'], async (a) => {
      await a.t.deps.db.transaction().execute(async (trx) => {
        await a.t.deps.changes.userChanged(trx, DEFAULT_ORGANIZATION_ID, a.userId);
        await a.t.deps.changes.membershipChanged(trx, DEFAULT_ORGANIZATION_ID, a.groupId, a.userId);
        await a.t.deps.changes.bindingChanged(trx, DEFAULT_ORGANIZATION_ID, a.appId);
      });
    });
  });

  it("an admin's edit over HTTP (a user's name, a membership) enqueues on that app's queue only", async () => {
    await expectJobsInEachApp(['provisioning.sync'], async (a, i) => {
      const edit = await a.t.admin({ method: 'PATCH', url: `/api/v1/users/${a.userId}`, payload: { firstname: `Edited ${i}` } });
      expect(edit.statusCode, edit.body).toBe(200);
      const out = await a.t.admin({ method: 'DELETE', url: `/api/v1/groups/${a.groupId}/members/${a.userId}` });
      expect(out.statusCode, out.body).toBeLessThan(300);
      const back = await a.t.admin({ method: 'PUT', url: `/api/v1/groups/${a.groupId}/members/${a.userId}` });
      expect(back.statusCode, back.body).toBeLessThan(300);
    });
  });

  it('a manual sync and an import (its job and its email) go to the own queue only', async () => {
    await expectJobsInEachApp(['provisioning.sync', 'import.run', 'mail.send'], async (a) => {
      const sync = await a.t.admin({ method: 'POST', url: `/api/v1/applications/${a.appId}/idm/sync` });
      expect(sync.statusCode, sync.body).toBe(202);
      const run = await a.t.admin({ method: 'POST', url: `/api/v1/applications/${a.appId}/import/jobs`, payload: { all: true } });
      expect(run.statusCode, run.body).toBe(200);
      expect(run.json().run).toMatchObject({ status: 'completed', created: 1 });
    });
  });
});
