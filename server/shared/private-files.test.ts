// The data folder and the SQLite files are readable by Roster's own user only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { loadOrCreateSecretKey } from './secret-key.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-private-'));
fs.chmodSync(work, 0o755);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const modeOf = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);

describe('private files', () => {
  it('creates the data folder 0700 and the database, its WAL and shared-memory files and the key 0600', async () => {
    const dataDir = path.join(work, 'new', 'data');
    const file = path.join(dataDir, 'roster.db');
    const database = openDatabase(`sqlite:${file}`);
    try {
      await migrateToLatest(database.db);
      await sql`select count(*) from users`.execute(database.db);
      loadOrCreateSecretKey(dataDir);
      expect(modeOf(dataDir)).toBe('700');
      expect(modeOf(path.join(work, 'new'))).toBe('700');
      for (const f of ['roster.db', 'roster.db-wal', 'roster.db-shm', 'secret.key']) expect(modeOf(path.join(dataDir, f)), f).toBe('600');
    } finally {
      await database.close();
    }
  });

  it('tightens a data folder and files an older version left readable to others', async () => {
    const dataDir = path.join(work, 'old');
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    const file = path.join(dataDir, 'roster.db');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.writeFileSync(f, '', { mode: 0o644 });
    fs.writeFileSync(path.join(dataDir, 'secret.key'), `${'ab'.repeat(32)}\n`, { mode: 0o644 });
    const database = openDatabase(`sqlite:${file}`);
    await database.close();
    loadOrCreateSecretKey(dataDir);
    expect(modeOf(dataDir)).toBe('700');
    for (const f of ['roster.db', 'roster.db-wal', 'roster.db-shm', 'secret.key']) expect(modeOf(path.join(dataDir, f)), f).toBe('600');
  });

  it('leaves a shared folder such as the temp folder as it is', async () => {
    const shared = path.join(work, 'shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o1777);
    const database = openDatabase(`sqlite:${path.join(shared, 'roster.db')}`);
    await database.close();
    expect((fs.statSync(shared).mode & 0o7777).toString(8)).toBe('1777');
    expect(modeOf(path.join(shared, 'roster.db'))).toBe('600');
  });
});
