import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, dialects } from '../../test/db.ts';
import { analyzeTables } from './database.ts';
import { insertRows } from './insert-rows.ts';
import { perSuite } from '../../test/suite.ts';

describe.each(dialects)('analyzeTables on %s', (dialect) => {
  const database = perSuite(() => createTestDatabase(dialect));

  it("gives PostgreSQL's planner the grown size of a table (and is harmless on SQLite)", async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({
      id: `00000000-0000-7000-8000-5${String(i).padStart(11, '0')}`,
      name: `analyzed ${i}`,
      created_at: '2026-11-28T00:00:00.000Z',
    }));
    await database.db.transaction().execute((trx) => insertRows(trx, 'organizations', rows));
    await analyzeTables(database, ['organizations']);
    if (dialect === 'postgres') {
      const { rows: stats } = await sql<{ reltuples: number }>`select reltuples from pg_class where relname = 'organizations'`.execute(
        database.db,
      );
      expect(stats[0].reltuples).toBeGreaterThanOrEqual(2000);
    }
    expect(await database.db.selectFrom('organizations').select('id').where('name', 'like', 'analyzed %').execute()).toHaveLength(2000);
  });
});

describe('SQLite planner statistics', () => {
  const database = perSuite(() => createTestDatabase('sqlite'));

  it('make "these ids of the organization" use the primary key instead of reading every user of the organization', async () => {
    const { insertUsers, newUserRecord } = await import('../directory/index.ts');
    const { DEFAULT_ORGANIZATION_ID } = await import('../shared/actor.ts');
    const now = '2026-12-05T00:00:00.000Z';
    const rows = Array.from({ length: 3000 }, (_, i) =>
      newUserRecord(DEFAULT_ORGANIZATION_ID, { username: `planned.${i}`, email: `planned.${i}@example.com`, state: 'ACTIVE' }, now),
    );
    await insertUsers(database.db, rows);
    const ids = sql.join(rows.slice(0, 50).map((r) => r.id));
    const plan = async () =>
      (
        await sql<{
          detail: string;
        }>`explain query plan select * from users where organization_id = ${DEFAULT_ORGANIZATION_ID} and id in (${ids})`.execute(
          database.db,
        )
      ).rows
        .map((r) => r.detail)
        .join(' / ');
    // Without statistics SQLite prefers the unique (organization_id, username) index: a scan of the organization.
    expect(await plan()).toMatch(/\(organization_id=\?\)/);
    await analyzeTables(database, ['users']);
    expect(await plan()).toMatch(/\(id=\?\)/);

    // optimizeDatabase (start-up, hourly) does the same for a table that grew without an analyze.
    await sql`delete from sqlite_stat1`.execute(database.db);
    await sql`analyze sqlite_schema`.execute(database.db);
    expect(await plan()).toMatch(/\(organization_id=\?\)/);
    const { optimizeDatabase } = await import('./database.ts');
    await optimizeDatabase(database);
    expect(await plan()).toMatch(/\(id=\?\)/);
  });
});
