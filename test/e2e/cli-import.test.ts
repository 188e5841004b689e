// `roster import preview` and `roster import run` as an operator runs them, on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../app.ts';
import { dialects } from '../db.ts';
import { connectApplication, SCIM_TOKEN } from '../idm.ts';
import { type RunningScimServer, startScimServer } from '../scim-server/index.ts';
import { runCli } from './process.ts';

describe.each(dialects)('roster import CLI on %s', (dialect) => {
  let t: TestApp;
  let scim: RunningScimServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    scim = await startScimServer({ users: 120, seed: 3, auth: { type: 'bearer', token: SCIM_TOKEN } });
    await connectApplication(t, scim, 'CLI App', { pageSize: 25 });
    env = { DATABASE_URL: t.database.url, ROSTER_SECRET_KEY: Buffer.alloc(32, 7).toString('hex'), ROSTER_DATA_DIR: '/tmp/roster-cli-test' };
  });
  afterAll(async () => {
    await scim?.stop();
    await t?.close();
  });

  it('previews the application by name', async () => {
    const r = await runCli(['import', 'preview', '--app', 'CLI App', '--limit', '5'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^STATUS\s+USERNAME/m);
    expect(r.stdout.trim().split('\n')).toHaveLength(7);
    expect(r.stdout).toContain('120 user(s) shown of 120 in CLI App: 120 new, 0 exist, 0 in conflict, 0 invalid');
  });

  it('imports everything with a progress report, records it for the admin and emails the results', async () => {
    const r = await runCli(['import', 'run', '--app', 'CLI App', '--all'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/completed: 120 created, 0 linked, 0 updated, 0 skipped, 0 failed of 120/);
    expect(r.stderr).toMatch(/120\/120 100%/);
    const run = (await t.admin({ method: 'GET', url: '/api/v1/import-runs' })).json().items[0];
    expect(run).toMatchObject({ status: 'completed', created: 120, initiatedBy: { type: 'admin', email: t.adminActor.email } });
    const mail = (await t.admin({ method: 'GET', url: '/api/v1/mail/outbox' }))
      .json()
      .items.find((m: { relatedId?: string }) => m.relatedId === run.id);
    expect(mail.status).toBe('stored');
    const again = await runCli(['import', 'run', '--app', 'CLI App', '--all'], env);
    expect(again.stdout).toMatch(/0 created, 0 linked, 0 updated, 120 skipped/);
  });

  it('dry-runs an update of chosen fields (--update, --dry-run): results only, nothing written', async () => {
    const first = scim.store.listUsers()[0];
    scim.store.updateUser(first.id!, { title: 'Changed by the CLI test' });
    const dry = await runCli(['import', 'run', '--app', 'CLI App', '--all', '--update', 'jobTitle,department', '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^Dry run .* completed: 0 created, 0 linked, 1 updated, 119 skipped, 0 failed of 120/m);
    expect(dry.stdout).toContain('Nothing was written or emailed');
    const user = await t.database.db
      .selectFrom('users')
      .select('job_title')
      .where('username', '=', first.userName!)
      .executeTakeFirstOrThrow();
    expect(user.job_title).not.toBe('Changed by the CLI test');
    const real = await runCli(['import', 'run', '--app', 'CLI App', '--all', '--update', 'all', '--no-link'], env);
    expect(real.stdout).toMatch(/completed: 0 created, 0 linked, 1 updated, 119 skipped/);
    const after = await t.database.db
      .selectFrom('users')
      .select('job_title')
      .where('username', '=', first.userName!)
      .executeTakeFirstOrThrow();
    expect(after.job_title).toBe('Changed by the CLI test');
    const bad = await runCli(['import', 'run', '--app', 'CLI App', '--all', '--update', 'username'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('unknown field(s) username');
    expect((await runCli(['import', 'run', '--app', 'CLI App', '--all', '--group', 'Nope'], env)).stderr).toContain('No group');
  });

  it('refuses bad arguments clearly', async () => {
    expect((await runCli(['import', 'run', '--app', 'CLI App'], env)).stderr).toContain('either --all or --ids');
    expect((await runCli(['import', 'run', '--app', 'Nope', '--all'], env)).stderr).toContain('No application with id or name "Nope"');
    expect((await runCli(['import', 'run', '--app', 'CLI App', '--ids', ' , '], env)).stderr).toContain('--ids');
    const unknown = await runCli(['import', 'run', '--app', 'CLI App', '--ids', 'nobody-here'], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('not in the application');
  });
});
