// Account registration in a real Chromium, on both databases: a real Roster server (in this process)
// emails the activation link to a real SMTP receiver; the link is read out of the received message and
// followed in the browser, the password is set on the public set-password page, and the user signs in
// on the user portal. Then the admin's activation buttons. Screenshots under test-output/screenshots.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import type { Dialect } from '../../server/db/database.ts';
import { type RunningServer, startServer } from '../../server/server.ts';
import { ensurePortalBuilt } from '../../web/build.ts';
import { LINK, OTHER_STRONG_PASSWORD, STRONG_PASSWORD } from '../accounts.ts';
import { createTestDatabaseUrl, dialects } from '../db.ts';
import { eventually } from '../idm.ts';
import { parseMime, SmtpReceiver } from '../smtp-receiver.ts';
import { CHROMIUM_PATH, hasChromium, launchBrowser, SCREENSHOT_DIR, type TestBrowser, oneFlow } from './browser.ts';
import { freePort } from './process.ts';
import { TEST_NETWORK_ENV } from '../network.ts';

const ADMIN = { email: 'accounts-admin@example.com', password: 'accounts admin password 1' };
const USER = {
  username: 'grace.hopper',
  email: 'grace.hopper@example.org',
  displayname: 'Grace Hopper',
  jobTitle: 'Rear Admiral',
  department: 'Navy Programming',
};
const INVALID_TITLE = 'This link is no longer valid';

/** Roster in this process on a fresh database of the dialect, mailing through `smtpUrl`. */
async function startRoster(dialect: Dialect, smtpUrl: string) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-accounts-browser-'));
  const db = await createTestDatabaseUrl(dialect);
  const port = await freePort();
  const config = loadConfig({
    ...TEST_NETWORK_ENV,
    ROSTER_DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SMTP_URL: smtpUrl,
    MAIL_FROM: 'Roster <roster@example.test>',
    LOG_LEVEL: 'silent',
    ROSTER_ADMIN_EMAIL: ADMIN.email,
    ROSTER_ADMIN_PASSWORD: ADMIN.password,
  });
  let server: RunningServer | undefined;
  try {
    server = await startServer(config, { print: () => {} });
  } catch (err) {
    await db.drop();
    throw err;
  }
  const running = server;
  return {
    server: running,
    stop: async () => {
      await running.stop();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until the element shows the text (playwright-core has no expect of its own). */
const shows = (locator: Locator, text: string | RegExp) => locator.filter({ hasText: text }).first().waitFor();

/**
 * Chromium logs every 4xx fetch as a console error; these are the answers the flow asks for (weak password,
 * wrong password, used link, signed out).
 */
const EXPECTED_CONSOLE = [/Failed to load resource: the server responded with a status of (400|401|410)/];

describe.skipIf(!hasChromium)('account registration in Chromium', () => {
  let b: TestBrowser;
  let page: Page;
  /** Every API call the browser made, as "METHOD /path". */
  const apiCalls: string[] = [];

  beforeAll(async () => {
    ensurePortalBuilt({ quiet: true });
    for (const f of fs.existsSync(SCREENSHOT_DIR) ? fs.readdirSync(SCREENSHOT_DIR) : [])
      if (f.startsWith('FAILED-account-')) fs.rmSync(path.join(SCREENSHOT_DIR, f));
    b = await launchBrowser();
    page = b.page;
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/api/')) apiCalls.push(`${r.method()} ${url.pathname}`);
    });
  }, 120_000);

  afterAll(async () => {
    await b?.close();
  });

  describe.each(dialects)('on %s', (dialect) => {
    const smtp = new SmtpReceiver();
    let roster: Awaited<ReturnType<typeof startRoster>>;
    let base: string;
    let adminCookie: string;
    let userId: string;
    let link: string;

    beforeAll(async () => {
      await smtp.start();
      roster = await startRoster(dialect, smtp.url);
      base = roster.server.url;
      apiCalls.length = 0;
      // Cookies are per host, not per port: the previous dialect's server ran on 127.0.0.1 too.
      await b.context.clearCookies();
    }, 60_000);

    afterAll(async () => {
      await roster?.stop();
      await smtp.stop();
    });

    oneFlow(() => b, `account-${dialect}-`);

    const adminApi = async (method: string, url: string, body?: unknown) => {
      const r = await fetch(`${base}${url}`, {
        method,
        headers: { 'content-type': 'application/json', ...(adminCookie ? { cookie: adminCookie } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : undefined, setCookie: r.headers.getSetCookie() };
    };
    const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
    /** The newest email to `to`, its text part, and the activation link in it. */
    const activationMail = async (to: string, after = 0) => {
      const msg = await eventually(
        async () => smtp.messages.slice(after).find((m) => m.to.includes(to)),
        20_000,
        `the activation email to ${to}`,
      );
      const mail = await parseMime(msg.raw);
      const text = mail.parts.find((p) => p.headers['content-type']?.startsWith('text/plain'))!.text;
      return { mail, text, link: LINK.exec(text)?.[0] };
    };
    const noHorizontalScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

    it('emails a PENDING user the link to the set-password page (admin API)', async () => {
      const login = await adminApi('POST', '/api/v1/auth/login', ADMIN);
      expect(login.status).toBe(200);
      adminCookie = login.setCookie.find((c) => c.startsWith('roster_session='))!.split(';')[0];
      const created = await adminApi('POST', '/api/v1/users', USER);
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      expect(created.json).toMatchObject({ state: 'ACTIVE', passwordStatus: 'PENDING' });
      userId = created.json.id;

      const sent = await adminApi('POST', `/api/v1/users/${userId}/activation-email`);
      expect(sent.status, JSON.stringify(sent.json)).toBe(202);
      const { mail, text, link: found } = await activationMail(USER.email);
      expect(mail.headers.subject).toBe('Complete your Roster account: choose your password');
      expect(text).toContain('Hello Grace Hopper,');
      expect(found, text).toBeTruthy();
      expect(found!.startsWith(`${base}/account/set-password?token=`)).toBe(true);
      link = found!;
    });

    it('opens the link without an admin session: whom the account is for, the policy, and a narrow window', async () => {
      await page.goto(link);
      await heading('Set your password').waitFor();
      expect(new URL(page.url()).pathname).toBe('/account/set-password');
      const account = page.getByLabel('The account');
      await shows(account, 'Account of Grace Hopper');
      await shows(account, 'grace.hopper');
      // The address is masked: enough to recognise, not to harvest.
      await shows(account, 'g•••r@example.org');
      expect(await account.innerText()).not.toContain(USER.email);
      await page.getByText('Must not be one of the most common passwords', { exact: true }).waitFor();
      await page.getByText('At least 12 and at most 128 characters', { exact: true }).waitFor();
      // The first field has the keyboard.
      expect(await page.evaluate(() => document.activeElement?.getAttribute('autocomplete'))).toBe('new-password');
      await b.screenshot('set-password');

      await page.setViewportSize({ width: 360, height: 740 });
      await page.getByRole('button', { name: 'Set password' }).waitFor();
      expect(await noHorizontalScroll()).toBe(true);
      await b.screenshot('set-password-narrow');
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    it('refuses a short, a common and a mistyped password, each with its message under the field', async () => {
      const password = page.getByRole('textbox', { name: 'New password', exact: true });
      const confirm = page.getByRole('textbox', { name: 'Repeat the new password' });
      const submit = page.getByRole('button', { name: 'Set password' });

      // Too short: said at once, nothing sent.
      const before = apiCalls.length;
      await password.fill('short');
      await confirm.fill('short');
      await submit.click();
      await page.getByText('Must be at least 12 characters (it has 5)').waitFor();
      expect(await password.getAttribute('aria-invalid')).toBe('true');
      expect(apiCalls.slice(before).filter((c) => c.startsWith('POST'))).toEqual([]);

      // Long enough but among the most common passwords: the server's policy message, keyboard back on the field.
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/account/activation') && r.request().method() === 'POST');
      await password.fill('password1234');
      await confirm.fill('password1234');
      await page.keyboard.press('Enter');
      expect((await answered).status()).toBe(400);
      await page.getByText(/^Is too common: it is one of the most used passwords/).waitFor();
      expect(await password.getAttribute('aria-invalid')).toBe('true');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid'))).toBe('true');
      await b.screenshot('set-password-refused');
      // Containing the username.
      await password.fill('grace.hopper-2026-x');
      await confirm.fill('grace.hopper-2026-x');
      await submit.click();
      await page.getByText('Must not be or contain your username', { exact: true }).waitFor();

      // Two different entries.
      await password.fill(STRONG_PASSWORD);
      await confirm.fill(`${STRONG_PASSWORD}!`);
      await submit.click();
      await page.getByText('Must be the same as the password').waitFor();
      expect(await confirm.getAttribute('aria-invalid')).toBe('true');
    });

    it('sets a strong password twice and shows that the registration is complete', async () => {
      await page.getByRole('textbox', { name: 'Repeat the new password' }).fill(STRONG_PASSWORD);
      await page.getByRole('button', { name: 'Set password' }).click();
      await heading('Registration complete').waitFor();
      await page.getByText('Your password is set').waitFor();
      await b.screenshot('registration-complete');
      const user = await adminApi('GET', `/api/v1/users/${userId}`);
      expect(user.json.passwordStatus).toBe('ACTIVE');
    });

    it('signs in on the user portal with the username and shows the profile', async () => {
      await page.getByRole('link', { name: 'Sign in to your account' }).click();
      await heading('Sign in to your account').waitFor();
      const login = page.getByRole('textbox', { name: 'Username or email' });
      expect(await login.inputValue()).toBe(USER.username);
      const password = page.getByRole('textbox', { name: 'Password' });
      await password.fill('not the password at all');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await shows(page.getByRole('alert'), 'Username, email or password is incorrect');
      await password.fill(STRONG_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await heading('Grace Hopper').waitFor();
      expect(new URL(page.url()).pathname).toBe('/account/profile');
      const profile = page.getByLabel('Profile');
      await shows(profile, USER.email);
      await shows(profile, 'Rear Admiral');
      await shows(profile, 'Navy Programming');
      await b.screenshot('user-profile');
    });

    it('changes the password, signs out, and signs in again with the email address', async () => {
      const current = page.getByRole('textbox', { name: 'Current password' });
      const next = page.getByRole('textbox', { name: 'New password', exact: true });
      const repeat = page.getByRole('textbox', { name: 'Repeat the new password' });
      await current.fill('not my password at all');
      await next.fill(OTHER_STRONG_PASSWORD);
      await repeat.fill(OTHER_STRONG_PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('Is not correct').waitFor();
      expect(await current.getAttribute('aria-invalid')).toBe('true');
      await current.fill(STRONG_PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
      await shows(page.getByRole('status'), 'Password changed');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await heading('Sign in to your account').waitFor();
      await shows(page.getByRole('status'), 'You are signed out.');
      // The profile now asks to sign in, and never sends to the admin sign-in.
      await page.goto(`${base}/account/profile`);
      await heading('Sign in to your account').waitFor();
      expect(new URL(page.url()).pathname).toBe('/account');

      await page.getByRole('textbox', { name: 'Username or email' }).fill(USER.email);
      await page.getByRole('textbox', { name: 'Password' }).fill(STRONG_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await shows(page.getByRole('alert'), 'Username, email or password is incorrect');
      await page.getByRole('textbox', { name: 'Password' }).fill(OTHER_STRONG_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await heading('Grace Hopper').waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await heading('Sign in to your account').waitFor();
    });

    it('shows one "no longer valid" page for the used link, a forged, a cut, an overlong and a missing one', async () => {
      await page.goto(link);
      await heading(INVALID_TITLE).waitFor();
      const alert = page.getByRole('alert');
      await shows(alert, 'Ask your administrator to send you a new activation email');
      const usedText = await alert.innerText();
      await b.screenshot('link-invalid');

      const token = new URL(link).searchParams.get('token')!;
      const forged = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      for (const other of [`?token=${forged}`, `?token=${token.slice(0, 20)}`, `?token=${token.repeat(6)}`, '', '?token=']) {
        await page.goto(`${base}/account/set-password${other}`);
        await heading(INVALID_TITLE).waitFor();
        // Word for word the same: nothing tells a used link from one that never existed.
        expect(await page.getByRole('alert').innerText(), other).toBe(usedText);
      }
      await page.setViewportSize({ width: 360, height: 740 });
      expect(await noHorizontalScroll()).toBe(true);
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    it('used only the public account API, never the admin API', () => {
      const outside = apiCalls.filter((c) => !/^(GET|POST) \/api\/v1\/account\//.test(c));
      expect(outside).toEqual([]);
      expect(apiCalls).toContain('POST /api/v1/account/activation');
      expect(apiCalls).toContain('GET /api/v1/account/me');
    });

    it('lets the admin send one activation email from the user page and email every PENDING user from the list', async () => {
      const two = await adminApi('POST', '/api/v1/users', {
        username: 'alan.turing',
        email: 'alan.turing@example.org',
        displayname: 'Alan Turing',
      });
      const three = await adminApi('POST', '/api/v1/users', {
        username: 'ada.lovelace',
        email: 'ada.lovelace@example.org',
        displayname: 'Ada Lovelace',
      });
      expect([two.status, three.status]).toEqual([201, 201]);

      await page.goto(`${base}/users/${userId}`);
      await page.waitForURL(/\/signin\?next=/);
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByRole('textbox', { name: 'Password' }).fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await heading(USER.username).waitFor();
      // Registered: no activation email to offer, the admin can still set a password.
      await page.getByRole('button', { name: 'Set password' }).waitFor();
      expect(await page.getByRole('button', { name: 'Send activation email' }).count()).toBe(0);

      await page.goto(`${base}/users/${two.json.id}`);
      await heading('alan.turing').waitFor();
      const mails = smtp.messages.length;
      await page.getByRole('button', { name: 'Send activation email' }).click();
      await shows(page.getByRole('status'), 'An activation email is on its way to alan.turing@example.org');
      expect((await activationMail('alan.turing@example.org', mails)).link).toBeTruthy();

      await page.goto(`${base}/users`);
      await page.getByRole('button', { name: 'Email PENDING users…' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Send emails' }).click();
      // Alan was emailed a moment ago: skipped with the reason; Ada gets hers; Grace is registered.
      await shows(dialog.getByRole('status'), '1 activation email queued out of 2 users; 1 skipped.');
      await shows(dialog.getByRole('list', { name: 'Skipped users' }), 'alan.turing');
      await b.screenshot('users-bulk-activation');
      await dialog.getByRole('button', { name: 'Close' }).click();
      expect((await activationMail('ada.lovelace@example.org', mails)).link).toBeTruthy();
    });

    it('logged no unexpected errors in the browser', () => {
      expect(b.problems.filter((p) => !EXPECTED_CONSOLE.some((re) => re.test(p)))).toEqual([]);
      b.problems.length = 0;
    });
  });
});

if (!hasChromium)
  process.stderr.write(
    `\naccount registration browser tests SKIPPED: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set ROSTER_CHROMIUM)\n`,
  );
// Only without Chromium: a skipped placeholder that says what is missing.
if (!hasChromium) {
  describe('account registration in Chromium', () => {
    it.skip(`needs Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set ROSTER_CHROMIUM); CI installs it`, () => {});
  });
}
