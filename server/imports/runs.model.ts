// What an import run looks like to the API and the CLI, and how a run is told to stop.
import type { ImportResult, ImportRun, RunOptions } from './imports.schemas.ts';
export type { ImportResult, ImportRun, RunOptions };
import type * as repo from './runs.repository.ts';
import type { Actor } from '../shared/actor.ts';
import type { InsightEventInput } from '../insights/index.ts';
import { newId } from '../shared/ids.ts';
import { badRequest } from '../shared/errors.ts';

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
  kind?: repo.RunRow['kind'];
  trigger?: repo.RunRow['trigger'];
  dryRun?: boolean;
  options?: RunOptions;
  undoOf?: string;
}): repo.RunRow {
  return {
    id: newId(),
    organization_id: o.actor.organizationId,
    application_id: o.applicationId,
    status: o.running ? 'running' : 'queued',
    mode: o.mode,
    kind: o.kind ?? 'users',
    trigger: o.trigger ?? 'manual',
    dry_run: o.dryRun ? 1 : 0,
    options: JSON.stringify(o.options ?? { link: true }),
    undo_of_run_id: o.undoOf ?? null,
    undone_by_run_id: null,
    paused_reason: null,
    selection: o.selection ?? null,
    snapshot_id: o.snapshotId ?? null,
    total: o.total,
    ...{ processed: 0, created: 0, skipped: 0, failed: 0, linked: 0, updated: 0, reverted: 0, attempt: 0 },
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
    kind: r.kind,
    trigger: r.trigger,
    dryRun: r.dry_run === 1,
    options: optionsOf(r),
    total: r.total,
    processed: r.processed,
    created: r.created,
    linked: r.linked,
    updated: r.updated,
    reverted: r.reverted,
    skipped: r.skipped,
    failed: r.failed,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    createdAt: r.created_at,
    initiatedBy: { type: r.initiated_by_type, id: r.initiated_by_id },
  };
  if (r.initiated_by_email) run.initiatedBy.email = r.initiated_by_email;
  if (r.error) run.error = r.error;
  if (r.undo_of_run_id) run.undoOf = r.undo_of_run_id;
  if (r.undone_by_run_id) run.undoneBy = r.undone_by_run_id;
  if (r.paused_reason) run.pausedReason = r.paused_reason;
  return run;
}

/** The run's options (runs from before migration 2026-12-06-004 have none: they created new users only, linking none). */
export function optionsOf(r: Pick<repo.RunRow, 'options'>): RunOptions {
  return r.options ? (JSON.parse(r.options) as RunOptions) : { link: false };
}

export function toResult(r: repo.ResultRow): ImportResult {
  const out: ImportResult = { remoteId: r.remote_id, userName: r.user_name, email: r.email, outcome: r.outcome };
  if (r.reason) out.reason = r.reason;
  if (r.user_id) out.userId = r.user_id;
  if (r.code) out.code = r.code;
  if (r.detail) Object.assign(out, JSON.parse(r.detail) as Pick<ImportResult, 'changes' | 'members' | 'linked'>);
  return out;
}

/** Stops a run for good (not retried): the run ends failed with this reason. */
export class RunStopped extends Error {
  readonly retryable = false;
}

/** The guardrail stops a scheduled run before a batch that would change too much of the directory: the run pauses for an admin. */
export class RunPaused extends Error {
  /** How the writer thread's reply names it, so that the main thread throws a RunPaused again (batch-writer.ts). */
  override readonly name = 'RunPaused';
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

/** The selected remote ids, each once: 400 naming body.remoteIds when none, or more than a run takes. */
export function checkedSelection(remoteIds: string[], noun: 'user' | 'group'): string[] {
  const selection = [...new Set(remoteIds)];
  if (selection.length === 0)
    throw badRequest('EMPTY_SELECTION', `Select at least one ${noun} to import`, [
      { path: 'body.remoteIds', message: 'must not be empty' },
    ]);
  if (selection.length > MAX_SELECTION) {
    throw badRequest('SELECTION_TOO_LARGE', `At most ${MAX_SELECTION} ${noun}s can be selected in one run; use all: true for more`, [
      { path: 'body.remoteIds', message: `at most ${MAX_SELECTION}` },
    ]);
  }
  return selection;
}

/** 400 naming the selected remote ids the application's list does not have, if any. */
export function refuseMissing(selection: string[], found: Set<string>, noun: 'user' | 'group'): void {
  const missing = selection.filter((id) => !found.has(id));
  if (missing.length === 0) return;
  throw badRequest(
    'REMOTE_IDS_NOT_FOUND',
    `${missing.length} selected ${noun}(s) are not in the application's list (refresh the preview and select again): ` +
      `${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}`,
    missing.slice(0, 100).map((id) => ({ path: 'body.remoteIds', message: `not found: ${id}` })),
  );
}

/** An Insights event about a run (started, paused, confirmed, cancelled, completed): the run as its resource, in its application. */
export function runEvent(
  eventType: string,
  actor: Actor,
  app: { id: string; name: string },
  runId: string,
  more: Pick<InsightEventInput, 'changes' | 'message' | 'success'>,
): InsightEventInput {
  return {
    eventType,
    service: 'import',
    actor,
    resource: { type: 'import_run', id: runId },
    application: app,
    importRunId: runId,
    ...more,
  };
}
