// The import's SQLite writer thread: large batches are written by it on its own connection, its errors
// keep SQLite's codes, and the main connection can write while it holds a batch open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { newId } from '../shared/ids.ts';
import { type BatchContext } from './batch.ts';
import { batchWriter, THREAD_MIN_BATCH } from './batch-writer.ts';
import { type Candidate, toCandidate } from './candidate.ts';
import { DEFAULT_MATCH_RULES } from './classify.ts';
import { newRunRow } from './runs.model.ts';
import * as repo from './runs.repository.ts';

const candidates = (prefix: string, n: number): Candidate[] =>
  Array.from({ length: n }, (_, i) =>
    toCandidate({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      id: `${prefix}-${i}`,
      userName: `${prefix}.${i}`,
      name: { givenName: 'Thread', familyName: `User ${i}` },
      emails: [{ value: `${prefix}.${i}@example.com`, primary: true }],
      active: true,
    }),
  );

describe('the import writer thread (SQLite)', () => {
  let t: TestApp;
  let ctx: BatchContext;
  const usersOf = async (runId: string) =>
    Number(
      (
        await t.database.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('source_import_run_id', '=', runId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    const app = (await t.admin({ method: 'POST', url: '/api/v1/applications', payload: { name: 'Thread App' } })).json();
    const run = newRunRow({
      applicationId: app.id,
      actor: t.adminActor,
      mode: 'all',
      total: 0,
      now: new Date().toISOString(),
      running: true,
    });
    await repo.insertRun(t.database.db, run);
    ctx = { run, app: { id: app.id, name: app.name }, actor: t.adminActor, rules: [...DEFAULT_MATCH_RULES] };
  });
  afterAll(async () => t?.close());

  it('writes small batches here and large ones in the thread, while the main connection writes too', async () => {
    const writer = batchWriter(t.database, ctx);
    try {
      expect(await writer.write(candidates('small', 10), 0, new Date().toISOString())).toBe(10);
      expect(writer.threaded).toBe(false);
      const large = writer.write(candidates('large', THREAD_MIN_BATCH + 100), 10, new Date().toISOString());
      expect(writer.threaded).toBe(true);
      // An admin's change while the thread writes: both go through (sqlite-adapter.test.ts has the lock rule).
      const created = await t.admin({
        method: 'POST',
        url: '/api/v1/users',
        payload: { username: 'meanwhile', email: 'meanwhile@example.com' },
      });
      expect(created.statusCode).toBe(201);
      expect(await large).toBe(THREAD_MIN_BATCH + 100);
      // Later batches go to the same thread, whatever their size.
      expect(await writer.write(candidates('after', 5), THREAD_MIN_BATCH + 110, new Date().toISOString())).toBe(5);
    } finally {
      await writer.close();
    }
    expect(await usersOf(ctx.run.id)).toBe(THREAD_MIN_BATCH + 115);
    const results = await repo.listResults(t.database.db, ctx.run.id, -1, 10_000);
    expect(results.map((r) => r.seq)).toEqual(Array.from({ length: THREAD_MIN_BATCH + 115 }, (_, i) => i));
    const run = await repo.findRun(t.database.db, null, ctx.run.id);
    expect(run).toMatchObject({ processed: THREAD_MIN_BATCH + 115, created: THREAD_MIN_BATCH + 115 });
  });

  it("reports the thread's errors with SQLite's codes, and writes nothing of the failed batch", async () => {
    // A run that is not in the database: the batch's results break their foreign key.
    const ghost = { ...ctx, run: { ...ctx.run, id: newId() } };
    const writer = batchWriter(t.database, ghost);
    try {
      const failure = writer.write(candidates('ghost', THREAD_MIN_BATCH), 0, new Date().toISOString());
      await expect(failure).rejects.toMatchObject({ message: expect.stringMatching(/FOREIGN KEY/), errcode: 787 });
      expect(writer.threaded).toBe(true);
    } finally {
      await writer.close();
    }
    expect(await usersOf(ghost.run.id)).toBe(0);
    await expect(writer.write(candidates('closed', 1), 0, new Date().toISOString())).rejects.toThrow(/closed/);
  });
});
