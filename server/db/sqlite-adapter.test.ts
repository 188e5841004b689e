// Two connections to one SQLite file (the API's and an import's writer thread): a transaction that
// reads before writing must not lose its write to the other connection's commit in between.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './database.ts';

describe('SQLite transactions beside another connection', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-sqlite-'));
  const file = path.join(dir, 'two.db');
  const database = openDatabase(`sqlite:${file}`);
  afterAll(async () => {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes the write lock when the transaction begins, so its read-then-write cannot be refused halfway', async () => {
    await sql`create table counter (n integer not null)`.execute(database.db);
    await sql`insert into counter (n) values (0)`.execute(database.db);
    // The other connection gives up quickly when the lock is taken (it runs on this same thread).
    const other = new DatabaseSync(file, { timeout: 50 });
    let otherError: unknown;
    try {
      await database.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ n: number }>`select n from counter`.execute(trx);
        try {
          other.exec('update counter set n = n + 100');
        } catch (err) {
          otherError = err;
        }
        await sql`update counter set n = ${rows[0].n + 1}`.execute(trx);
      });
    } finally {
      other.close();
    }
    // The other writer waited for the lock (here: gave up), and the transaction's own write went through.
    expect(otherError).toMatchObject({ errcode: 5 }); // SQLITE_BUSY
    const { rows } = await sql<{ n: number }>`select n from counter`.execute(database.db);
    expect(rows[0].n).toBe(1);
  });

  it('waits for a lock another connection holds without stopping the event loop, then writes', async () => {
    const other = new DatabaseSync(file);
    other.exec('begin immediate');
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    // The other connection commits only when this process's timers run: a wait that blocked the event
    // loop would never see it.
    const release = setTimeout(() => other.exec('commit'), 200);
    try {
      await database.db.transaction().execute(async (trx) => {
        await sql`update counter set n = n + 1`.execute(trx);
      });
    } finally {
      clearInterval(ticker);
      clearTimeout(release);
      other.close();
    }
    expect(ticks).toBeGreaterThan(3);
    const { rows } = await sql<{ n: number }>`select n from counter`.execute(database.db);
    expect(rows[0].n).toBe(2);
  });
});
