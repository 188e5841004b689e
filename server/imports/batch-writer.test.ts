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

const one = (id: string, userName: string, email: string): Candidate =>
  toCandidate({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id,
    userName,
    emails: [{ value: email, primary: true }],
    active: true,
  });

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
      expect(await writer.write(candidates('small', 10), 0, new Date().toISOString())).toEqual({ processed: 10, updated: [] });
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
      expect(await large).toEqual({ processed: THREAD_MIN_BATCH + 100, updated: [] });
      // Later batches go to the same thread, whatever their size.
      expect(await writer.write(candidates('after', 5), THREAD_MIN_BATCH + 110, new Date().toISOString())).toEqual({
        processed: 5,
        updated: [],
      });
    } finally {
      await writer.close();
    }
    expect(await usersOf(ctx.run.id)).toBe(THREAD_MIN_BATCH + 115);
    const results = await repo.listResults(t.database.db, ctx.run.id, -1, 10_000);
    expect(results.map((r) => r.seq)).toEqual(Array.from({ length: THREAD_MIN_BATCH + 115 }, (_, i) => i));
    const run = await repo.findRun(t.database.db, null, ctx.run.id);
    expect(run).toMatchObject({ processed: THREAD_MIN_BATCH + 115, created: THREAD_MIN_BATCH + 115 });
  });

  it("a dry run's thread knows what the batches before it would have created, and keeps what its own would have", async () => {
    const run = { ...ctx.run, id: newId(), dry_run: 1 };
    await repo.updateRun(t.database.db, ctx.run.id, { status: 'completed' }); // one unfinished run per application
    await repo.insertRun(t.database.db, run);
    const writer = batchWriter(t.database, { ...ctx, run });
    const now = () => new Date().toISOString();
    try {
      await writer.write(candidates('dsmall', 10), 0, now());
      // The thread starts with this batch: dsmall.3's email, in other letters, is taken by then.
      await writer.write([...candidates('dlarge', THREAD_MIN_BATCH), one('dup-1', 'dup.1', 'DSMALL.3@example.com')], 10, now());
      expect(writer.threaded).toBe(true);
      await writer.write([one('dup-2', 'DLarge.7', 'dup.2@example.com')], THREAD_MIN_BATCH + 11, now());
    } finally {
      await writer.close();
    }
    const failed = await repo.listResults(t.database.db, run.id, -1, 10, 'failed');
    expect(failed.map((r) => [r.remote_id, r.code, r.reason])).toEqual([
      ['dup-1', 'duplicate', expect.stringContaining('dsmall-3')],
      ['dup-2', 'duplicate', expect.stringContaining('dlarge-7')],
    ]);
    expect(await repo.findRun(t.database.db, null, run.id)).toMatchObject({ created: THREAD_MIN_BATCH + 10, failed: 2 });
    expect(await usersOf(run.id)).toBe(0);
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
