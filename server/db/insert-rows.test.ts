import { describe, expect, it } from 'vitest';
import { createTestDatabase, dialects } from '../../test/db.ts';
import { COPY_MIN_ROWS, insertRows } from './insert-rows.ts';
import { perSuite } from '../../test/suite.ts';

const org = (id: string, name: string) => ({ id, name, created_at: '2026-11-28T00:00:00.000Z' });

describe.each(dialects)('insertRows on %s', (dialect) => {
  const database = perSuite(() => createTestDatabase(dialect));
  const names = async (prefix: string) =>
    (await database.db.selectFrom('organizations').select('name').where('name', 'like', `${prefix}%`).orderBy('name').execute()).map(
      (r) => r.name,
    );

  it("inserts many rows in the caller's transaction: they commit with it and roll back with it", async () => {
    const rows = Array.from({ length: 1200 }, (_, i) =>
      org(`00000000-0000-7000-8000-1${String(i).padStart(11, '0')}`, `bulk ${String(i).padStart(4, '0')}`),
    );
    await expect(
      database.db.transaction().execute(async (trx) => {
        await insertRows(trx, 'organizations', rows);
        expect(await trx.selectFrom('organizations').select('id').where('name', 'like', 'bulk %').execute()).toHaveLength(1200);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await names('bulk ')).toEqual([]);
    await database.db.transaction().execute((trx) => insertRows(trx, 'organizations', rows));
    expect(await names('bulk ')).toEqual(rows.map((r) => r.name));
  });

  it('works outside a transaction too', async () => {
    await insertRows(database.db, 'organizations', [
      org('00000000-0000-7000-8000-200000000001', 'plain one'),
      org('00000000-0000-7000-8000-200000000002', 'plain two'),
    ]);
    expect(await names('plain ')).toEqual(['plain one', 'plain two']);
  });

  it('a row the database refuses part way fails the whole transaction', async () => {
    const rows = [
      org('00000000-0000-7000-8000-300000000001', 'dup one'),
      org('00000000-0000-7000-8000-300000000002', 'dup two'),
      org('00000000-0000-7000-8000-300000000001', 'dup three'),
    ];
    await expect(database.db.transaction().execute((trx) => insertRows(trx, 'organizations', rows))).rejects.toThrow();
    expect(await names('dup ')).toEqual([]);
  });

  it('refuses rows that do not all name the same columns, writing none of them', async () => {
    const bad = [
      org('00000000-0000-7000-8000-400000000001', 'uneven one'),
      { id: '00000000-0000-7000-8000-400000000002', name: 'uneven two' },
    ];
    await expect(database.db.transaction().execute((trx) => insertRows(trx, 'organizations', bad as never))).rejects.toThrow();
    expect(await names('uneven ')).toEqual([]);
  });

  // Below and above the size from which PostgreSQL takes the rows through COPY.
  describe.each([3, COPY_MIN_ROWS + 50])('%i rows at a time', (size) => {
    /** Which of these rows are in the table. */
    const storedOf = (rows: { id: string }[]) =>
      database.db
        .selectFrom('organizations')
        .select('id')
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
    const many = (from: number, count = size) =>
      Array.from({ length: count }, (_, i) => org(`00000000-0000-7000-8000-5${String(from + i).padStart(11, '0')}`, `many ${from + i}`));

    it('answers how many rows went in', async () => {
      const rows = many(size * 10);
      expect(await database.db.transaction().execute((trx) => insertRows(trx, 'organizations', rows))).toBe(size);
      expect(await names(`many ${size * 10}`)).toContain(rows[0].name);
    });

    it("with onConflict 'nothing', leaves out the rows already there and counts them", async () => {
      const first = many(size * 100, 2);
      await insertRows(database.db, 'organizations', first);
      const rows = many(size * 100);
      const inserted = await database.db.transaction().execute((trx) => insertRows(trx, 'organizations', rows, { onConflict: 'nothing' }));
      expect(inserted).toBe(size - 2);
      const stored = await storedOf(rows);
      expect(stored).toHaveLength(size);
    });

    it('without it, a conflict throws and the transaction rolls back', async () => {
      const first = many(size * 1000, 1);
      await insertRows(database.db, 'organizations', first);
      const rows = many(size * 1000);
      const other = org(`00000000-0000-7000-8000-6${String(size).padStart(11, '0')}`, `other ${size}`);
      await expect(
        database.db.transaction().execute(async (trx) => {
          await insertRows(trx, 'organizations', [other]);
          await insertRows(trx, 'organizations', rows);
        }),
      ).rejects.toThrow();
      const stored = await storedOf(rows);
      expect(stored).toHaveLength(1);
      expect(await names(`other ${size}`)).toEqual([]);
    });
  });

  it('does nothing with no rows', async () => {
    const before = await names('');
    await database.db.transaction().execute((trx) => insertRows(trx, 'organizations', []));
    expect(await names('')).toEqual(before);
  });
});
