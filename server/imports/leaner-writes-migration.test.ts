// Migration 2026-12-06-002 on a database that already holds links (SQLite rebuilds app_user_links):
// every link is kept, a user still has one link per application, and a user's links are found by the
// new unique index.
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import * as foundation from '../db/migrations/2026-11-28-001-foundation.ts';
import * as idmIntegrations from '../db/migrations/2026-11-28-002-idm-integrations.ts';
import * as jobs from '../db/migrations/2026-11-28-003-jobs.ts';
import * as imports from '../db/migrations/2026-11-28-004-imports.ts';
import { createTestDatabaseUrl, dialects } from '../../test/db.ts';
import { userRow } from '../../test/factories.ts';
import { DEFAULT_ORGANIZATION_ID } from '../shared/actor.ts';
import { newId } from '../shared/ids.ts';

describe.each(dialects)('migration 2026-12-06-002 on %s', (dialect) => {
  let database: ReturnType<typeof openDatabase>;
  let drop: () => Promise<void>;
  const apps = [newId(), newId()];
  const users: string[] = [];
  beforeAll(async () => {
    const made = await createTestDatabaseUrl(dialect);
    drop = made.drop;
    database = openDatabase(made.url);
    const { db } = database;
    // The schema as it was when these links were written: up to the imports migration.
    const early = { '2026-11-28-001-foundation': foundation, '2026-11-28-002-idm-integrations': idmIntegrations };
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => ({ ...early, '2026-11-28-003-jobs': jobs, '2026-11-28-004-imports': imports }) },
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const now = new Date().toISOString();
    for (const [i, id] of apps.entries()) {
      await db
        .insertInto('applications')
        .values({
          id,
          organization_id: DEFAULT_ORGANIZATION_ID,
          name: `App ${i}`,
          name_lower: `app ${i}`,
          description: '',
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    for (let i = 0; i < 5; i++) {
      // The users table before 2026-12-06-003 (no source_scim_source_id).
      const { source_scim_source_id: _, ...u } = userRow(`migrated.${i}`);
      await db.insertInto('users').values(u).execute();
      users.push(u.id);
      for (const applicationId of apps) {
        await db
          .insertInto('app_user_links')
          .values({
            organization_id: DEFAULT_ORGANIZATION_ID,
            application_id: applicationId,
            user_id: u.id,
            remote_id: `r-${applicationId}-${i}`,
            remote_user_name: `migrated.${i}`,
            origin: 'import',
            created_at: now,
            updated_at: now,
          })
          .execute();
      }
    }
    await migrateToLatest(db);
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  it('keeps every link and still allows one link per user and application', async () => {
    const { db } = database;
    const links = await db.selectFrom('app_user_links').selectAll().orderBy('remote_id').execute();
    expect(links).toHaveLength(10);
    expect(links.find((l) => l.remote_id === `r-${apps[1]}-3`)).toMatchObject({ user_id: users[3], remote_user_name: 'migrated.3' });
    const mine = await db.selectFrom('app_user_links').select('application_id').where('user_id', '=', users[0]).execute();
    expect(mine.map((l) => l.application_id).sort()).toEqual([...apps].sort());
    const second = db
      .insertInto('app_user_links')
      .values({ ...links[0], remote_id: 'another-remote-id' })
      .execute();
    await expect(second).rejects.toThrow(/unique|duplicate/i);
    // Gone with the user, as before.
    await db.deleteFrom('users').where('id', '=', users[4]).execute();
    expect(await db.selectFrom('app_user_links').select('remote_id').where('user_id', '=', users[4]).execute()).toHaveLength(0);
    expect(await db.selectFrom('import_run_created').selectAll().execute()).toEqual([]);
  });
});
