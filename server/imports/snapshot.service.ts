// The import preview reads the application's users once over SCIM into a snapshot kept for a short
// time, then searches, sorts and pages on Roster's side (preview.ts). The read goes on in the
// background: the first page is answered as soon as it is stored, and every later request answers
// from what has been stored so far, in this process or another (the rows are in the database).
import { analyzeTables, type Db } from '../db/database.ts';
import { connectionKey, describeFailure, loadScimConfig, type ScimConfig } from '../integrations/index.ts';
import { type ScimClient, ScimClientError, type ScimUser } from '../scim/index.ts';
import { AppError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { Batcher } from './batcher.ts';
import { type Candidate, type RemoteNames, toCandidate, validate } from './candidate.ts';
import type { MatchRule } from './classify.ts';
import type { ImportContext } from './context.ts';
import * as repo from './snapshot.repository.ts';
import { matchRows, NO_MATCH, type RowMatch, rulesKey } from './snapshot-match.ts';
import { matchRulesOf } from './settings.repository.ts';

const SNAPSHOT_TTL_MS = 10 * 60_000;
/** Added to the stall time before a snapshot whose reader went silent is read again. */
const ABANDONED_MARGIN_MS = 60_000;
const ABANDONED_MESSAGE = 'The process reading the application stopped before the end; the preview reads it again';
const WHOLE_POLL_MS = 250;
/** Rows stored before the first answer: two pages of the portal's 50. */
const FIRST_ROWS = 100;

/** Who a stored row is: remote id, userName, email and names. */
export const namesOf = (r: repo.SnapshotUserRow): RemoteNames => ({
  remoteId: r.remote_id,
  userName: r.user_name,
  email: r.email,
  firstname: r.firstname,
  lastname: r.lastname,
  displayname: r.displayname,
});

/** The stored row back as a candidate, re-validated (rules may have changed since the snapshot). */
export function candidateOf(r: repo.SnapshotUserRow): Candidate {
  return validate({
    ...namesOf(r),
    remoteActive: r.remote_active === 1,
    ...(r.external_id ? { externalId: r.external_id } : {}),
    attributes: JSON.parse(r.attributes),
    problems: [],
  });
}

function snapshotRow(snapshotId: string, seq: number, c: Candidate, match: RowMatch): repo.SnapshotUserRow {
  return {
    snapshot_id: snapshotId,
    remote_id: c.remoteId,
    seq,
    user_name: c.userName,
    user_name_lower: c.userName.toLowerCase(),
    email: c.email,
    email_lower: c.email.toLowerCase(),
    firstname: c.firstname,
    lastname: c.lastname,
    displayname: c.displayname,
    remote_active: c.remoteActive ? 1 : 0,
    attributes: JSON.stringify(c.attributes),
    search_text: [c.userName, c.email, c.firstname, c.lastname, c.displayname].filter(Boolean).join(' ').toLowerCase(),
    external_id: c.externalId ?? null,
    ...match,
  };
}

/** Reads pages ahead while the caller processes the current one (fetching overlaps writing). */
export async function* readAhead<T>(pages: AsyncIterable<T>, depth = 2): AsyncGenerator<T> {
  const it = pages[Symbol.asyncIterator]();
  const queue: Promise<IteratorResult<T>>[] = [];
  const fill = () => {
    while (queue.length < depth) {
      const p = it.next();
      // A page fetched ahead may fail before it is awaited; it is awaited (and its error thrown) in turn.
      p.catch(() => {});
      queue.push(p);
    }
  };
  fill();
  try {
    for (;;) {
      const r = await queue.shift()!;
      if (r.done) return;
      fill();
      yield r.value;
    }
  } finally {
    // Settle what was requested ahead so no rejection is left unhandled.
    await Promise.allSettled(queue);
    await it.return?.();
  }
}

/** Turns SCIM and transport failures into one plain 502 for the API. */
export function scimFailure(err: unknown, step: string): AppError {
  if (err instanceof AppError) return err;
  const p = describeFailure(err, step);
  return new AppError('SCIM_REQUEST_FAILED', 502, p.message, [{ code: p.code }]);
}

/**
 * Aborts when no page has arrived for `ms` (the preview is interactive: an application that stops
 * answering must end it with a clear timeout, not hold it through every retry).
 */
function stallGuard(ms: number): { signal: AbortSignal; progress: () => void; dispose: () => void } {
  const controller = new AbortController();
  const expire = () =>
    controller.abort(
      new ScimClientError('TIMEOUT', `The application sent no page of users for ${Math.round(ms / 1000)} s, so the preview was stopped.`),
    );
  let timer = setTimeout(expire, ms);
  return {
    signal: controller.signal,
    progress: () => {
      clearTimeout(timer);
      timer = setTimeout(expire, ms);
    },
    dispose: () => clearTimeout(timer),
  };
}

/** The first occurrence of a username or email in the application's list can be imported; later ones cannot. */
async function markDuplicates(db: Db, snapshotId: string): Promise<void> {
  const duplicates = await repo.findLaterDuplicates(db, snapshotId);
  if (duplicates.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const d of duplicates) {
      const [row] = await repo.findSnapshotUsers(trx, snapshotId, [d.remote_id]);
      const reasons = new Set<string>(row.status === 'invalid' ? JSON.parse(row.reasons) : []);
      reasons.add(`duplicate ${d.field} within the application's list (same as remote user ${d.first_remote_id})`);
      await repo.updateSnapshotUser(trx, snapshotId, d.remote_id, {
        status: 'invalid',
        reasons: JSON.stringify([...reasons]),
        ...NO_MATCH,
      });
    }
  });
}

interface ReadPlan {
  organizationId: string;
  applicationId: string;
  client: ScimClient;
  connection: string;
  /** The match rules the rows are classified under (stored with the snapshot). */
  rules: MatchRule[];
  deactivated: AbortSignal;
  stallMs: number;
  /** A newer read of the application took this one's place in this process (the match rules changed). */
  superseded: () => boolean;
}

/** Ends a superseded read: its snapshot is dropped, so whoever watched it is answered from the newer one. */
class Superseded extends Error {
  constructor() {
    super('the match rules changed: a newer read of the application took its place');
  }
}

function newSnapshot(deps: ImportContext, plan: ReadPlan): repo.SnapshotRow {
  const now = deps.clock.now();
  return {
    id: newId(),
    organization_id: plan.organizationId,
    application_id: plan.applicationId,
    status: 'building',
    total: 0,
    error: null,
    connection_key: plan.connection,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + SNAPSHOT_TTL_MS).toISOString(),
    remote_total: null,
    read_at: now.toISOString(),
    match_by: rulesKey(plan.rules),
  };
}

/**
 * Reads the application into a new snapshot, a batch per transaction as an import run writes them,
 * each row classified against the directory as it is stored; duplicates within the list are marked
 * once the whole list is in. `answerable` is called once a first page can be answered: when a batch
 * is stored and the application said more are coming (totalResults), after a second batch, or at the
 * end (a list of one page is answered whole, its duplicates marked).
 */
async function read(deps: ImportContext, plan: ReadPlan, answerable: (s: repo.SnapshotRow) => void): Promise<repo.SnapshotRow> {
  const { db } = deps;
  const snapshot = newSnapshot(deps, plan);
  await repo.insertSnapshot(db, snapshot);
  const stall = stallGuard(plan.stallMs);
  const listing = plan.client.listUsers({ signal: AbortSignal.any([plan.deactivated, stall.signal]) });
  let seq = 0;
  let batches = 0;
  const progress = () => ({ total: seq, remote_total: listing.stats.totalResults ?? null, read_at: deps.clock.now().toISOString() });
  // The rows and how far the read has come commit together: another process answers from both.
  const write = async (candidates: Candidate[]) => {
    if (plan.superseded()) throw new Superseded();
    await db.transaction().execute(async (trx) => {
      const matches = await matchRows(trx, plan.organizationId, plan.applicationId, plan.rules, candidates);
      await repo.insertSnapshotUsers(
        trx,
        candidates.map((c, i) => snapshotRow(snapshot.id, seq++, c, matches[i])),
      );
      await repo.updateSnapshot(trx, snapshot.id, progress());
    });
    batches++;
    if (batches >= 2 || (listing.stats.totalResults ?? 0) > seq) answerable({ ...snapshot, ...progress() });
  };
  const batcher = new Batcher<Candidate>(deps.config.importBatchSize);
  try {
    for await (const page of readAhead(listing.pages())) {
      // Superseded: stop reading the application (its rate limit serves the newer read).
      if (plan.superseded()) throw new Superseded();
      stall.progress();
      const candidates = (page as ScimUser[]).map(toCandidate);
      // The admin's first look waits for the first rows alone: they are stored at once, the rest of
      // their page goes the way of every later page.
      const first = batches === 0 ? candidates.slice(0, FIRST_ROWS) : [];
      if (first.length) await write(first);
      const batch = batcher.add(first.length ? candidates.slice(first.length) : candidates);
      if (batch?.length) await write(batch);
    }
    stall.dispose();
    const last = batcher.take();
    if (last) await write(last);
    await analyzeTables(deps.database, ['import_snapshot_users']).catch((err) =>
      deps.logger.warn({ err, applicationId: plan.applicationId }, 'could not refresh planner statistics'),
    );
    await markDuplicates(db, snapshot.id);
    const done = {
      ...progress(),
      status: 'ready' as const,
      expires_at: new Date(deps.clock.now().getTime() + SNAPSHOT_TTL_MS).toISOString(),
    };
    await repo.updateSnapshot(db, snapshot.id, done);
    await repo.deleteOldSnapshots(db, plan.applicationId, snapshot);
    return { ...snapshot, ...done };
  } catch (err) {
    stall.dispose();
    if (err instanceof Superseded) {
      await repo.deleteUnusedSnapshot(db, snapshot.id);
      throw err;
    }
    const failure = scimFailure(err, "listing the application's users");
    await repo.updateSnapshot(db, snapshot.id, { status: 'failed', error: failure.message });
    await repo.deleteOldSnapshots(db, plan.applicationId, snapshot);
    throw failure;
  }
}

/** The reading process stored nothing for this long: it is taken as gone (a page may take two stalls' worth). */
const abandoned = (s: repo.SnapshotRow, now: Date, stallMs: number) =>
  Date.parse(s.read_at ?? s.created_at) < now.getTime() - (stallMs + ABANDONED_MARGIN_MS);

/** The read's failure as the API says it, from the snapshot (read in any process). */
export function failedRead(s: repo.SnapshotRow): AppError {
  return new AppError('SCIM_REQUEST_FAILED', 502, s.error ?? "Listing the application's users failed");
}

/**
 * Starts reading the application in the background and answers once a first page can be answered.
 * One read per application in this process (deps.snapshots.building); other processes find the
 * snapshot in the database and answer from its rows.
 */
function startReading(deps: ImportContext, cfg: ScimConfig, listed: Listed, stallMs: number): Promise<repo.SnapshotRow> {
  const { applicationId } = cfg;
  const client = deps.idm.client(applicationId, cfg.client, cfg.settings);
  const first = Promise.withResolvers<repo.SnapshotRow>();
  const plan = {
    organizationId: cfg.organizationId,
    applicationId,
    client,
    ...listed,
    deactivated: deps.idm.signalFor(applicationId),
    stallMs,
    superseded: () => deps.snapshots.building.get(applicationId) !== first.promise,
  };
  const reading = read(deps, plan, first.resolve);
  // Settles the first answer when the read ends before it (later calls are no-ops).
  reading.then(first.resolve, first.reject);
  deps.snapshots.building.set(applicationId, first.promise);
  reading
    .catch((err: unknown) => {
      // Recorded on the snapshot: the portal watching it says so. The request that started it was answered.
      deps.logger.warn({ applicationId, err: err instanceof Error ? err.message : String(err) }, 'reading the import preview failed');
    })
    .finally(() => {
      if (deps.snapshots.building.get(applicationId) === first.promise) deps.snapshots.building.delete(applicationId);
      void client.close();
    })
    .catch(() => {});
  return first.promise;
}

export interface EnsureOptions {
  /** Read the application again (a read going on is joined instead). */
  refresh?: boolean;
  /** Answer only once the whole list is read (the CLI), telling how far it has come. */
  whole?: { onProgress?: (read: number, total: number) => void };
}

/**
 * The application's snapshot, read or being read: the current one, or a new one when expired, listed
 * through another connection than today's (the address or credentials changed), or `refresh`. A new
 * read answers as soon as its first page is stored and goes on in the background.
 */
export async function ensureSnapshot(
  deps: ImportContext,
  organizationId: string,
  applicationId: string,
  opts: EnsureOptions = {},
): Promise<repo.SnapshotRow> {
  return (await snapshotWithSettings(deps, organizationId, applicationId, opts)).snapshot;
}

/** ensureSnapshot, with the integration's settings it read on the way (the preview estimates from them). */
export async function snapshotWithSettings(
  deps: ImportContext,
  organizationId: string,
  applicationId: string,
  opts: EnsureOptions = {},
): Promise<{ snapshot: repo.SnapshotRow; settings: ScimConfig['settings'] }> {
  const { db } = deps;
  // Also the organization's check that the application is its own.
  const cfg = await loadScimConfig({ db, secretKey: deps.secretKey }, organizationId, applicationId);
  // Two attempts' worth of silence ends the preview; retries of a server that never answers would take minutes.
  const stallMs = cfg.settings.requestTimeoutMs * 2;
  const found = await currentSnapshot(deps, cfg, stallMs, opts.refresh === true);
  const snapshot = opts.whole ? await wholeSnapshot(deps, found, stallMs, opts.whole.onProgress) : found;
  return { snapshot, settings: cfg.settings };
}

/** How a snapshot is listed and classified: a snapshot listed otherwise than today is read again. */
interface Listed {
  connection: string;
  rules: MatchRule[];
}

const listedAs = (s: repo.SnapshotRow, listed: Listed) => s.connection_key === listed.connection && s.match_by === rulesKey(listed.rules);

async function currentSnapshot(deps: ImportContext, cfg: ScimConfig, stallMs: number, refresh: boolean): Promise<repo.SnapshotRow> {
  const { db } = deps;
  const listed = { connection: connectionKey(deps.secretKey, cfg.client), rules: await matchRulesOf(db, cfg.applicationId) };
  const inFlight = deps.snapshots.building.get(cfg.applicationId);
  // A read going on under other match rules is superseded by a new one (it stops at its next page).
  const started = inFlight && (await inFlight);
  if (started && started.match_by === rulesKey(listed.rules)) {
    const now = (await repo.findSnapshot(db, started.id)) ?? started;
    // Failed since the first answer (the read is just ending): whoever watches it is told so
    // (previewPage, by its id); this request reads the application again, as it would a moment later.
    if (now.status !== 'failed') return now;
  }
  const latest = await repo.findLatestSnapshot(db, cfg.applicationId);
  const now = deps.clock.now();
  if (latest && listedAs(latest, listed)) {
    if (latest.status === 'ready' && latest.expires_at > now.toISOString() && !refresh) return latest;
    // Another process is reading the application: answer from what it stored instead of reading twice.
    if (latest.status === 'building' && !abandoned(latest, now, stallMs)) return latest;
    if (latest.status === 'building') await repo.updateSnapshot(db, latest.id, { status: 'failed', error: ABANDONED_MESSAGE });
  }
  return startReading(deps, cfg, listed, stallMs);
}

/** Waits until the snapshot is read whole, or throws why it is not. */
async function wholeSnapshot(
  deps: ImportContext,
  snapshot: repo.SnapshotRow,
  stallMs: number,
  onProgress?: (read: number, total: number) => void,
): Promise<repo.SnapshotRow> {
  let s: repo.SnapshotRow | undefined = snapshot;
  while (s?.status === 'building' && !abandoned(s, deps.clock.now(), stallMs)) {
    onProgress?.(s.total, repo.knownTotal(s));
    await new Promise((r) => setTimeout(r, WHOLE_POLL_MS));
    s = await repo.findSnapshot(deps.db, s.id);
  }
  if (s?.status === 'ready') return s;
  throw failedRead(s ?? { ...snapshot, error: 'The preview was replaced by a newer one; try again' });
}
