// PostgreSQL's bulk path for imports: N synthetic imported users with their links, user_create events
// and results, written in batches as processBatch writes them (one transaction per batch, each table
// through insertRows), through multi-row INSERTs and through COPY, each into a fresh database of one
// embedded PostgreSQL, the two taking turns batch by batch. Then a few sizes of users alone, to place
// COPY_MIN_ROWS. Wall times on a shared machine vary a lot; the CPU times (this process's, and its
// PostgreSQL backend's from /proc) much less.
// Usage: npm run bench:pg-insert -- [--users 100000] [--batch 3000] [--rounds 1] [--sizes 10,30,60,100,200,500 (empty: none)]
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { type Insertable, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { type Db, openDatabase } from '../server/db/database.ts';
import { insertRows } from '../server/db/insert-rows.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { pgClientOf } from '../server/db/pg-client.ts';
import { copyInsert } from '../server/db/pg-copy.ts';
import type { DB } from '../server/db/schema.ts';
import { creationChanges, newUserRecord, toUser } from '../server/directory/index.ts';
import { type InsightEventInput, recordMany } from '../server/insights/index.ts';
import { newRunRow } from '../server/imports/runs.model.ts';
import { DEFAULT_ORGANIZATION_ID, systemActor } from '../server/shared/actor.ts';
import { newId } from '../server/shared/ids.ts';
import { startPostgres } from './support.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '1' },
    sizes: { type: 'string', default: '10,30,60,100,200,500' },
  },
});
const nUsers = Number(values.users);
const batchSize = Number(values.batch);
const rounds = Number(values.rounds);
for (const [name, n] of [
  ['--users', nUsers],
  ['--batch', batchSize],
  ['--rounds', rounds],
]) {
  if (!Number.isInteger(n) || (n as number) < 1) {
    process.stderr.write(`${name} must be a positive integer\n`);
    process.exit(2);
  }
}

type Path = 'insert' | 'copy';
type Row<T extends keyof DB> = Insertable<DB[T]>;
/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times. */
const TICKS_PER_SECOND = 100;
const server = await startPostgres();
const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
let databases = 0;

/** A fresh migrated database; 'insert' gets a Kysely over a plain pool, where insertRows finds no client for COPY. */
async function freshDatabase(path: Path): Promise<{ db: Db; close(): Promise<void> }> {
  const name = `bench_${databases++}`;
  await admin.query(`create database ${name}`);
  const u = new URL(server.url);
  u.pathname = `/${name}`;
  if (path === 'copy') {
    const database = openDatabase(u.toString(), { poolSize: 1 });
    await migrateToLatest(database.db);
    return { db: database.db, close: () => database.close() };
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: u.toString(), max: 1 }) }) });
  await migrateToLatest(db);
  return { db, close: () => db.destroy() };
}

/** The application and run the imported rows belong to. */
async function fixtures(db: Db, now: string) {
  const app = { id: newId(), name: 'Bench App' };
  await db
    .insertInto('applications')
    .values({
      ...app,
      organization_id: DEFAULT_ORGANIZATION_ID,
      name_lower: 'bench app',
      description: '',
      created_at: now,
      updated_at: now,
    })
    .execute();
  const run = newRunRow({ applicationId: app.id, actor: systemActor(), mode: 'all', total: nUsers, now, running: true });
  await db.insertInto('import_runs').values(run).execute();
  return { app, run };
}

function userOf(f: Awaited<ReturnType<typeof fixtures>>, i: number, now: string) {
  return newUserRecord(
    DEFAULT_ORGANIZATION_ID,
    {
      username: `user${i}@example.com`,
      email: `user${i}@example.com`,
      firstname: `First\t${i}`,
      lastname: `Last "${i}" \\ o'Brien`,
      displayname: `Zoë ${i}`,
      jobTitle: 'Engineer',
      state: 'ACTIVE',
      addresses: [{ type: 'work', locality: 'London', country: 'GB' }],
      phoneNumbers: [{ type: 'work', number: '+44 20 7946 0000' }],
    },
    now,
    { applicationId: f.app.id, importRunId: f.run.id },
  );
}

/** One batch as processBatch writes it: users, links, events, results, each through insertRows. */
async function writeBatch(db: Db, f: Awaited<ReturnType<typeof fixtures>>, from: number, to: number, now: string, laps: Laps) {
  const users: Row<'users'>[] = [];
  const links: Row<'app_user_links'>[] = [];
  const events: InsightEventInput[] = [];
  const results: Row<'import_run_results'>[] = [];
  for (let i = from; i < to; i++) {
    const remoteId = `remote-${i}`;
    const user = userOf(f, i, now);
    users.push({ ...user, password_hash: null });
    links.push({
      organization_id: DEFAULT_ORGANIZATION_ID,
      application_id: f.app.id,
      user_id: user.id,
      remote_id: remoteId,
      remote_user_name: user.username,
      origin: 'import',
      created_at: now,
      updated_at: now,
    });
    events.push({
      eventType: 'user_create',
      service: 'import',
      actor: systemActor(),
      resource: { type: 'user', id: user.id, username: user.username },
      application: f.app,
      importRunId: f.run.id,
      changes: creationChanges(toUser(user)),
      timestamp: now,
    });
    results.push({
      run_id: f.run.id,
      remote_id: remoteId,
      seq: i,
      user_name: user.username,
      email: user.email,
      outcome: 'created',
      reason: null,
      user_id: user.id,
    });
  }
  await db.transaction().execute(async (trx) => {
    let t = performance.now();
    let cpu = cpuMsOf(laps.pid);
    let own = process.cpuUsage();
    const lap = (k: number) => {
      const n = performance.now();
      const c = cpuMsOf(laps.pid);
      const { user, system } = process.cpuUsage(own);
      laps.wall[k] += n - t;
      laps.server[k] += c - cpu;
      laps.client[k] += (user + system) / 1000;
      t = n;
      cpu = c;
      own = process.cpuUsage();
    };
    await insertRows(trx, 'users', users);
    lap(0);
    await insertRows(trx, 'app_user_links', links);
    lap(1);
    await recordMany({ db: trx, clock: { now: () => new Date(now) } }, events);
    lap(2);
    await insertRows(trx, 'import_run_results', results);
    lap(3);
  });
}

/**
 * The import on both paths at once, each into its own database, batch by batch and taking turns at
 * going first: on a machine others share, both see the same load and the same checkpoints.
 */
async function importBoth() {
  const now = new Date().toISOString();
  const paths = [];
  for (const path of ['insert', 'copy'] as const) {
    const { db, close } = await freshDatabase(path);
    const backend = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
    const laps: Laps = { pid: backend.rows[0].pid, wall: [0, 0, 0, 0], server: [0, 0, 0, 0], client: [0, 0, 0, 0] };
    paths.push({ path, db, close, f: await fixtures(db, now), laps, total: 0, cpu: { client: 0, server: 0 } });
  }
  for (let i = 0; i < nUsers; i += batchSize) {
    for (const p of (i / batchSize) % 2 === 0 ? paths : [...paths].reverse()) {
      const serverCpu = cpuMsOf(p.laps.pid);
      const clientCpu = process.cpuUsage();
      const t = performance.now();
      await writeBatch(p.db, p.f, i, Math.min(nUsers, i + batchSize), now, p.laps);
      p.total += performance.now() - t;
      const { user, system } = process.cpuUsage(clientCpu);
      p.cpu.client += (user + system) / 1000;
      p.cpu.server += cpuMsOf(p.laps.pid) - serverCpu;
    }
  }
  for (const p of paths) await p.close();
  return paths;
}

/** Per table (users, links, events, results), in ms: wall time, and CPU time of the PostgreSQL backend and of this process. */
interface Laps {
  pid: number;
  wall: number[];
  server: number[];
  client: number[];
}

/** CPU time a process has used (user and system), from /proc: PostgreSQL runs on this machine. */
function cpuMsOf(pid: number): number {
  // The fields after the command name, which is in parentheses; utime and stime are the 12th and 13th of them.
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/**
 * Many transactions of n users each, straight through COPY or multi-row INSERTs: per row, the wall
 * time of the insert and the CPU time of both processes over the whole loop (the users are made
 * the same way on both paths).
 */
async function perRow(path: Path, n: number): Promise<{ wall: number; cpu: number }> {
  const { db, close } = await freshDatabase(path);
  const now = new Date().toISOString();
  const f = await fixtures(db, now);
  const count = Math.max(6000, n * 10);
  const backend = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0].pid;
  const serverCpu = cpuMsOf(backend);
  const clientCpu = process.cpuUsage();
  let wall = 0;
  for (let i = 0; i < count; i += n) {
    const users: Row<'users'>[] = [];
    for (let j = i; j < i + n; j++) users.push({ ...userOf(f, j, now), password_hash: null });
    await db.transaction().execute(async (trx) => {
      const t = performance.now();
      const client = path === 'copy' ? await pgClientOf(trx) : undefined;
      if (client) await copyInsert(client, 'users', users);
      else await insertRows(trx, 'users', users);
      wall += performance.now() - t;
    });
  }
  const { user, system } = process.cpuUsage(clientCpu);
  const cpu = (user + system) / 1000 + cpuMsOf(backend) - serverCpu;
  await close();
  return { wall: (wall * 1000) / count, cpu: (cpu * 1000) / count };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
try {
  console.log(
    `${nUsers} users in batches of ${batchSize}, both paths taking turns, ${rounds} round(s); wall time (users / links / events / results)`,
  );
  for (let r = 0; r < rounds; r++) {
    for (const { path, total, laps, cpu } of await importBoth()) {
      console.log(`${path.padEnd(6)} ${s(total)} (${laps.wall.map(s).join(' / ')})`);
      console.log(
        `       CPU of this process ${s(cpu.client)}, of which insertRows ${s(sum(laps.client))} (${laps.client.map(s).join(' / ')})`,
      );
      console.log(`       CPU of its PostgreSQL backend ${s(cpu.server)} (${laps.server.map(s).join(' / ')})`);
    }
  }
  if (values.sizes) console.log('users alone, per row by rows per insertRows call: wall time of the insert, CPU time of both processes');
  for (const n of values.sizes.split(',').filter(Boolean).map(Number)) {
    const insert = await perRow('insert', n);
    const copy = await perRow('copy', n);
    const µs = (x: number) => `${x.toFixed(0)} µs`;
    console.log(
      `${String(n).padStart(5)} rows: insert ${µs(insert.wall)}, ${µs(insert.cpu)} CPU; copy ${µs(copy.wall)}, ${µs(copy.cpu)} CPU`,
    );
  }
} finally {
  await admin.end();
  await server.stop();
}
