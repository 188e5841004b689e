// The preview's classification (issue 14) when every remote user is new, and when every one matches a
// directory user (by username, with another last name: each row gets a per-field diff, so the matched
// users are loaded whole). Both read in this process against the same test SCIM server (own process,
// page size 1,000), after the raw listing for scale; the directory users are written straight to the
// database between the two reads (and the planner's statistics refreshed, as an import does).
// Usage: node bench/preview-match.ts [--users 20000] [--postgres]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeTables } from '../server/db/database.ts';
import { closeDeps } from '../server/deps.ts';
import { insertUsers, newUserRecord } from '../server/directory/index.ts';
import { ensureSnapshot, queryPreview } from '../server/imports/index.ts';
import { ScimClient } from '../server/scim/index.ts';
import { TEST_NETWORK } from '../test/network.ts';
import { connectedRoster, startPostgres, startScimProcess } from './support.ts';

const { values } = parseArgs({ options: { users: { type: 'string', default: '20000' }, postgres: { type: 'boolean', default: false } } });
const users = Number(values.users);
const TOKEN = 'bench-token';
const scim = await startScimProcess(['--users', String(users), '--token', TOKEN, '--quirks', 'maxPageSize=1000']);
const pg = values.postgres ? await startPostgres() : undefined;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-bench-preview-match-'));
try {
  const { deps, db, actor, app } = await connectedRoster({
    dataDir,
    postgresUrl: pg?.url,
    baseUrl: scim.baseUrl,
    token: TOKEN,
    settings: { pageSize: 1000, rateLimitPerSecond: 10_000, rateLimitBurst: 10_000, concurrency: 4 },
  });
  const client = new ScimClient({ baseUrl: scim.baseUrl, auth: { type: 'bearer', token: TOKEN }, network: TEST_NETWORK, rateLimit: null });
  let t0 = performance.now();
  for await (const _page of client.listUsers().pages());
  const listMs = performance.now() - t0;
  await client.close();

  /** Reads the application whole into a new snapshot: its time and counts. */
  const read = async () => {
    const start = performance.now();
    const snapshot = await ensureSnapshot(deps, actor.organizationId, app.id, { refresh: true, whole: {} });
    const ms = performance.now() - start;
    const page = await queryPreview(deps, snapshot, { sort: 'userName', order: 'asc', limit: 1 });
    return { ms, snapshot, counts: page.counts, first: page.items[0] };
  };
  const fresh = await read();
  // Every remote user a directory user by username, with another last name.
  t0 = performance.now();
  const rows = await db
    .selectFrom('import_snapshot_users')
    .select(['user_name', 'email'])
    .where('snapshot_id', '=', fresh.snapshot.id)
    .execute();
  const now = new Date().toISOString();
  for (let i = 0; i < rows.length; i += 1000) {
    await insertUsers(
      db,
      rows
        .slice(i, i + 1000)
        .map((r) =>
          newUserRecord(actor.organizationId, { username: r.user_name, email: r.email, lastname: 'Directory', state: 'ACTIVE' }, now),
        ),
    );
  }
  // As an import does once it has doubled what it wrote: the planner's statistics know the users.
  await analyzeTables(deps.database, ['users', 'app_user_links']);
  const seedMs = performance.now() - t0;
  const matched = await read();
  await closeDeps(deps, { graceMs: 0 });
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`Preview matching benchmark: ${users.toLocaleString('en')} users, ${deps.database.dialect}`);
  console.log(`  raw listing:              ${s(listMs)}`);
  console.log(`  preview, all new:         ${s(fresh.ms)} (${(fresh.ms / listMs).toFixed(2)}x) ${JSON.stringify(fresh.counts)}`);
  console.log(`  (${rows.length} directory users written in ${s(seedMs)})`);
  console.log(`  preview, all matching:    ${s(matched.ms)} (${(matched.ms / listMs).toFixed(2)}x) ${JSON.stringify(matched.counts)}`);
  console.log(
    `  a matching row: ${JSON.stringify({ status: matched.first.status, changes: (matched.first as { changes?: unknown }).changes })}`,
  );
} finally {
  await scim.stop();
  await pg?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
