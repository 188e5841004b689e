// The import wizard of issue 14 in a real Chromium against a real Roster server (SQLite) and the test
// SCIM server: the statuses new, exists, conflict and invalid; an exists user's per-field diff with its
// field checkboxes; a conflict resolved; an update run and its changes; the groups tab and a group
// import with its members; the schedule form (an invalid cron refused on its field, then saved); the
// undo button with its confirmation. Screenshots under test-output/screenshots (import-sync-*).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { type RunningServer, startServer } from '../../server/server.ts';
import { ensurePortalBuilt } from '../../web/build.ts';
import { SCIM_TOKEN } from '../idm.ts';
import { TEST_NETWORK_ENV } from '../network.ts';
import { type RunningScimServer, startScimServer } from '../scim-server/index.ts';
import { hasChromium, launchBrowser, oneFlow, type TestBrowser } from './browser.ts';

const ADMIN = { email: 'sync-admin@example.com', password: 'meadow lantern 62 quiet' };
const APP = 'People Cloud';
const GROUP = 'Imported staff';
const person = (userName: string, given: string, family: string, email: string | null, extra: Record<string, unknown> = {}) => ({
  userName,
  name: { givenName: given, familyName: family },
  emails: email ? [{ value: email, primary: true }] : [],
  ...extra,
});

/** Roster in this process on a fresh SQLite folder. */
async function startRoster() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-import-sync-'));
  const config = loadConfig({
    ROSTER_DATA_DIR: dataDir,
    DATABASE_URL: '',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    ROSTER_ADMIN_EMAIL: ADMIN.email,
    ROSTER_ADMIN_PASSWORD: ADMIN.password,
    ...TEST_NETWORK_ENV,
  });
  const server = await startServer(config, { print: () => {} });
  return {
    server,
    stop: async () => {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The application's people: 3 new, 1 matching a directory user by email (with other values), 1 whose
 *  user name and email find two different directory users (conflict), 1 without an email (invalid). */
function seedApplication(scim: RunningScimServer) {
  const s = scim.store;
  const ids = [
    s.addUser(person('new.one', 'Nora', 'One', 'nora.one@example.com')),
    s.addUser(person('new.two', 'Ned', 'Two', 'ned.two@example.com')),
    s.addUser(person('new.three', 'Nia', 'Three', 'nia.three@example.com')),
    s.addUser(person('e.match', 'Erika', 'Remote', 'erika@example.com', { title: 'Director' })),
    s.addUser(person('c.dup', 'Carl', 'Dup', 'carl.other@example.com')),
    s.addUser(person('no.email', 'Nomail', 'Person', null)),
  ].map((u) => u.id);
  s.addGroup({ displayName: 'Engineering', members: [{ value: ids[0] }, { value: ids[1] }, { value: 'ghost-member' }] });
  s.addGroup({ displayName: 'Sales', members: [{ value: ids[2] }] });
}

const EXPECTED_CONSOLE = [/Failed to load resource: the server responded with a status of (400|401|409)/];

describe.skipIf(!hasChromium)('import as sync in the portal (Chromium)', () => {
  let roster: Awaited<ReturnType<typeof startRoster>>;
  let server: RunningServer;
  let scim: RunningScimServer;
  let b: TestBrowser;
  let page: Page;
  let base: string;
  let appId: string;
  let updateRunUrl: string;

  beforeAll(async () => {
    ensurePortalBuilt({ quiet: true });
    scim = await startScimServer({ users: 0, auth: { type: 'bearer', token: SCIM_TOKEN } });
    seedApplication(scim);
    roster = await startRoster();
    server = roster.server;
    base = server.url;
    b = await launchBrowser({ viewport: { width: 1440, height: 1000 } });
    page = b.page;
  }, 120_000);

  oneFlow(() => b, 'import-sync-');

  afterAll(async () => {
    await b?.close();
    await roster?.stop();
    await scim?.stop();
  });

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const shows = (locator: Locator, text: string | RegExp) => locator.filter({ hasText: text }).first().waitFor();
  const rows = () => page.locator('table[aria-label="Users in the application"] > tbody > tr[data-status]');
  const row = (userName: string) => rows().filter({ hasText: userName });
  /** The API with the page's session (the JSON content type is the CSRF proof). */
  const api = async (method: 'POST' | 'PUT', url: string, body: unknown) => {
    const res = await page.request.fetch(`${base}${url}`, { method, data: body, headers: { 'content-type': 'application/json' } });
    if (!res.ok()) throw new Error(`${method} ${url}: ${res.status()} ${await res.text()}`);
    return (await res.json()) as { id: string };
  };

  it('signs in; the directory has the users the application will match', async () => {
    await page.goto(`${base}/signin`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByRole('textbox', { name: 'Password' }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Users').waitFor();
    // By email only: e.match (other first name and job title, so a diff).
    await api('POST', '/api/v1/users', { username: 'erika.local', email: 'erika@example.com', firstname: 'Erika', lastname: 'Local' });
    // c.dup's user name finds one user, his email another: a conflict (carl.mail, the one picked below,
    // has the remote values of the fields the run takes, so he is linked, not updated).
    await api('POST', '/api/v1/users', { username: 'c.dup', email: 'carl@example.com', firstname: 'Carl', lastname: 'Name' });
    await api('POST', '/api/v1/users', { username: 'carl.mail', email: 'carl.other@example.com', firstname: 'Carl', lastname: 'Dup' });
    await api('POST', '/api/v1/groups', { name: GROUP });
    appId = (await api('POST', '/api/v1/applications', { name: APP })).id;
    await api('PUT', `/api/v1/applications/${appId}/idm`, {
      baseUrl: scim.baseUrl,
      auth: { type: 'bearer', token: SCIM_TOKEN },
      settings: { rateLimitPerSecond: 10_000, rateLimitBurst: 10_000 },
    });
    expect(appId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('shows the statuses new, exists, conflict and invalid with their counts, and a conflict with its candidates', async () => {
    await page.goto(`${base}/applications/${appId}/import`);
    await heading(`Import users from ${APP}`).waitFor();
    await page.getByText(`6 users in ${APP}: 3 new · 1 exist · 1 in conflict · 1 invalid.`).waitFor();
    for (const chip of ['New (3)', 'Exists (1)', 'Conflict (1)', 'Invalid (1)']) await page.locator('label', { hasText: chip }).waitFor();
    await shows(row('e.match'), 'matched by email');
    await shows(row('no.email'), /email/i);

    await page.locator('label', { hasText: 'Conflict (1)' }).click();
    await expect.poll(() => rows().count()).toBe(1);
    const conflict = page.getByRole('radiogroup', { name: 'Link c.dup to' });
    await conflict.getByRole('link', { name: 'c.dup' }).waitFor();
    await conflict.getByRole('link', { name: 'carl.mail' }).waitFor();
    await shows(conflict, 'by user name');
    await shows(conflict, 'by email');
    await b.screenshot('import-sync-conflict');
    await page.locator('label', { hasText: /^All$/ }).click();
    await expect.poll(() => rows().count()).toBe(6);
    await b.screenshot('import-sync-statuses');
  });

  it("opens a matched user's per-field diff; a field's checkbox chooses the run's fields", async () => {
    await row('e.match')
      .getByRole('button', { name: /Show \d+ changes?/ })
      .click();
    const diff = page.getByRole('table', { name: 'Changes of e.match' });
    await shows(diff.locator('tr[data-field="lastname"]'), 'Remote');
    await shows(diff.locator('tr[data-field="lastname"]'), 'Local');
    await shows(diff.locator('tr[data-field="jobTitle"]'), 'Director');
    // Link only: nothing is taken yet. Ticking lastname asks for updates of the chosen fields.
    expect(await diff.getByRole('checkbox', { name: 'Take lastname' }).isChecked()).toBe(false);
    await page.getByRole('group', { name: 'Fields to update' }).waitFor({ state: 'detached' });
    await diff.getByRole('checkbox', { name: 'Take lastname' }).check();
    const fields = page.getByRole('group', { name: 'Fields to update' });
    await fields.waitFor();
    expect(await fields.getByRole('checkbox', { name: 'lastname' }).isChecked()).toBe(true);
    expect(await fields.getByRole('checkbox', { name: 'jobTitle' }).isChecked()).toBe(false);
    expect(await diff.getByRole('checkbox', { name: 'Take lastname' }).isChecked()).toBe(true);
    expect(await diff.getByRole('checkbox', { name: 'Take jobTitle' }).isChecked()).toBe(false);
    await b.screenshot('import-sync-diff');
  });

  it('resolves the conflict, excludes a user, and runs the update: the button says what will happen', async () => {
    await page
      .getByRole('radiogroup', { name: 'Link c.dup to' })
      .getByRole('radio', { name: /carl\.mail/ })
      .check();
    await page.getByRole('button', { name: 'Select all (6)' }).click();
    await page.getByText('6 users selected').waitFor();
    await row('new.three').getByRole('checkbox').uncheck();
    await page.getByRole('combobox', { name: 'Add to group' }).fill('Imported');
    await page.getByRole('option', { name: GROUP }).click();
    const start = page.getByRole('button', { name: 'Import 5 users: create 2, link 1, update 1, fail 1' });
    await start.waitFor();
    await b.screenshot('import-sync-ready');
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/import/jobs'));
    await start.click();
    const body = (await posted).postDataJSON();
    expect(body.remoteIds).toHaveLength(5);
    expect(body.update).toEqual({ fields: ['lastname'] });
    expect(body.resolve).toHaveLength(1);
    expect(body.groupId).toBeTruthy();
    await page.getByText('Import completed').waitFor();
    const results = page.locator('table[aria-label="Import results"] tbody tr');
    await shows(results.filter({ hasText: 'updated' }), 'Local');
    await page.getByRole('list', { name: 'Changes of e.match' }).filter({ hasText: 'lastname' }).waitFor();
    expect(await results.filter({ hasText: 'created' }).count()).toBe(2);
    expect(await results.filter({ hasText: 'linked' }).count()).toBe(1);
    await b.screenshot('import-sync-update-results');
    await page.getByRole('link', { name: 'Run details' }).click();
    await page.getByText('users run').waitFor();
    await page.getByText('Updated 1').waitFor();
    await page.getByText('Linked 1').waitFor();
    updateRunUrl = page.url();
    await b.screenshot('import-sync-run');
  });

  it('lists the groups and imports one: the run page shows the members added and the ones not placed', async () => {
    await page.goto(`${base}/applications/${appId}/import?tab=groups`);
    const table = page.locator('table[aria-label="Groups in the application"]');
    await shows(table.locator('tbody tr').filter({ hasText: 'Engineering' }), '3');
    await shows(table.locator('tbody tr').filter({ hasText: 'Sales' }), 'new');
    await b.screenshot('import-sync-groups');
    await page.getByRole('checkbox', { name: 'Select Engineering' }).check();
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/import/group-jobs'));
    await page.getByRole('button', { name: 'Import 1 group' }).click();
    expect((await posted).postDataJSON().remoteIds).toHaveLength(1);
    await page.getByText('groups run').waitFor();
    await page
      .getByText(/completed/)
      .first()
      .waitFor({ timeout: 20_000 });
    const results = page.locator('table[aria-label="Import results"] tbody tr');
    await shows(results.filter({ hasText: 'Engineering' }), '2 added');
    await shows(page.getByRole('list', { name: 'Members of Engineering not placed' }), 'ghost-member');
    await b.screenshot('import-sync-group-run');
  });

  it('refuses an invalid cron on its field, then saves a schedule with its next run', async () => {
    await page.goto(`${base}/applications/${appId}/import?tab=settings`);
    await page.getByRole('list', { name: 'Match rules in order' }).waitFor();
    await page.getByRole('button', { name: 'Move email up' }).click();
    await page.getByRole('switch', { name: 'Import on a schedule' }).check();
    const zone = await page.getByRole('combobox', { name: 'Time zone' }).inputValue();
    expect(zone).toBe(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone));
    const cron = page.getByRole('textbox', { name: 'Cron expression' });
    await cron.fill('every day at two');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('The settings were not saved').waitFor();
    expect(await cron.getAttribute('aria-invalid')).toBe('true');
    await b.screenshot('import-sync-cron-error');
    await cron.fill('30 2 * * 1-5');
    await page.getByText('Every weekday at 02:30').waitFor();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await page.getByTestId('next-run').waitFor();
    expect(await cron.getAttribute('aria-invalid')).not.toBe('true');
    await b.screenshot('import-sync-schedule');
  });

  it('undoes the update run after a confirmation that counts what it does, and follows the undo run', async () => {
    await page.goto(updateRunUrl);
    await page.getByRole('button', { name: 'Undo this import' }).click();
    const dialog = page.getByRole('dialog', { name: 'Undo this import' });
    await dialog.getByRole('list', { name: 'What the undo does' }).getByRole('listitem').first().waitFor();
    await dialog.getByRole('radio', { name: 'Suspend them' }).check();
    await b.screenshot('import-sync-undo-confirm');
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/undo'));
    await dialog.getByRole('button', { name: 'Undo the import' }).click();
    expect((await posted).postDataJSON()).toEqual({ users: 'suspend' });
    await page.getByText('undo run').waitFor();
    await page.getByRole('link', { name: 'The run it undoes' }).waitFor();
    await page.getByText(/Reverted [1-9]/).waitFor({ timeout: 20_000 });
    await b.screenshot('import-sync-undo-run');
    await page.getByRole('link', { name: 'The run it undoes' }).click();
    await page.getByRole('link', { name: 'Undone: see the undo run' }).waitFor();
    expect(await page.getByRole('button', { name: 'Undo this import' }).count()).toBe(0);
    const problems = b.problems.filter((p) => !EXPECTED_CONSOLE.some((re) => re.test(p)));
    expect(problems).toEqual([]);
  });
});
