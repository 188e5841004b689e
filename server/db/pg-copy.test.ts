// PostgreSQL's bulk path on a real PostgreSQL: COPY stores every value exactly as the multi-row
// INSERT it replaces does, counts conflicts instead of losing rows, and runs on the transaction's own
// connection.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, dialects } from '../../test/db.ts';
import { perSuite } from '../../test/suite.ts';
import { creationChanges, findUsersByIds, insertUsers, newUserRecord, toUser } from '../directory/index.ts';
import { recordMany } from '../insights/index.ts';
import { DEFAULT_ORGANIZATION_ID, systemActor } from '../shared/actor.ts';
import type { Db } from './database.ts';
import { uniqueViolation } from './errors.ts';
import { COPY_MIN_ROWS, InsertConflictError, insertRows } from './insert-rows.ts';
import { pgClientOf } from './pg-client.ts';
import { copyInsert } from './pg-copy.ts';

const org = (n: number, name = `copy ${String(n).padStart(6, '0')}`) => ({
  id: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
  name,
  created_at: '2026-12-06T00:00:00.000Z',
});
const orgs = (from: number, count: number) => Array.from({ length: count }, (_, i) => org(from + i));

/** Strings COPY's text format gives a meaning to, and others that must pass untouched. */
const AWKWARD = [
  '',
  ' ',
  'tab\there',
  'new\nline',
  'carriage\rreturn\r\n',
  'back\\slash',
  '\\N',
  '\\.',
  '\\',
  'ends with a backslash\\',
  '\\t not a tab',
  'quote "double" \'single\'',
  'comma, semicolon; pipe |',
  'unicode: Zoë Ærøskøbing 日本語 🎉 \u200b',
  '{"json":"with \\"escapes\\" and \\n","list":[1,2.5,null,true]}',
  'control \u0001\u001f\u007f',
];

describe.runIf(dialects.includes('postgres'))('insertRows through COPY on PostgreSQL', () => {
  const database = perSuite(() => createTestDatabase('postgres'));
  const names = async (db: Db, prefix: string) =>
    (await db.selectFrom('organizations').select('name').where('name', 'like', `${prefix}%`).orderBy('name').execute()).map((r) => r.name);
  /** Temporary tables of this session: the staging tables COPY has made on this connection. */
  const stagingTables = async (trx: Db) =>
    Number(
      (
        await sql<{ n: number }>`select count(*) as n from pg_class where relpersistence = 't' and relname like 'roster_copy_%'`.execute(
          trx,
        )
      ).rows[0].n,
    );

  it('stores every value exactly as the multi-row INSERT does', async () => {
    const { db } = database;
    // One table per path, with types the schema does not use (yet) as well as text and integer.
    for (const t of ['values_copy', 'values_insert']) {
      await sql
        .raw(`create table ${t} (k integer primary key, t text, i integer, n bigint, f double precision, b boolean, j jsonb)`)
        .execute(db);
    }
    const rows: Record<string, unknown>[] = [];
    AWKWARD.forEach((s, k) => rows.push({ k, t: s, i: k - 5, n: 2 ** 53 - k, f: k / 3, b: k % 2 === 0, j: JSON.stringify({ s }) }));
    rows.push({ k: 100, t: null, i: null, n: null, f: null, b: null, j: null });
    rows.push({ k: 101, t: undefined, i: 0, n: -(2 ** 40), f: -0.5e-10, b: false, j: '[]' });
    rows.push({ k: 102, t: 'x'.repeat(100_000), i: 2147483647, n: 9007199254740993n, f: 1e300, b: true, j: '{"a":{"b":[]}}' });
    await db.transaction().execute(async (trx) => {
      const client = await pgClientOf(trx);
      expect(client).toBeDefined();
      expect(await copyInsert(client!, 'values_copy', rows)).toBe(rows.length);
      await (trx as any).insertInto('values_insert').values(rows).execute();
    });
    const read = async (t: string) => (await sql.raw<Record<string, unknown>>(`select * from ${t} order by k`).execute(db)).rows;
    const copied = await read('values_copy');
    expect(copied).toEqual(await read('values_insert'));
    expect(copied.slice(0, AWKWARD.length).map((r) => r.t)).toEqual(AWKWARD);
    expect(copied.slice(0, AWKWARD.length).map((r) => r.j)).toEqual(AWKWARD.map((s) => ({ s })));
    expect(copied.at(-3)).toEqual({ k: 100, t: null, i: null, n: null, f: null, b: null, j: null });
    expect(copied.at(-2)!.t).toBeNull();
    // Past 2^53 (read as text: the app's int8 parser makes numbers of them).
    expect((await sql<{ n: string }>`select n::text as n from values_copy where k = 102`.execute(db)).rows[0].n).toBe('9007199254740993');
  });

  it("an import batch's users and events, as the directory and Insights build them, read back as they were written", async () => {
    const now = '2026-12-06T01:02:03.456Z';
    const users = Array.from({ length: COPY_MIN_ROWS + 20 }, (_, i) =>
      newUserRecord(
        DEFAULT_ORGANIZATION_ID,
        {
          username: `batch.user${i}`,
          email: `batch.user${i}@example.com`,
          firstname: AWKWARD[i % AWKWARD.length] || 'Ana',
          lastname: `O'Brien "${i}"\\`,
          displayname: 'Zoë 日本語 🎉',
          department: 'R&D\tlab',
          state: 'ACTIVE',
          addresses: [{ type: 'work', streetAddress: 'Line 1\nLine 2', locality: 'Kraków', country: 'PL' }],
          phoneNumbers: [{ type: 'work', number: '+48 12 345 67 89' }],
        },
        now,
      ),
    );
    const runId = '00000000-0000-7000-8000-0000000c0000';
    await database.db.transaction().execute(async (trx) => {
      const staging = await stagingTables(trx);
      await insertUsers(trx, users);
      await recordMany(
        { db: trx, clock: { now: () => new Date(now) } },
        users.map((u) => ({
          eventType: 'user_create',
          service: 'import',
          actor: systemActor(),
          resource: { type: 'user', id: u.id, username: u.username },
          importRunId: runId,
          changes: creationChanges(toUser(u)),
          timestamp: now,
        })),
      );
      expect(await stagingTables(trx)).toBe(staging + 2);
    });
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    const stored = await findUsersByIds(
      database.db,
      DEFAULT_ORGANIZATION_ID,
      users.map((u) => u.id),
    );
    expect(stored.sort(byId)).toEqual([...users].sort(byId));
    const events = await database.db.selectFrom('insight_events').selectAll().where('import_run_id', '=', runId).execute();
    expect(new Map(events.map((e) => [e.resource_id, JSON.parse(e.changes!)]))).toEqual(
      new Map(users.map((u) => [u.id, creationChanges(toUser(u))])),
    );
  });

  it('is what insertRows uses from COPY_MIN_ROWS rows on, and not below', async () => {
    await database.db.transaction().execute(async (trx) => {
      const before = await stagingTables(trx);
      await insertRows(trx, 'organizations', orgs(1_000, COPY_MIN_ROWS - 1));
      expect(await stagingTables(trx)).toBe(before);
      await insertRows(trx, 'organizations', orgs(2_000, COPY_MIN_ROWS));
      expect(await stagingTables(trx)).toBe(before + 1);
    });
    expect(await names(database.db, 'copy 001')).toHaveLength(COPY_MIN_ROWS - 1);
    expect(await names(database.db, 'copy 002')).toHaveLength(COPY_MIN_ROWS);
  });

  it('a second call in the same transaction stores only its own rows', async () => {
    const inserted = await database.db
      .transaction()
      .execute(async (trx) => [
        await insertRows(trx, 'organizations', orgs(3_000, 150)),
        await insertRows(trx, 'organizations', orgs(3_500, 150)),
      ]);
    expect(inserted).toEqual([150, 150]);
    expect(await names(database.db, 'copy 003')).toHaveLength(300);
  });

  it("with onConflict 'nothing', counts the rows left out: those already there and repeats within the rows", async () => {
    await insertRows(database.db, 'organizations', orgs(4_000, 10));
    const rows = [...orgs(4_000, 200), org(4_100, 'copy 004100 again')];
    const inserted = await database.db.transaction().execute((trx) => insertRows(trx, 'organizations', rows, { onConflict: 'nothing' }));
    expect(inserted).toBe(190);
    const stored = await names(database.db, 'copy 004');
    expect(stored).toHaveLength(200);
    // The first of two rows with the same key is the one kept.
    expect(stored).not.toContain('copy 004100 again');
  });

  it('without it, a conflict throws naming the table and the count, and the transaction rolls back', async () => {
    await insertRows(database.db, 'organizations', orgs(5_000, 3));
    const err = await database.db
      .transaction()
      .execute(async (trx) => {
        await insertRows(trx, 'organizations', [org(5_900, 'copy 005900 in the same transaction')]);
        await insertRows(trx, 'organizations', orgs(5_000, 300));
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsertConflictError);
    expect((err as Error).message).toBe('insertRows(organizations): 3 of 300 rows conflict with rows already there or with each other');
    expect(err).toMatchObject({ table: 'organizations', conflicted: 3 });
    // What recognizes a unique violation elsewhere recognizes this one.
    expect(uniqueViolation(err)).toBeTruthy();
    expect(await names(database.db, 'copy 005')).toEqual(orgs(5_000, 3).map((o) => o.name));
  });

  it('outside a transaction, the rows go in through a transaction of their own: all or none', async () => {
    expect(await pgClientOf(database.db)).toBeUndefined();
    expect(await insertRows(database.db, 'organizations', orgs(6_000, 200))).toBe(200);
    expect(await names(database.db, 'copy 006')).toHaveLength(200);
    await expect(insertRows(database.db, 'organizations', orgs(6_150, 200))).rejects.toThrow(InsertConflictError);
    expect(await names(database.db, 'copy 006')).toHaveLength(200);
    expect(await insertRows(database.db, 'organizations', orgs(6_150, 200), { onConflict: 'nothing' })).toBe(150);
    expect(await names(database.db, 'copy 006')).toHaveLength(350);
  });

  it('takes large batches', async () => {
    const rows = orgs(100_000, 25_000);
    expect(await database.db.transaction().execute((trx) => insertRows(trx, 'organizations', rows))).toBe(25_000);
    const stored = await names(database.db, 'copy 1');
    expect(stored).toHaveLength(25_000);
    expect(stored).toEqual(rows.map((r) => r.name));
  });

  it('a value COPY would have to guess at is refused, naming the column, and nothing is stored', async () => {
    const rows: Record<string, unknown>[] = orgs(7_000, 300);
    rows[250] = { ...rows[250], created_at: new Date() };
    await expect(database.db.transaction().execute((trx) => insertRows(trx, 'organizations', rows as never))).rejects.toThrow(
      'insertRows(organizations): column created_at holds a Date; store it as a string',
    );
    expect(await names(database.db, 'copy 007')).toEqual([]);
    // The connection is fine afterwards: every pooled one takes the next batch.
    await Promise.all(
      [0, 1, 2, 3, 4].map((k) => database.db.transaction().execute((trx) => insertRows(trx, 'organizations', orgs(7_100 + k * 150, 150)))),
    );
    expect(await names(database.db, 'copy 007')).toHaveLength(750);
  });

  it('rows that do not all name the same columns are refused', async () => {
    const rows: Record<string, unknown>[] = orgs(8_000, 300);
    const { created_at: _, ...short } = rows[120] as ReturnType<typeof org>;
    rows[120] = { ...short, name_lower: 'x' };
    await expect(database.db.transaction().execute((trx) => insertRows(trx, 'organizations', rows as never))).rejects.toThrow(
      'insertRows(organizations): every row must have the same columns',
    );
    expect(await names(database.db, 'copy 008')).toEqual([]);
  });

  it('what PostgreSQL refuses, in COPY or in the INSERT, fails the transaction, and the connection recovers', async () => {
    const badInteger = orgs(9_000, 300).map((r, i) => ({ ...r, require_admin_mfa: i === 200 ? 'not a number' : 0 }));
    await expect(database.db.transaction().execute((trx) => insertRows(trx, 'organizations', badInteger as never))).rejects.toThrow(
      /invalid input syntax for type integer/,
    );
    const nullId = orgs(9_000, 300).map((r, i) => ({ ...r, id: i === 200 ? null : r.id }));
    await expect(database.db.transaction().execute((trx) => insertRows(trx, 'organizations', nullId as never))).rejects.toThrow(
      /null value in column "id"/,
    );
    expect(await names(database.db, 'copy 009')).toEqual([]);
    await Promise.all(
      [0, 1, 2, 3, 4].map((k) => database.db.transaction().execute((trx) => insertRows(trx, 'organizations', orgs(9_500 + k * 100, 100)))),
    );
    expect(await names(database.db, 'copy 009')).toHaveLength(500);
  });

  it('a staging table made in a transaction that rolled back is made again', async () => {
    const fresh = await createTestDatabase('postgres');
    try {
      await expect(
        fresh.db.transaction().execute(async (trx) => {
          await insertRows(trx, 'organizations', orgs(10_000, 200));
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      for (let i = 0; i < 3; i++)
        await fresh.db.transaction().execute((trx) => insertRows(trx, 'organizations', orgs(10_000 + i * 200, 200)));
      expect(await names(fresh.db, 'copy 010')).toHaveLength(600);
    } finally {
      await fresh.close();
    }
  });
});
