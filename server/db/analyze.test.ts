import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dialects, type TestDatabase } from '../../test/db.ts';
import { analyzeTables } from './database.ts';
import { insertRows } from './insert-rows.ts';

describe.each(dialects)('analyzeTables on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('gives PostgreSQL\'s planner the grown size of a table (and is harmless on SQLite)', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({ id: `00000000-0000-7000-8000-5${String(i).padStart(11, '0')}`, name: `analyzed ${i}`, created_at: '2026-11-28T00:00:00.000Z' }));
    await database.db.transaction().execute((trx) => insertRows(trx, 'organizations', rows));
    await analyzeTables(database, ['organizations']);
    if (dialect === 'postgres') {
      const { rows: stats } = await sql<{ reltuples: number }>`select reltuples from pg_class where relname = 'organizations'`.execute(database.db);
      expect(stats[0].reltuples).toBeGreaterThanOrEqual(2000);
    }
    expect(await database.db.selectFrom('organizations').select('id').where('name', 'like', 'analyzed %').execute()).toHaveLength(2000);
  });
});
