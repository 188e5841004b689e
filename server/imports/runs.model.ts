// What an import run looks like to the API and the CLI, and how a run is told to stop.
import type { ImportResult, ImportRun } from './imports.schemas.ts';
export type { ImportResult, ImportRun };
import type * as repo from './runs.repository.ts';
import type { Actor } from '../shared/actor.ts';
import { newId } from '../shared/ids.ts';

/** Fewer selected users than this are imported within the request. */
export const SYNC_LIMIT = 100;
export const MAX_SELECTION = 10_000;
export const IMPORT_JOB = 'import.run';

/** A new run's row: nothing counted yet; started at `now` when it runs at once, else queued. */
export function newRunRow(o: {
  applicationId: string;
  actor: Actor;
  mode: repo.RunRow['mode'];
  total: number;
  now: string;
  running: boolean;
  selection?: string | null;
  snapshotId?: string | null;
  notifyEmail?: string | null;
}): repo.RunRow {
  return {
    id: newId(),
    organization_id: o.actor.organizationId,
    application_id: o.applicationId,
    status: o.running ? 'running' : 'queued',
    mode: o.mode,
    selection: o.selection ?? null,
    snapshot_id: o.snapshotId ?? null,
    total: o.total,
    ...{ processed: 0, created: 0, skipped: 0, failed: 0, attempt: 0 },
    initiated_by_type: o.actor.type,
    initiated_by_id: o.actor.id,
    initiated_by_email: o.actor.email ?? null,
    notify_email: o.notifyEmail ?? null,
    error: null,
    created_at: o.now,
    started_at: o.running ? o.now : null,
    finished_at: null,
    updated_at: o.now,
  };
}

export function toRun(r: repo.RunRow): ImportRun {
  const run: ImportRun = {
    id: r.id,
    applicationId: r.application_id,
    status: r.status,
    mode: r.mode,
    total: r.total,
    processed: r.processed,
    created: r.created,
    skipped: r.skipped,
    failed: r.failed,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    createdAt: r.created_at,
    initiatedBy: { type: r.initiated_by_type, id: r.initiated_by_id },
  };
  if (r.initiated_by_email) run.initiatedBy.email = r.initiated_by_email;
  if (r.error) run.error = r.error;
  return run;
}

export function toResult(r: repo.ResultRow): ImportResult {
  const out: ImportResult = { remoteId: r.remote_id, userName: r.user_name, email: r.email, outcome: r.outcome };
  if (r.reason) out.reason = r.reason;
  if (r.user_id) out.userId = r.user_id;
  return out;
}

/** Stops a run for good (not retried): the run ends failed with this reason. */
export class RunStopped extends Error {
  readonly retryable = false;
}

/** The integration's connection changed under a run reading the application: its job resumes it with the new one. */
export class RunReconnecting extends Error {
  constructor() {
    super("the integration's connection settings changed; the import resumes with the new ones");
  }
}

export interface RunProgress {
  processed: number;
  total: number;
}
