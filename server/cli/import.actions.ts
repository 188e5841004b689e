// What `roster import preview` and `roster import run` do: the same services as the API, run in
// this process. Loaded only when one of them runs (the server's whole module graph comes with it).
import { findApplicationByIdOrName } from '../applications/index.ts';
import { listAdmins } from '../auth/index.ts';
import { loadConfig } from '../config.ts';
import { closeDeps, createDeps, type Deps } from '../deps.ts';
import { findGroupByIdOrName } from '../directory/index.ts';
import {
  createImportRun,
  ensureSnapshot,
  expectedImport,
  queryPreview,
  type RunRequest,
  startUndo,
  type UpdatableField,
} from '../imports/index.ts';
import { deliverQueuedMailNow } from '../notifications/index.ts';
import { type Actor, DEFAULT_ORGANIZATION_ID } from '../shared/actor.ts';
import { AppError } from '../shared/errors.ts';
import { createLogger } from '../shared/logger.ts';
import { ProgressBar } from './progress.ts';
import { printTable } from './table.ts';

export async function withDeps<T>(fn: (deps: Deps) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Warnings only: the CLI's own output is what the operator reads.
  const deps = await createDeps(config, { logger: createLogger(process.env.LOG_LEVEL ?? 'warn') });
  try {
    return await fn(deps);
  } finally {
    await closeDeps(deps, { graceMs: 0 });
  }
}

export async function appIdOf(deps: Deps, idOrName: string): Promise<{ id: string; name: string }> {
  const app = await findApplicationByIdOrName({ db: deps.database.db }, DEFAULT_ORGANIZATION_ID, idOrName);
  if (!app) throw new AppError('NOT_FOUND', 404, `No application with id or name "${idOrName}"`);
  return app;
}

/** The admin the run is recorded for and emailed to: --admin, else the first admin with role admin. */
export async function adminActor(deps: Deps, email?: string): Promise<Actor> {
  const admins = (await listAdmins({ db: deps.database.db }, DEFAULT_ORGANIZATION_ID)).filter((a) => a.role === 'admin');
  const admin = email
    ? admins.find((a) => a.email.toLowerCase() === email.toLowerCase())
    : [...admins].sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  if (!admin)
    throw new AppError(
      'NOT_FOUND',
      404,
      email ? `No admin with role admin and email ${email}` : 'Create an admin first (roster admin create)',
    );
  return { type: 'admin', id: admin.id, email: admin.email, role: 'admin', organizationId: DEFAULT_ORGANIZATION_ID };
}

export interface PreviewOptions {
  app: string;
  status?: 'new' | 'exists' | 'invalid';
  query?: string;
  limit: number;
  refresh?: boolean;
  json?: boolean;
}

export async function preview(opts: PreviewOptions): Promise<void> {
  await withDeps(async (deps) => {
    const app = await appIdOf(deps, opts.app);
    // The whole list is printed (and counted), so the read is waited for, with its progress on stderr.
    const bar = new ProgressBar();
    const snapshot = await ensureSnapshot(deps, DEFAULT_ORGANIZATION_ID, app.id, {
      refresh: opts.refresh,
      whole: { onProgress: (read, total) => bar.update(read, total, 'users read') },
    });
    bar.done();
    let cursor: string | undefined;
    const rows: string[][] = [];
    let printed = 0;
    let summary = '';
    while (printed < opts.limit) {
      const page = await queryPreview(deps, snapshot, {
        q: opts.query,
        status: opts.status,
        sort: 'userName',
        order: 'asc',
        limit: Math.min(500, opts.limit - printed),
        cursor,
      });
      const { counts } = page;
      summary =
        `${page.total} user(s) shown of ${page.snapshot.total} in ${app.name}: ` +
        `${counts.new} new, ${counts.exists} exist, ${counts.conflict} in conflict, ${counts.invalid} invalid`;
      for (const i of page.items) {
        if (opts.json) process.stdout.write(`${JSON.stringify(i)}\n`);
        else
          rows.push([i.status, i.userName, i.email, [i.firstname, i.lastname].filter(Boolean).join(' '), i.reasons.join('; '), i.remoteId]);
      }
      printed += page.items.length;
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    if (!opts.json) {
      printTable(['STATUS', 'USERNAME', 'EMAIL', 'NAME', 'REASONS', 'REMOTE ID'], rows);
      // Once, from the snapshot just read (no request to the application).
      const expected = await expectedImport(deps, DEFAULT_ORGANIZATION_ID, app.id);
      process.stdout.write(`${summary}${expected ? `. Importing all of them: ${expected.text}.` : ''}\n`);
    }
  });
}

export interface RunOptions {
  app: string;
  all?: boolean;
  ids?: string[];
  admin?: string;
  update?: UpdatableField[] | 'all';
  /** false with --no-link. */
  link?: boolean;
  dryRun?: boolean;
  group?: string;
}

/** The run request the flags make: --group by id or name. */
async function runRequestOf(deps: Deps, opts: RunOptions): Promise<RunRequest> {
  let groupId: string | undefined;
  if (opts.group) {
    const group = await findGroupByIdOrName({ db: deps.database.db }, DEFAULT_ORGANIZATION_ID, opts.group);
    if (!group) throw new AppError('NOT_FOUND', 404, `No group with id or name "${opts.group}"`);
    groupId = group.id;
  }
  return {
    link: opts.link !== false,
    ...(opts.update ? { update: { fields: opts.update } } : {}),
    ...(opts.dryRun ? { dryRun: true } : {}),
    ...(groupId ? { groupId } : {}),
  };
}

export async function runImport(opts: RunOptions): Promise<void> {
  if (Boolean(opts.all) === Boolean(opts.ids)) throw new AppError('VALIDATION_FAILED', 400, 'give either --all or --ids');
  await withDeps(async (deps) => {
    const app = await appIdOf(deps, opts.app);
    const actor = await adminActor(deps, opts.admin);
    // Only a help: an application that does not answer this fails the run below with the reason.
    const expected = await expectedImport(deps, DEFAULT_ORGANIZATION_ID, app.id, opts.ids?.length).catch(() => undefined);
    if (expected) process.stderr.write(`Expected: ${expected.text}.\n`);
    const bar = new ProgressBar();
    const what = opts.all ? { all: true as const } : { remoteIds: opts.ids! };
    const { run } = await createImportRun(
      deps,
      actor,
      app.id,
      { ...(await runRequestOf(deps, opts)), ...what },
      {
        inline: true,
        onProgress: (p) => bar.update(p.processed, p.total),
      },
    );
    bar.update(run.processed, run.total);
    bar.done();
    if (!run.dryRun) await deliverQueuedMailNow(deps, run.id);
    const counts = `${run.created} created, ${run.linked} linked, ${run.updated} updated, ${run.skipped} skipped, ${run.failed} failed`;
    process.stdout.write(
      `${run.dryRun ? 'Dry run' : 'Import'} ${run.id} from ${app.name} ${run.status}: ` +
        `${counts} of ${run.total}.${run.error ? ` ${run.error}.` : ''}\n`,
    );
    const mailed = run.dryRun ? ' Nothing was written or emailed.' : ` Emailed to ${actor.email}.`;
    process.stdout.write(`Per-user results: GET /api/v1/import-runs/${run.id}/results?format=csv.${mailed}\n`);
    if (run.status === 'failed') process.exitCode = 1;
  });
}

export interface UndoOptions {
  suspend?: boolean;
  dryRun?: boolean;
  admin?: string;
}

export async function undoImport(runId: string, opts: UndoOptions): Promise<void> {
  await withDeps(async (deps) => {
    const actor = await adminActor(deps, opts.admin);
    const bar = new ProgressBar();
    const run = await startUndo(
      deps,
      actor,
      runId,
      { users: opts.suspend ? 'suspend' : 'delete', dryRun: opts.dryRun },
      { inline: true, onProgress: (p) => bar.update(p.processed, p.total, 'results undone') },
    );
    bar.update(run.processed, run.total, 'results undone');
    bar.done();
    await deliverQueuedMailNow(deps, run.id);
    process.stdout.write(
      `Undo ${run.id} of import ${runId} ${run.status}${run.dryRun ? ' (dry run)' : ''}: ` +
        `${run.reverted} reverted, ${run.skipped} left alone, ${run.failed} failed of ${run.total}.${run.error ? ` ${run.error}.` : ''}\n`,
    );
    process.stdout.write(`Per-user results: GET /api/v1/import-runs/${run.id}/results?format=csv. Emailed to ${actor.email}.\n`);
    if (run.status === 'failed') process.exitCode = 1;
  });
}
