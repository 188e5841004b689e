// LISTEN/NOTIFY on a real PostgreSQL: notices arrive at commit only, and the listener comes back by
// itself when its connection is killed (as in a PostgreSQL restart), telling its owner to re-check.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dialects, type TestDatabase } from '../../test/db.ts';
import { eventually } from '../../test/idm.ts';
import { notify, PgListener } from './notify.ts';

describe.runIf(dialects.includes('postgres'))('PostgreSQL notices', () => {
  let database: TestDatabase;
  let listener: PgListener;
  const received: string[] = [];
  let reconnects = 0;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    listener = new PgListener({
      url: database.url,
      channel: 'roster_test_channel',
      onNotify: (p) => received.push(p),
      onReconnect: () => reconnects++,
      maxBackoffMs: 200,
    });
    await listener.start();
  });
  afterAll(async () => {
    await listener?.close();
    await database?.close();
  });

  it('delivers a notice when its transaction commits, never when it rolls back', async () => {
    await database.db.transaction().execute(async (trx) => notify(trx, 'roster_test_channel', 'committed'));
    await database.db
      .transaction()
      .execute(async (trx) => {
        await notify(trx, 'roster_test_channel', 'rolled back');
        throw new Error('roll back');
      })
      .catch(() => {});
    await notify(database.db, 'roster_test_channel', 'after');
    await eventually(async () => (received.includes('after') ? true : undefined), 5_000, 'the notices');
    expect(received).toEqual(['committed', 'after']);
  });

  it('reconnects after its connection is killed, and hears notices again', async () => {
    await sql`select pg_terminate_backend(pid) from pg_stat_activity
      where query ilike 'LISTEN roster_test_channel%' and pid <> pg_backend_pid()`.execute(database.db);
    await eventually(async () => (reconnects > 0 && listener.listening ? true : undefined), 10_000, 'the listener to reconnect');
    await notify(database.db, 'roster_test_channel', 'back again');
    await eventually(async () => (received.includes('back again') ? true : undefined), 5_000, 'the notice after reconnecting');
  });
});
