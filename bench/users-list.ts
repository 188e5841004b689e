// Seeds N users into a fresh SQLite database (or DATABASE_URL) and measures GET /api/v1/users latency
// over real HTTP. Usage: npm run bench:users -- [--users 100000] [--requests 400]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../server/app.ts';
import { createApiKey } from '../server/auth/index.ts';
import { loadConfig } from '../server/config.ts';
import { analyzeTables } from '../server/db/database.ts';
import { createDeps } from '../server/deps.ts';
import { insertUsers, newUserRecord, type UserRecord } from '../server/directory/index.ts';
import { DEFAULT_ORGANIZATION_ID, systemActor } from '../server/shared/actor.ts';
import { createLogger } from '../server/shared/logger.ts';

const { values } = parseArgs({ options: { users: { type: 'string', default: '100000' }, requests: { type: 'string', default: '400' } } });
const nUsers = Number(values.users);
const nRequests = Number(values.requests);
if (!Number.isInteger(nUsers) || nUsers < 1 || !Number.isInteger(nRequests) || nRequests < 1) {
  process.stderr.write('--users and --requests must be positive integers\n');
  process.exit(2);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-bench-'));
const config = loadConfig({ ROSTER_DATA_DIR: dir, LOG_LEVEL: 'silent', DATABASE_URL: process.env.DATABASE_URL ?? '' });
const deps = await createDeps(config, { logger: createLogger('silent') });
const { db } = deps.database;
const first = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Linus', 'Zoë', 'José'];
const last = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Torvalds'];

const t = performance.now();
const now = new Date().toISOString();
for (let i = 0; i < nUsers; i += 5000) {
  const batch: UserRecord[] = [];
  for (let j = i; j < Math.min(nUsers, i + 5000); j++) {
    const f = first[j % first.length];
    const l = last[(j * 7) % last.length];
    batch.push(
      newUserRecord(
        DEFAULT_ORGANIZATION_ID,
        {
          username: `${f}.${l}${j}`.toLowerCase(),
          email: `${f}.${l}${j}@example.com`.toLowerCase(),
          firstname: f,
          lastname: l,
          jobTitle: 'Engineer',
          state: j % 10 === 0 ? 'SUSPENDED' : 'ACTIVE',
          addresses: [{ type: 'work', locality: 'London', country: 'GB' }],
          phoneNumbers: [{ type: 'work', number: '+44 20 7946 0000' }],
        },
        now,
      ),
    );
  }
  await db.transaction().execute((trx) => insertUsers(trx, batch));
}
const seedMs = performance.now() - t;
// As an import leaves them: planner statistics fresh.
await analyzeTables(deps.database, ['users']);

const app = await buildApp(deps);
await app.listen({ port: 0, host: '127.0.0.1' });
const addr = app.server.address();
const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
const { key } = await createApiKey({ db, clock: deps.clock }, systemActor(), { name: 'bench', role: 'read_only' });
const headers = { authorization: `Bearer ${key}` };

async function measure(label: string, urls: () => string) {
  for (let i = 0; i < 20; i++) await (await fetch(base + urls(), { headers })).arrayBuffer();
  const times: number[] = [];
  for (let i = 0; i < nRequests; i++) {
    const url = urls();
    const s = performance.now();
    const r = await fetch(base + url, { headers });
    const body = await r.arrayBuffer();
    times.push(performance.now() - s);
    if (r.status !== 200) throw new Error(`${url}: ${r.status} ${Buffer.from(body).toString()}`);
  }
  times.sort((a, b) => a - b);
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2);
  console.log(`${label.padEnd(46)} p50 ${p(0.5)} ms  p95 ${p(0.95)} ms  p99 ${p(0.99)} ms  (${nRequests} requests)`);
}

// Cursors deep into the list, so pages other than the first are measured too.
const cursors: string[] = [];
let cursor: string | null = null;
for (let i = 0; i < 40; i++) {
  const r: { nextCursor: string | null } = (await (
    await fetch(`${base}/api/v1/users?limit=500${cursor ? `&cursor=${cursor}` : ''}`, { headers })
  ).json()) as never;
  cursor = r.nextCursor;
  if (!cursor) break;
  cursors.push(cursor);
}
let k = 0;
console.log(`Roster users list benchmark: ${nUsers} users in ${deps.database.dialect}, seeded in ${(seedMs / 1000).toFixed(1)} s`);
await measure('GET /api/v1/users?limit=50', () => '/api/v1/users?limit=50');
await measure('GET /api/v1/users?limit=50&cursor=<deep>', () =>
  cursors.length ? `/api/v1/users?limit=50&cursor=${cursors[k++ % cursors.length]}` : '/api/v1/users?limit=50',
);
await measure('GET /api/v1/users?limit=50&sort=lastname&order=desc', () => '/api/v1/users?limit=50&sort=lastname&order=desc');
await measure('GET /api/v1/users?limit=50&q=<name>', () => `/api/v1/users?limit=50&q=${last[k++ % last.length].toLowerCase()}`);
// A rare match (a number in a few usernames): what a search for one person costs.
await measure(
  'GET /api/v1/users?limit=50&q=<rare>',
  () => `/api/v1/users?limit=50&q=${10_000 + ((k++ * 7919) % Math.max(1, nUsers - 10_000))}`,
);
await app.close();
await deps.stopListener?.close();
await deps.database.close();
fs.rmSync(dir, { recursive: true, force: true });
