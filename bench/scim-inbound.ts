// Inbound SCIM (issue 13): Roster as a SCIM service provider, in a process of its own as `npm start` runs
// it. Creates --creates users through POST /scim/v2/Users with --clients concurrent clients (creates per
// second), fills the directory up to --users the same way, then times `userName eq` lookups and list
// pages of 100 at random offsets (p50/p95), on SQLite and, with --postgres, on PostgreSQL.
//   npm run bench:scim-inbound -- [--creates 10000] [--users 100000] [--clients 8] [--postgres]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { adminApi, must, rssOf, startPostgres, startRoster } from './support.ts';

const { values } = parseArgs({
  options: {
    creates: { type: 'string', default: '10000' },
    users: { type: 'string', default: '100000' },
    clients: { type: 'string', default: '8' },
    lookups: { type: 'string', default: '2000' },
    postgres: { type: 'boolean', default: false },
  },
});
function wholeFlag(name: 'creates' | 'users' | 'clients' | 'lookups', min: number, max: number): number {
  const n = Number(values[name]);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  process.stderr.write(`--${name} must be a whole number from ${min} to ${max}\n`);
  process.exit(2);
}
const creates = wholeFlag('creates', 1, 1_000_000);
const total = Math.max(creates, wholeFlag('users', 1, 2_000_000));
const clients = wholeFlag('clients', 1, 64);
const lookups = wholeFlag('lookups', 10, 100_000);

const ADMIN = { email: 'bench@example.com', password: 'measured tortoise lantern' };
const userName = (i: number) => `bench.user${String(i).padStart(7, '0')}`;
const body = (i: number) =>
  JSON.stringify({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    userName: userName(i),
    externalId: `hr-${i}`,
    name: { givenName: 'Bench', familyName: `User ${i}` },
    displayName: `Bench User ${i}`,
    title: 'Engineer',
    emails: [{ value: `${userName(i)}@example.com`, type: 'work', primary: true }],
    phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
    active: true,
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: String(i), department: 'R&D' },
  });

const quantile = (ms: number[], q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
const summary = (ms: number[]) => {
  ms.sort((a, b) => a - b);
  return `p50 ${quantile(ms, 0.5).toFixed(2)} ms, p95 ${quantile(ms, 0.95).toFixed(2)} ms, worst ${ms[ms.length - 1].toFixed(1)} ms`;
};

const pg = values.postgres ? await startPostgres() : undefined;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-bench-scim-inbound-'));
// BENCH_NODE_ARGS: extra flags for the Roster process (--cpu-prof, heap settings).
const roster = await startRoster(
  'roster',
  { ROSTER_DATA_DIR: dataDir, DATABASE_URL: pg?.url ?? '', ROSTER_ADMIN_EMAIL: ADMIN.email, ROSTER_ADMIN_PASSWORD: ADMIN.password },
  (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
);
try {
  const api = await adminApi(roster.url!, ADMIN);
  // The bench measures what the endpoint can take: the source's own rate limit is raised out of the way.
  const source = await must(api, 'POST', '/api/v1/scim-sources', { name: 'Bench HR', settings: { rateLimitPerSecond: 10_000 } });
  const base = `${roster.url}/scim/v2`;
  const headers = { authorization: `Bearer ${source.token}`, 'content-type': 'application/scim+json' };

  /** Creates users from..to-1 with `clients` concurrent clients; the latency of each create. */
  async function createRange(from: number, to: number): Promise<number[]> {
    let next = from;
    const ms: number[] = [];
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let i = next++; i < to; i = next++) {
          const t = performance.now();
          const r = await fetch(`${base}/Users`, { method: 'POST', headers, body: body(i) });
          const text = await r.text();
          if (r.status !== 201) throw new Error(`create ${i}: ${r.status} ${text}`);
          ms.push(performance.now() - t);
        }
      }),
    );
    return ms;
  }

  const t0 = performance.now();
  const createMs = await createRange(0, creates);
  const createS = (performance.now() - t0) / 1000;
  if (total > creates) await createRange(creates, total);
  const fillRss = rssOf(roster.child.pid, 'VmHWM');

  const get = async (url: string) => {
    const t = performance.now();
    const r = await fetch(url, { headers });
    const json = (await r.json()) as { totalResults?: number };
    if (r.status !== 200) throw new Error(`${url}: ${r.status} ${JSON.stringify(json)}`);
    return { ms: performance.now() - t, json };
  };
  // Warm-up, then one request at a time, as an identity provider's lookup before each create.
  for (let i = 0; i < 50; i++) await get(`${base}/Users?filter=${encodeURIComponent(`userName eq "${userName(i)}"`)}`);
  const eqMs: number[] = [];
  for (let i = 0; i < lookups; i++) {
    const n = Math.floor(Math.random() * total);
    const { ms, json } = await get(`${base}/Users?filter=${encodeURIComponent(`userName eq "${userName(n).toUpperCase()}"`)}`);
    if (json.totalResults !== 1) throw new Error(`userName eq ${userName(n)} found ${json.totalResults}`);
    eqMs.push(ms);
  }
  const extMs: number[] = [];
  for (let i = 0; i < lookups / 4; i++) {
    const n = Math.floor(Math.random() * total);
    extMs.push((await get(`${base}/Users?filter=${encodeURIComponent(`externalId eq "hr-${n}"`)}`)).ms);
  }
  const pageMs: number[] = [];
  for (let i = 0; i < lookups / 4; i++) {
    const start = 1 + Math.floor(Math.random() * (total - 100));
    const { ms, json } = await get(`${base}/Users?startIndex=${start}&count=100`);
    if (json.totalResults !== total) throw new Error(`the list says ${json.totalResults} users, not ${total}`);
    pageMs.push(ms);
  }
  // An identity provider reads from the start, a page at a time.
  const firstMs: number[] = [];
  for (let start = 1; start <= Math.min(total, 5000); start += 100)
    firstMs.push((await get(`${base}/Users?startIndex=${start}&count=100`)).ms);
  const stats = await must(api, 'GET', `/api/v1/scim-sources/${source.id}/stats`).catch(() => undefined);

  console.log(
    `Inbound SCIM benchmark: ${pg ? 'postgres' : 'sqlite'}, ${clients} concurrent clients, ${total.toLocaleString('en')} users in the end`,
  );
  console.log(
    `  creates:             ${creates.toLocaleString('en')} in ${createS.toFixed(1)} s = ${Math.round(creates / createS)}/s ` +
      `(target >= 1,000/s on SQLite); each ${summary(createMs)}`,
  );
  console.log(`  userName eq:         ${summary(eqMs)} (target p95 < 5 ms), ${lookups} lookups at ${total.toLocaleString('en')} users`);
  console.log(`  externalId eq:       ${summary(extMs)}`);
  console.log(`  list page of 100:    ${summary(pageMs)} (target < 20 ms), random startIndex`);
  console.log(`  pages 1-${firstMs.length} of 100:   ${summary(firstMs)}, read in order from startIndex 1`);
  console.log(`  server peak RSS:     ${((fillRss ?? NaN) / 1024 / 1024).toFixed(0)} MB`);
  if (stats) console.log(`  source stats:        ${JSON.stringify(stats).slice(0, 300)}`);
} finally {
  await roster.stop();
  await pg?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
