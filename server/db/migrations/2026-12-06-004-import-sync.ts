// Frozen: never import application code here. The import grows into a sync (issue 14): matching rules
// and schedules per application (import_settings), runs of three kinds (users, groups, undo) that may
// be dry runs, started by hand or by a schedule, and paused by a guardrail; results that carry what
// changed; preview rows that say how a remote user matched, which directory users he could be, and
// which of his fields differ.
import type { Kysely } from 'kysely';
import * as col from './columns.ts';
import { createIndex, createPartialIndex } from './support.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_settings')
    .$call(col.oneRowPerApplication)
    // JSON array of match rules in priority order.
    .addColumn('match_by', 'text', (c) => c.notNull().defaultTo('["link","username","email"]'))
    // The schedule, when there is one: cron in the time zone, mode, JSON fields, guardrail share.
    .$call(col.optionalText('schedule_cron', 'schedule_time_zone', 'schedule_mode', 'schedule_fields'))
    .$call(col.optionalInteger('schedule_guardrail_percent'))
    .$call(col.optionalText('next_run_at', 'last_scheduled_run_id'))
    .$call(col.requiredText('updated_at'))
    .execute();
  await createIndex(db, 'import_settings_next_run_idx', 'import_settings', 'next_run_at');

  const addToRuns = (name: string, type: 'text' | 'integer', counter = false) =>
    db.schema
      .alterTable('import_runs')
      .addColumn(name, type, (c) => (counter ? c.notNull().defaultTo(0) : c))
      .execute();
  await db.schema
    .alterTable('import_runs')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('users'))
    .execute();
  await db.schema
    .alterTable('import_runs')
    .addColumn('trigger', 'text', (c) => c.notNull().defaultTo('manual'))
    .execute();
  for (const counter of ['dry_run', 'linked', 'updated', 'reverted']) await addToRuns(counter, 'integer', true);
  // JSON of the run's options (update fields, link, groupId, resolve, exclude, undo mode, guardrail).
  for (const text of ['options', 'undo_of_run_id', 'undone_by_run_id', 'paused_reason']) await addToRuns(text, 'text');
  // A run paused by the guardrail is unfinished too: still one per application.
  await db.schema.dropIndex('import_runs_one_active_uq').execute();
  await createPartialIndex(
    db,
    'import_runs_one_unfinished_uq',
    'import_runs',
    'application_id',
    `status in ('queued', 'running', 'paused')`,
    { unique: true },
  );

  // JSON detail of a result (a user's changes before and after; a group's members placed and not),
  // and a machine-readable code beside the reason (changed_since_preview, ...).
  await db.schema.alterTable('import_run_results').addColumn('detail', 'text').execute();
  await db.schema.alterTable('import_run_results').addColumn('code', 'text').execute();

  // Matching by externalId looks users up by employee identifier; most users have none.
  await createPartialIndex(
    db,
    'users_employee_identifier_idx',
    'users',
    ['organization_id', 'employee_identifier'],
    `employee_identifier != ''`,
  );

  for (const column of ['external_id', 'match_by', 'candidates', 'changes', 'existing_version']) {
    await db.schema.alterTable('import_snapshot_users').addColumn(column, 'text').execute();
  }
}
