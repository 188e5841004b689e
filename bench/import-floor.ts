// The write side of an import alone: a fresh SQLite database made by the migrations, synthetic SCIM
// users mapped to candidates before the clock starts, then processBatch in one transaction per batch,
// as a run writes them (lookups included, no SCIM, no page parsing). Also counts the B-trees each
// created user lands in. Usage: node bench/import-floor.ts -- [--users 100000] [--batch 3000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createApplication } from '../server/applications/index.ts';
import { loadConfig } from '../server/config.ts';
import { createDeps } from '../server/deps.ts';
import { processBatch } from '../server/imports/batch.ts';
import { type Candidate, toCandidate } from '../server/imports/candidate.ts';
import { DEFAULT_MATCH_RULES } from '../server/imports/classify.ts';
import { newRunRow } from '../server/imports/runs.model.ts';
import * as runs from '../server/imports/runs.repository.ts';
import { systemActor } from '../server/shared/actor.ts';
import { createLogger } from '../server/shared/logger.ts';

const { values } = parseArgs({ options: { users: { type: 'string', default: '100000' }, batch: { type: 'string', default: '3000' } } });
const nUsers = Number(values.users);
const batchSize = Number(values.batch);
if (!Number.isInteger(nUsers) || nUsers < 1 || !Number.isInteger(batchSize) || batchSize < 1) {
  process.stderr.write('--users and --batch must be positive integers\n');
  process.exit(2);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-floor-'));
const config = loadConfig({ ROSTER_DATA_DIR: dir, LOG_LEVEL: 'silent', DATABASE_URL: '' });
const deps = await createDeps(config, { logger: createLogger('silent') });
const { db } = deps.database;
const actor = systemActor();
const app = await createApplication({ db, clock: deps.clock }, actor, { name: 'Floor' });
const now = new Date().toISOString();
const run = newRunRow({ applicationId: app.id, actor, mode: 'all', total: nUsers, now, running: true });
await runs.insertRun(db, run);

const first = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Linus'];
const last = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Torvalds'];
// Random-looking names so that the name and username indexes are written all over, as a real list does;
// one user in 50 has no email (failed), as real lists have a few.
const candidates: Candidate[] = [];
for (let i = 0; i < nUsers; i++) {
  const h = (i * 2654435761) % 1_000_003;
  const f = first[h % first.length];
  const l = last[(h >> 3) % last.length];
  candidates.push(
    toCandidate({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      id: `r-${h}-${i}`,
      userName: `${l}.${f}.${h}`.toLowerCase(),
      name: { givenName: f, familyName: `${l}${h % 977}` },
      displayName: `${f} ${l} ${h % 977}`,
      emails: i % 50 === 7 ? [] : [{ value: `${f}.${l}.${h}.${i}@example.com`.toLowerCase(), primary: true }],
      title: 'Engineer',
      active: true,
    }),
  );
}

const ctx = { run, app: { id: app.id, name: app.name }, actor, rules: [...DEFAULT_MATCH_RULES] };
// Pages written: each commit appends every page it dirtied to the WAL. The bench checkpoints after each
// batch itself (outside the timing) and adds up the frames each commit wrote: a count the other
// processes on the machine do not blur, unlike the time.
await sql`pragma wal_autocheckpoint = 0`.execute(db);
await sql`pragma wal_checkpoint(truncate)`.execute(db);
let ms = 0;
let cpu = 0;
let frames = 0;
for (let i = 0; i < nUsers; i += batchSize) {
  const batch = candidates.slice(i, i + batchSize);
  const t = performance.now();
  const c = process.cpuUsage();
  await db.transaction().execute((trx) => processBatch(trx, ctx, batch, i, new Date().toISOString()));
  const used = process.cpuUsage(c);
  cpu += (used.user + used.system) / 1000;
  ms += performance.now() - t;
  const { rows } = await sql<{ log: number }>`pragma wal_checkpoint(passive)`.execute(db);
  frames += Number(rows[0].log);
  await sql`pragma wal_checkpoint(truncate)`.execute(db);
}

/** B-trees a row of the table is written to: the table itself (rowid tables) and each index. */
async function btrees(table: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*) as n from pragma_index_list(${table})`.execute(db);
  const { rows: def } = await sql<{ sql: string }>`select sql from sqlite_master where name = ${table}`.execute(db);
  return Number(rows[0].n) + (/without rowid/i.test(def[0]?.sql ?? '') ? 0 : 1);
}
const perCreated: Record<string, number> = {};
for (const table of ['users', 'app_user_links', 'insight_events']) perCreated[table] = await btrees(table);
// Before 2026-12-06-002 a created user had his own result row too.
const createdRows = await sql<{ n: number }>`select count(*) as n from import_run_results where outcome = 'created'`.execute(db);
if (Number(createdRows.rows[0].n) > 0) perCreated.import_run_results = await btrees('import_run_results');
const counts = await db
  .selectFrom('import_runs')
  .select(['created', 'skipped', 'failed'])
  .where('id', '=', run.id)
  .executeTakeFirstOrThrow();
const total = Object.values(perCreated).reduce((a, b) => a + b, 0);
console.log(
  `import floor: ${nUsers} users in batches of ${batchSize}: ${(ms / 1000).toFixed(1)} s (CPU ${(cpu / 1000).toFixed(1)} s), ` +
    `${frames} pages written (${((frames * 4096) / 2 ** 20).toFixed(0)} MiB) ` +
    `(created ${counts.created}, skipped ${counts.skipped}, failed ${counts.failed})`,
);
console.log(
  `B-tree inserts per created user: ${total} (${Object.entries(perCreated)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}), ` + `plus results: ${await btrees('import_run_results')} per skipped or failed user`,
);
const ev = await sql<{ changes: number; row: number }>`select avg(length(changes)) as changes, avg(length(id) + length(organization_id)
  + length(timestamp) + length(event_type) + length(service) + length(initiated_by_type) + coalesce(length(initiated_by_id), 0)
  + coalesce(length(initiated_by_email), 0) + length(resource_type) + coalesce(length(resource_id), 0)
  + coalesce(length(resource_username), 0)
  + coalesce(length(application_id), 0) + coalesce(length(application_name), 0) + coalesce(length(import_run_id), 0)
  + coalesce(length(changes), 0)) as row from insight_events where event_type = 'user_create'`.execute(db);
console.log(`user_create event: ${Math.round(ev.rows[0].row)} bytes of text, ${Math.round(ev.rows[0].changes)} of them its changes`);
await deps.stopListener?.close();
await deps.database.close();
fs.rmSync(dir, { recursive: true, force: true });
