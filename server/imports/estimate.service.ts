// The expected duration of an import as its answers carry it: a run's time left. The arithmetic is
// estimate.ts; here the figures it needs, from the run, the integration, the latest preview or the
// application itself.
import type { DbContext } from '../db/context.ts';
import { getIntegration, loadScimConfig } from '../integrations/index.ts';
import type { ImportContext } from './context.ts';
import { estimateImport } from './estimate.ts';
import type { ImportEstimate, ImportRun } from './imports.schemas.ts';
import * as snapshots from './snapshot.repository.ts';
import { scimFailure } from './snapshot.service.ts';

/**
 * A queued or running run with its time left. A run of all users takes the application's count from
 * its first page; until then the latest preview's count is used when it is larger.
 */
export async function withEstimate(ctx: Pick<DbContext, 'db'>, organizationId: string, run: ImportRun): Promise<ImportRun> {
  if (run.status !== 'queued' && run.status !== 'running') return run;
  const [integration, latest] = await Promise.all([
    getIntegration(ctx, organizationId, run.applicationId),
    run.mode === 'all' ? snapshots.findLatestSnapshot(ctx.db, run.applicationId) : undefined,
  ]);
  const known = latest ? snapshots.knownTotal(latest) : 0;
  const total = run.mode === 'all' ? Math.max(run.total, known) : run.total;
  const left = total - run.processed;
  if (left <= 0) return run;
  const { pageSize, rateLimitPerSecond } = integration.settings;
  return {
    ...run,
    estimate: estimateImport({
      users: left,
      pageSize,
      rateLimitPerSecond,
      readsApplication: run.mode === 'all',
      remaining: run.processed > 0,
    }),
  };
}

/**
 * What importing all users (or `selected` of them) will take, said before it starts (the CLI). The
 * application's count comes from the latest preview when there is one, else from one request for a
 * single user (SCIM lists say their totalResults); undefined when the application does not say.
 */
export async function expectedImport(
  deps: ImportContext,
  organizationId: string,
  applicationId: string,
  selected?: number,
): Promise<ImportEstimate | undefined> {
  const cfg = await loadScimConfig({ db: deps.db, secretKey: deps.secretKey }, organizationId, applicationId);
  const { pageSize, rateLimitPerSecond } = cfg.settings;
  if (selected !== undefined) return estimateImport({ users: selected, pageSize, rateLimitPerSecond, readsApplication: false });
  const latest = await snapshots.findLatestSnapshot(deps.db, applicationId);
  let users = latest && latest.status !== 'failed' ? snapshots.knownTotal(latest) : undefined;
  if (!users) {
    const client = deps.idm.client(applicationId, cfg.client, cfg.settings);
    try {
      const listing = client.listUsers({ pageSize: 1, signal: deps.idm.signalFor(applicationId) });
      for await (const page of listing.pages()) {
        users = listing.stats.totalResults ?? (page.length ? undefined : 0);
        break;
      }
    } catch (err) {
      throw scimFailure(err, "counting the application's users");
    } finally {
      await client.close();
    }
  }
  return users === undefined ? undefined : estimateImport({ users, pageSize, rateLimitPerSecond, readsApplication: true });
}
