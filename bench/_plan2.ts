import fs from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { loadConfig } from '../server/config.ts';
import { createDeps, closeDeps } from '../server/deps.ts';
import { insertRows } from '../server/db/insert-rows.ts';
import { userRow } from '../test/factories.ts';
import { createLogger } from '../server/shared/logger.ts';
const dir = '/tmp/plan/stale';
const org = '00000000-0000-7000-8000-000000000001';
if (!fs.existsSync(dir)) {
  fs.mkdirSync(dir, { recursive: true });
  const config = loadConfig({ ROSTER_DATA_DIR: dir, LOG_LEVEL: 'warn', DATABASE_URL: '' });
  const deps = await createDeps(config, { logger: createLogger('warn') });
  const db = deps.database.db;
  for (let i = 0; i < 100_000; i += 5000) {
    await db.transaction().execute(async (trx) => {
      const rows = Array.from({ length: 5000 }, (_, k) => userRow(`plan.user${i + k}`));
      await insertRows(trx, 'users', rows);
      await insertRows(trx, 'scim_user_data', rows.map((r, k) => ({ user_id: r.id, organization_id: org, external_id: `hr-${i + k}`, deleted_by_source_id: null, attributes: '{}', updated_at: r.created_at })));
    });
  }
  await closeDeps(deps, { graceMs: 0 });
}
const raw = new DatabaseSync(`${dir}/roster.db`);
console.log('stat1:', JSON.stringify(raw.prepare("select * from sqlite_stat1 where tbl in ('users','scim_user_data') limit 5").all()));
const hidden = `u.id not in (select h.user_id from scim_user_data h where h.deleted_by_source_id = 'src' and h.deleted_by_source_id is not null)`;
const q = (label: string, text: string) => {
  const plan = raw.prepare(`explain query plan ${text}`).all().map((r: any) => r.detail);
  const st = raw.prepare(text);
  const t = performance.now();
  for (let i = 0; i < 5; i++) st.all();
  console.log(`${label}: ${((performance.now() - t) / 5).toFixed(2)} ms ${JSON.stringify(plan)}`);
};
for (const pass of ['stale', 'analyzed']) {
  if (pass === 'analyzed') { raw.exec('pragma analysis_limit = 1000; analyze'); }
  console.log(`--- ${pass}`);
  q('page', `select u.id from users u where ${hidden} order by u.id limit 100 offset 50000`);
  q('count', `select count(*) from users u where ${hidden}`);
  q('username+', `select u.id from users u where +u.organization_id = '${org}' and ${hidden} and u.username_lower = 'plan.user5000' order by u.id limit 100`);
  q('username', `select u.id from users u where u.organization_id = '${org}' and ${hidden} and u.username_lower = 'plan.user5000' order by u.id limit 100`);
  q('ext+', `select u.id from users u where +u.organization_id = '${org}' and ${hidden} and u.id in (select x.user_id from scim_user_data x where x.organization_id = '${org}' and x.external_id = 'hr-5000') order by u.id limit 100`);
  const ids = raw.prepare('select id from users limit 100 offset 40000').all().map((r: any) => `'${r.id}'`).join(',');
  q('users-in', `select * from users where organization_id = '${org}' and id in (${ids})`);
  q('users-in+', `select * from users where +organization_id = '${org}' and id in (${ids})`);
  q('data-in', `select * from scim_user_data where organization_id = '${org}' and user_id in (${ids})`);
  q('members-in', `select m.user_id, g.id from group_members m join groups g on g.id = m.group_id where m.organization_id = '${org}' and m.user_id in (${ids})`);
  q('byid', `select u.id from users u where +u.organization_id = '${org}' and ${hidden} and u.id = 'x'`);
}
