// `roster import groups` as an operator runs it, on both databases: the list, a dry run, an import.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportRun } from '../../server/imports/index.ts';
import { createTestApp, type TestApp } from '../app.ts';
import { dialects } from '../db.ts';
import { connectApplication, SCIM_TOKEN } from '../idm.ts';
import { type RunningScimServer, startScimServer } from '../scim-server/index.ts';
import { runCli } from './process.ts';

describe.each(dialects)('roster import groups CLI on %s', (dialect) => {
  let t: TestApp;
  let scim: RunningScimServer;
  let env: Record<string, string>;
  let ann: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    scim = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN } });
    ann = scim.store.addUser({ userName: 'ann.cli', emails: [{ value: 'ann.cli@remote.example', primary: true }], active: true })
      .id as string;
    scim.store.addGroup({ displayName: 'Cli Team', members: [{ value: ann }, { value: 'ghost' }] });
    scim.store.addGroup({ displayName: 'Admins', members: [] });
    await t.admin({ method: 'POST', url: '/api/v1/groups', payload: { name: 'admins' } });
    const appId = await connectApplication(t, scim, 'CLI Groups App');
    expect((await createImportRun(t.deps, t.adminActor, appId, { remoteIds: [ann] })).run.created).toBe(1);
    env = { DATABASE_URL: t.database.url, ROSTER_SECRET_KEY: Buffer.alloc(32, 7).toString('hex'), ROSTER_DATA_DIR: '/tmp/roster-cli-test' };
  });
  afterAll(async () => {
    await scim?.stop();
    await t?.close();
  });

  it("lists the application's groups", async () => {
    const r = await runCli(['import', 'groups', '--app', 'CLI Groups App'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^STATUS\s+NAME\s+MEMBERS/m);
    expect(r.stdout).toMatch(/^exists\s+Admins\s+0\s+a Roster group named 'admins' already/m);
    expect(r.stdout).toMatch(/^new\s+Cli Team\s+2/m);
    expect(r.stdout).toContain('2 group(s) in CLI Groups App: 1 new, 1 exist, 0 invalid');
  });

  it('makes a dry run, then imports with the known members', async () => {
    const dry = await runCli(['import', 'groups', '--app', 'CLI Groups App', '--all', '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/Dry run \S+ of groups from CLI Groups App completed: 1 created, 1 skipped, 0 failed of 2/);
    expect((await t.admin({ method: 'GET', url: '/api/v1/groups?q=cli team' })).json().items).toEqual([]);

    const r = await runCli(['import', 'groups', '--app', 'CLI Groups App', '--all'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Import \S+ of groups from CLI Groups App completed: 1 created, 1 skipped, 0 failed of 2/);
    const [group] = (await t.admin({ method: 'GET', url: '/api/v1/groups?q=cli team' })).json().items;
    expect(group).toMatchObject({ name: 'Cli Team', memberCount: 1 });
  });

  it('refuses bad arguments clearly', async () => {
    const both = await runCli(['import', 'groups', '--app', 'CLI Groups App', '--all', '--ids', 'x'], env);
    expect(both.stderr).toContain('either --all or --ids');
    expect((await runCli(['import', 'groups', '--app', 'CLI Groups App', '--dry-run'], env)).stderr).toContain('--dry-run needs');
    const unknown = await runCli(['import', 'groups', '--app', 'CLI Groups App', '--ids', 'nope'], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('not in the application');
  });
});
