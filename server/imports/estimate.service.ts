// The expected duration of an import as its answers carry it: a run's time left. The arithmetic is
// estimate.ts; here the figures it needs, from the run, the integration and the latest preview.
import type { DbContext } from '../db/context.ts';
import { getIntegration } from '../integrations/index.ts';
import { estimateImport } from './estimate.ts';
import type { ImportRun } from './imports.schemas.ts';
import * as snapshots from './snapshot.repository.ts';

/**
 * A queued or running run with its time left. A run of all users learns how many there are as it reads
 * them (its total grows with what it processed), so the application's own count from the latest
 * preview is used when it is larger; without either there is no estimate.
 */
export async function withEstimate(ctx: Pick<DbContext, 'db'>, organizationId: string, run: ImportRun): Promise<ImportRun> {
  if (run.status !== 'queued' && run.status !== 'running') return run;
  const [integration, latest] = await Promise.all([
    getIntegration(ctx, organizationId, run.applicationId),
    run.mode === 'all' ? snapshots.findLatestSnapshot(ctx.db, run.applicationId) : undefined,
  ]);
  const known = Math.max(latest?.total ?? 0, latest?.remote_total ?? 0);
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
