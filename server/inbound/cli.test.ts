// `roster scim-sources` as an operator runs it (real processes), on both databases.
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { runCli } from '../../test/e2e/process.ts';
import { perSuite } from '../../test/suite.ts';
import { authenticateSource } from './index.ts';

describe.each(dialects)('roster scim-sources CLI on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));
  const env = () => ({ DATABASE_URL: t.database.url, ROSTER_DATA_DIR: '/tmp/roster-cli-test', PUBLIC_URL: 'https://id.example.com' });
  const cli = (...args: string[]) => runCli(['scim-sources', ...args], env());
  const auth = (token: string) => authenticateSource({ db: t.database.db }, token);

  it('creates, lists, shows, rotates and deletes a source; the token is printed only when made', async () => {
    const created = await cli(
      'create',
      'Workday',
      '--on-delete',
      'delete',
      '--no-groups',
      '--guardrail-percent',
      '5',
      '--rate-limit',
      '50',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Base URL: https://id.example.com/scim/v2');
    const token = /Token:\s+(rss_\S+)/.exec(created.stdout)?.[1] as string;
    expect(token).toBeDefined();
    const source = await auth(token);
    expect(source?.settings).toEqual({
      onDelete: 'delete',
      groups: false,
      activationEmail: 'off',
      deleteGuardrail: { percent: 5, minimum: 10 },
      rateLimitPerSecond: 50,
    });

    const list = await cli('list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+STATE\s+ON DELETE/m);
    expect(list.stdout).toMatch(/^Workday\s+active\s+delete\s+0\s+0\s+never/m);
    expect(list.stdout).toContain('1 SCIM source(s)');
    const shown = await cli('show', 'workday');
    expect(shown.stdout).toMatch(/Delete guardrail:\s+5% of the users, at least 10, per hour/);
    const json = JSON.parse((await cli('show', source?.id as string, '--json')).stdout);
    expect(json).toMatchObject({ id: source?.id, name: 'Workday', tokenHint: token.slice(-4) });
    for (const out of [list.stdout, shown.stdout, JSON.stringify(json)]) expect(out).not.toContain(token);

    const rotated = await cli('rotate-token', 'WORKDAY');
    expect(rotated.code, rotated.stderr).toBe(0);
    const next = /New token for Workday: (rss_\S+)/.exec(rotated.stdout)?.[1] as string;
    expect(await auth(token)).toBeUndefined();
    expect((await auth(next))?.id).toBe(source?.id);

    const deleted = await cli('delete', 'Workday');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(await auth(next)).toBeUndefined();
    expect((await cli('list')).stdout).toContain('0 SCIM source(s)');
    expect((await cli('list', '--include-deleted', '--json')).stdout).toContain('"deletedAt":"');

    const events = (await t.admin({ method: 'GET', url: `/api/v1/insights/events?resourceId=${source?.id}` })).json().items;
    expect(events.map((e: { eventType: string }) => e.eventType)).toEqual([
      'scim_source_delete',
      'scim_source_token_rotate',
      'scim_source_create',
    ]);
    expect(events[0].initiatedBy.type).toBe('system');
  }, 90_000);

  it('refuses bad arguments clearly and changes nothing', async () => {
    await cli('create', 'Okta');
    const dup = await cli('create', 'OKTA');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('A SCIM source named "OKTA" already exists');
    const badPercent = await cli('create', 'Other', '--guardrail-percent', '150');
    expect(badPercent.code).toBe(1);
    expect(badPercent.stderr).toContain('deleteGuardrail.percent: must be from 1 to 100');
    const both = await cli('create', 'Other', '--no-guardrail', '--guardrail-minimum', '3');
    expect(both.stderr).toContain('--no-guardrail cannot go with');
    expect((await cli('create', 'Other', '--on-delete', 'archive')).stderr).toContain('Allowed choices are suspend, delete');
    expect((await cli('create', 'Other', '--rate-limit', '0')).stderr).toContain('must be an integer from 1 to 10000');
    for (const cmd of ['show', 'rotate-token', 'delete']) {
      const r = await cli(cmd, 'Nope');
      expect(r.code, cmd).toBe(1);
      expect(r.stderr).toContain('No SCIM source with id or name "Nope"');
    }
    expect((await cli('list')).stdout).toContain('1 SCIM source(s)');
  }, 90_000);
});
