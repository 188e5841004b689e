// What `roster import groups` does: list the application's groups (the groups preview), or import the
// given ones (or all) in this process with the same service as the API. Loaded only when it runs.
import { createGroupImportRun, groupPreviewPage } from '../imports/index.ts';
import { deliverQueuedMailNow } from '../notifications/index.ts';
import { DEFAULT_ORGANIZATION_ID } from '../shared/actor.ts';
import { AppError } from '../shared/errors.ts';
import type { Deps } from '../deps.ts';
import { adminActor, appIdOf, withDeps } from './import.actions.ts';
import { ProgressBar } from './progress.ts';
import { printTable } from './table.ts';

export interface GroupsOptions {
  app: string;
  all?: boolean;
  ids?: string[];
  dryRun?: boolean;
  refresh?: boolean;
  admin?: string;
  json?: boolean;
}

async function listGroups(deps: Deps, app: { id: string; name: string }, opts: GroupsOptions): Promise<void> {
  const rows: string[][] = [];
  let cursor: string | undefined;
  let page;
  do {
    page = await groupPreviewPage(deps, DEFAULT_ORGANIZATION_ID, app.id, { limit: 500, cursor, refresh: opts.refresh && !cursor });
    for (const g of page.items) {
      if (opts.json) process.stdout.write(`${JSON.stringify(g)}\n`);
      else rows.push([g.status, g.displayName, String(g.memberCount), g.reasons.join('; '), g.remoteId]);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  if (opts.json) return;
  printTable(['STATUS', 'NAME', 'MEMBERS', 'REASONS', 'REMOTE ID'], rows);
  const { counts } = page;
  process.stdout.write(`${page.total} group(s) in ${app.name}: ${counts.new} new, ${counts.exists} exist, ${counts.invalid} invalid\n`);
}

async function runGroups(deps: Deps, app: { id: string; name: string }, opts: GroupsOptions): Promise<void> {
  const actor = await adminActor(deps, opts.admin);
  const bar = new ProgressBar();
  const input = opts.all ? { all: true as const, dryRun: opts.dryRun } : { remoteIds: opts.ids!, dryRun: opts.dryRun };
  const { run } = await createGroupImportRun(deps, actor, app.id, input, {
    inline: true,
    onProgress: (p) => bar.update(p.processed, p.total, 'groups'),
  });
  bar.update(run.processed, run.total, 'groups');
  bar.done();
  if (!run.dryRun) await deliverQueuedMailNow(deps, run.id);
  process.stdout.write(
    `${run.dryRun ? 'Dry run' : 'Import'} ${run.id} of groups from ${app.name} ${run.status}: ` +
      `${run.created} created, ${run.skipped} skipped, ${run.failed} failed of ${run.total}.${run.error ? ` ${run.error}.` : ''}\n`,
  );
  process.stdout.write(`Per-group results (members not placed): GET /api/v1/import-runs/${run.id}/results.\n`);
  if (run.status === 'failed') process.exitCode = 1;
}

export async function importGroups(opts: GroupsOptions): Promise<void> {
  if (opts.all && opts.ids) throw new AppError('VALIDATION_FAILED', 400, 'give either --all or --ids, not both');
  if (opts.dryRun && !opts.all && !opts.ids) throw new AppError('VALIDATION_FAILED', 400, '--dry-run needs --all or --ids');
  await withDeps(async (deps) => {
    const app = await appIdOf(deps, opts.app);
    if (opts.all || opts.ids) await runGroups(deps, app, opts);
    else await listGroups(deps, app, opts);
  });
}
