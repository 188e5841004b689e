// The system Chromium driven by playwright-core, for the portal's end-to-end tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { beforeEach } from 'vitest';

export const CHROMIUM_PATH = process.env.ROSTER_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM_PATH);
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../test-output/screenshots');

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Console errors and failed requests seen so far (a broken page often shows only there). */
  problems: string[];
  screenshot: (name: string, opts?: { fullPage?: boolean }) => Promise<string>;
  close: () => Promise<void>;
}

export async function launchBrowser(opts: { viewport?: { width: number; height: number } } = {}): Promise<TestBrowser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-chromium-'));
  // A fresh profile per run (playwright passes it as --user-data-dir).
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
    viewport: opts.viewport ?? { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    context,
    page,
    problems,
    screenshot: async (name, opts = {}) => {
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: opts.fullPage ?? true });
      return file;
    },
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A describe block that is one flow: once a step fails, the later ones are skipped (they would only
 * time out on its consequences), and the page at the failure is kept as FAILED-<prefix><test name>.
 * Call in the describe callback; `browser()` is the block's browser, once launched.
 */
export function oneFlow(browser: () => TestBrowser | undefined, prefix = ''): void {
  let broken = false;
  beforeEach(({ skip, onTestFailed, task }) => {
    if (broken) skip();
    onTestFailed(async () => {
      broken = true;
      await browser()
        ?.screenshot(`FAILED-${prefix}${task.name.slice(0, 60 - prefix.length).replace(/\W+/g, '-')}`)
        .catch(() => {});
    });
  });
}
