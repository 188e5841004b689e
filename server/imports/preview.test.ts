// The preview answers its first page while the application is still being read, shows how far the
// read has come, and finishes classifying (duplicates within the list included) when the read ends.
// The test SCIM server is reached through a proxy that holds every list request after the first until
// the test lets it through, so "still reading" is observed without any timing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { type HoldingProxy, holdingProxy } from '../../test/holding-proxy.ts';
import { connectApplication, eventually, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { loadConfig } from '../config.ts';
import { closeDeps, createDeps } from '../deps.ts';
import { DEFAULT_ORGANIZATION_ID } from '../shared/actor.ts';
import { createLogger } from '../shared/logger.ts';
import { registerWorkers } from '../workers.ts';
import { previewPage } from './preview.ts';

const person = (userName: string, email: string) => ({
  userName,
  name: { givenName: userName.split('.')[0], familyName: 'Remote' },
  emails: [{ value: email, type: 'work', primary: true }],
  active: true,
});

interface PreviewAnswer {
  items: { remoteId: string; userName: string; status: string; reasons: string[] }[];
  total: number;
  nextCursor: string | null;
  counts: { new: number; exists: number; invalid: number };
  complete: boolean;
  snapshot: { id: string; status: string; read: number; total: number; error?: string };
  estimate: { users: number; pages: number; seconds: number; text: string };
}

describe.each(dialects)('incremental preview on %s', (dialect) => {
  let t: TestApp;
  let scim: RunningScimServer;
  const ids: Record<string, string> = {};
  const USERS = 100;
  const PAGE = 20;
  beforeAll(async () => {
    // A write batch per SCIM page, so that progress shows page by page.
    t = await createTestApp(dialect, { ROSTER_IMPORT_BATCH_SIZE: String(PAGE) });
    registerWorkers(t.deps);
    await t.deps.queue.start();
    scim = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN } });
    for (let i = 0; i < USERS; i++) {
      // Two duplicates of earlier users: one within the first page (seq 2 of 0), one in the fourth (seq 70 of 1).
      const email = i === 2 ? 'user0@remote.example' : i === 70 ? 'USER1@remote.example' : `user${i}@remote.example`;
      const userName = i === 45 ? 'existing.user' : `user${String(i).padStart(3, '0')}.remote`;
      ids[i] = scim.store.addUser(person(userName, email)).id as string;
    }
    const made = await t.admin({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'existing.user', email: 'someone@directory.example' },
    });
    expect(made.statusCode, made.body).toBe(201);
  });
  afterAll(async () => {
    await scim?.stop();
    await t?.close();
  });

  const get = async (appId: string, query = '') => {
    const r = await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/import/users?limit=100${query}` });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as PreviewAnswer;
  };
  /**
   * An application connected through a holding proxy in front of the test SCIM server; the proxy lets
   * everything through and stops when fn is done.
   */
  const withHeldApp = async (
    name: string,
    settings: Record<string, unknown>,
    fn: (proxy: HoldingProxy, appId: string) => Promise<void>,
  ) => {
    const proxy = await holdingProxy(scim.baseUrl);
    try {
      await fn(proxy, await connectApplication(t, { ...scim, baseUrl: proxy.baseUrl } as RunningScimServer, name, settings));
    } finally {
      proxy.releaseAll();
      await proxy.stop();
    }
  };
  const statusOf = (p: PreviewAnswer, i: number) => p.items.find((x) => x.remoteId === ids[i])?.status;

  it('answers the first page while reading, shows progress, and classifies duplicates once the read ends', async () => {
    await withHeldApp(
      'Held App',
      {
        pageSize: PAGE,
        rateLimitPerSecond: 10,
      },
      async (proxy, appId) => {
        const first = await get(appId, '&sort=remoteOrder');
        // Only the first SCIM page is in: the rest is held by the proxy.
        expect(first.snapshot).toMatchObject({ status: 'reading', read: PAGE, total: USERS });
        expect(first.complete).toBe(false);
        expect(first.items).toHaveLength(PAGE);
        expect(first.counts.new + first.counts.exists + first.counts.invalid).toBe(PAGE);
        // The duplicate within the first page is not marked yet: only the end of the read can say.
        expect(statusOf(first, 2)).toBe('new');
        expect(first.estimate).toMatchObject({ users: USERS, pages: USERS / PAGE });
        expect(first.estimate.text).toMatch(/^100 users at 10 requests per second: /);

        // Another process (its own Deps, same database) answers from the same snapshot instead of reading again.
        const other = await createDeps(
          loadConfig({ DATABASE_URL: t.database.url, LOG_LEVEL: 'silent', ROSTER_DATA_DIR: '/tmp/roster-test-data' }),
          {
            logger: createLogger('silent'),
            secretKey: Buffer.alloc(32, 7),
          },
        );
        try {
          const requestsBefore = proxy.listRequests.length;
          const fromOther = await previewPage(other, DEFAULT_ORGANIZATION_ID, appId, { sort: 'userName', order: 'asc', limit: 5 });
          expect(fromOther.snapshot.id).toBe(first.snapshot.id);
          expect(fromOther.snapshot.status).toBe('reading');
          expect(proxy.listRequests.length).toBe(requestsBefore);
        } finally {
          await closeDeps(other, { graceMs: 0 });
        }

        // The read goes on page by page, and what is read is searched and filtered.
        proxy.release(1);
        const second = await eventually(
          async () => {
            const p = await get(appId);
            return p.snapshot.read > PAGE ? p : undefined;
          },
          20_000,
          'a second page',
        );
        expect(second.snapshot.id).toBe(first.snapshot.id);
        expect(second.snapshot.read).toBe(2 * PAGE);
        expect((await get(appId, '&q=user03')).items.map((i) => i.userName)).toEqual(
          Array.from({ length: 10 }, (_, k) => `user${String(30 + k).padStart(3, '0')}.remote`),
        );
        expect((await get(appId, '&status=new')).total).toBe(2 * PAGE);

        proxy.releaseAll();
        const done = await eventually(
          async () => {
            const p = await get(appId, '&sort=remoteOrder');
            return p.snapshot.status === 'ready' ? p : undefined;
          },
          20_000,
          'the read to end',
        );
        expect(done.snapshot).toMatchObject({ id: first.snapshot.id, read: USERS, total: USERS });
        expect(done.complete).toBe(true);
        expect(done.total).toBe(USERS);
        expect(done.counts).toEqual({ new: USERS - 3, exists: 1, conflict: 0, invalid: 2 });
        expect(statusOf(done, 2)).toBe('invalid');
        expect(done.items.find((x) => x.remoteId === ids[2])?.reasons.join()).toMatch(new RegExp(`duplicate email .*${ids[0]}`));
        expect(statusOf(done, 70)).toBe('invalid');
        expect(statusOf(done, 0)).toBe('new');
        expect(statusOf(done, 45)).toBe('exists');
        // Read once: one list request per page (and perhaps one more asking whether anything follows).
        expect(proxy.listRequests.length).toBeLessThanOrEqual(USERS / PAGE + 1);
      },
    );
  });

  it('says why a read failed after its first page to whoever watches that snapshot', async () => {
    await withHeldApp(
      'Failing App',
      {
        pageSize: PAGE,
      },
      async (proxy, appId) => {
        const first = await get(appId);
        expect(first.snapshot.status).toBe('reading');
        proxy.failFromNow();
        const failed = await eventually(
          async () => {
            const r = await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/import/users?snapshotId=${first.snapshot.id}` });
            return r.statusCode === 502 ? (r.json() as { error: { code: string; message: string } }) : undefined;
          },
          20_000,
          'the failure',
        );
        expect(failed.error.code).toBe('SCIM_REQUEST_FAILED');
        expect(failed.error.message).toMatch(/403|refused|denied|forbidden/i);
        expect(failed.error.message).not.toContain(SCIM_TOKEN);
        // Asked afresh (no snapshot watched), the preview reads the application again.
        proxy.passAgain();
        const again = await get(appId);
        expect(again.snapshot.id).not.toBe(first.snapshot.id);
        await eventually(
          async () => ((await get(appId)).snapshot.status !== 'reading' ? true : undefined),
          20_000,
          'the second read to end',
        );
      },
    );
  });

  it("says the time left of a running import, from the application's count and the integration's settings", async () => {
    await withHeldApp(
      'Timed App',
      {
        pageSize: PAGE,
        rateLimitPerSecond: 10,
      },
      async (proxy, appId) => {
        proxy.releaseAll();
        await eventually(async () => ((await get(appId)).complete ? true : undefined), 20_000, 'the preview');
        // The run reads its first page, then waits for the proxy.
        proxy.hold();
        const started = await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/import/jobs`, payload: { all: true } });
        expect(started.statusCode, started.body).toBe(202);
        const runId = started.json().run.id as string;
        const running = await eventually(
          async () => {
            const run = (await t.admin({ method: 'GET', url: `/api/v1/import-runs/${runId}` })).json();
            return run.processed === PAGE ? run : undefined;
          },
          20_000,
          'the first page imported',
        );
        expect(running.estimate).toMatchObject({ users: USERS - PAGE, pages: (USERS - PAGE) / PAGE, limitedBy: 'rateLimit' });
        expect(running.estimate.text).toMatch(/^80 users left at 10 requests per second: a few seconds$/);
        proxy.releaseAll();
        const done = await eventually(
          async () => {
            const run = (await t.admin({ method: 'GET', url: `/api/v1/import-runs/${runId}` })).json();
            return run.status === 'completed' ? run : undefined;
          },
          20_000,
          'the run to complete',
        );
        expect(done.estimate).toBeUndefined();
      },
    );
  });
});
