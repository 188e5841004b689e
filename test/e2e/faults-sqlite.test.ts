// SQLite cannot write (the disk is full: simulated with max_page_count, which makes SQLite answer
// SQLITE_FULL exactly as a full disk does) in the middle of an import: the run ends with a clear error,
// the API answers with its error body, the database stays intact, and once there is room again a new
// import creates the rest, each remote user exactly once.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWorkers } from '../../server/workers.ts';
import { createTestApp, type TestApp } from '../app.ts';
import { connectApplication, SCIM_TOKEN } from '../idm.ts';
import { importRuns } from './import-runs.ts';
import { type RunningScimServer, startScimServer } from '../scim-server/index.ts';

const USERS = 1500;

describe('a SQLite database that cannot grow (full disk) during an import', () => {
  let t: TestApp;
  let scim: RunningScimServer;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { ROSTER_IMPORT_BATCH_SIZE: '50' });
    registerWorkers(t.deps);
    await t.deps.queue.start();
    scim = await startScimServer({ users: USERS, seed: 4, auth: { type: 'bearer', token: SCIM_TOKEN }, logRequests: false });
  });
  afterAll(async () => {
    await scim?.stop();
    await t?.close();
  });

  it('fails the run clearly, keeps the database intact, and imports the rest once there is room', async () => {
    const { db } = t.database;
    const appId = await connectApplication(t, scim, 'Full Disk App', { pageSize: 50 });
    const runs = importRuns(t);
    /** Users but the one the full disk refused. */
    const importedUsers = async () =>
      Number(
        (
          await db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('username', '!=', 'no.room')
            .executeTakeFirstOrThrow()
        ).n,
      );
    scim.setQuirks({ latencyMs: 10 });
    const firstId = await runs.start(appId);
    await runs.progressed(firstId, 200);

    // No more pages for the file: as a full disk.
    const pages = Number((await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0].page_count);
    await sql.raw(`pragma max_page_count = ${pages + 2}`).execute(db);
    const failed = await runs.ended(firstId, 'the run to stop');
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/full/i);
    // The API says so in its error body, and keeps answering reads.
    const full = Number((await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0].page_count);
    await sql.raw(`pragma max_page_count = ${full}`).execute(db);
    const refused = await t.admin({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'no.room', email: 'no.room@example.com', displayname: 'x'.repeat(200), jobTitle: 'y'.repeat(200) },
    });
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error).toMatchObject({ code: 'STORAGE_UNAVAILABLE', message: expect.stringMatching(/full/) });
    expect((await t.admin({ method: 'GET', url: '/api/v1/users?limit=5' })).statusCode).toBe(200);

    await sql.raw('pragma max_page_count = 1073741823').execute(db);
    expect((await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db)).rows[0].integrity_check).toBe('ok');
    const createdBefore = await importedUsers();
    expect(createdBefore).toBeGreaterThanOrEqual(200);
    expect(createdBefore).toBeLessThan(USERS);

    scim.setQuirks({ latencyMs: 0 });
    const done = await runs.ended(await runs.start(appId), 'the second import to finish');
    expect(done).toMatchObject({ status: 'completed', failed: 0 });
    const links = Number(
      (
        await db
          .selectFrom('app_user_links')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('application_id', '=', appId)
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(links).toBe(USERS);
    expect(await importedUsers()).toBe(USERS);
  }, 300_000);
});
