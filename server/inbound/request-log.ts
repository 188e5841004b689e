// The log of every SCIM request a source makes, for the admins' view of it. A failed request's
// transaction rolls back, so its entry cannot be written in it: entries are buffered in the process
// (one log per Deps) and written in batches, at most a second late, with each source's last request
// time; each flush trims the sources it wrote to their newest 1,000 requests of the last 7 days.
import type { DbContext } from '../db/context.ts';
import { inTransaction } from '../db/database.ts';
import type { Logger } from '../shared/logger.ts';
import { newId } from '../shared/ids.ts';
import * as repo from './sources.repository.ts';

export interface ScimRequestEntry {
  sourceId: string;
  organizationId: string;
  /** When the request arrived (RFC 3339). */
  at: string;
  method: string;
  /** Path and query, without the host; never the body or a header. */
  path: string;
  status: number;
  durationMs: number;
  scimType?: string;
  detail?: string;
  resourceType?: string;
  resourceId?: string;
}

export const REQUESTS_KEPT_PER_SOURCE = 1000;
export const REQUESTS_KEPT_DAYS = 7;
const DAY_MS = 24 * 60 * 60_000;
const TEXT_MAX = 500;

export interface RequestLogOptions {
  flushEveryMs?: number;
  /** A flush starts at once when this many entries wait; it is also the most one insert writes. */
  batchSize?: number;
  keepPerSource?: number;
  /** While the database refuses the writes, at most this many entries wait; the oldest go first. */
  maxBuffered?: number;
}

const trimmed = (s: string | undefined, max = TEXT_MAX) => (s === undefined ? null : s.length > max ? s.slice(0, max) : s);

export class ScimRequestLog {
  private buffer: repo.RequestRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly ctx: DbContext & { logger: Logger };
  private readonly flushEveryMs: number;
  private readonly batchSize: number;
  private readonly keepPerSource: number;
  private readonly maxBuffered: number;

  constructor(ctx: DbContext & { logger: Logger }, opts: RequestLogOptions = {}) {
    this.ctx = ctx;
    this.flushEveryMs = opts.flushEveryMs ?? 1000;
    this.batchSize = opts.batchSize ?? 200;
    this.keepPerSource = opts.keepPerSource ?? REQUESTS_KEPT_PER_SOURCE;
    this.maxBuffered = opts.maxBuffered ?? 10_000;
  }

  /** Entries waiting to be written. */
  get pending(): number {
    return this.buffer.length;
  }

  add(entry: ScimRequestEntry): void {
    if (this.closed) {
      this.ctx.logger.warn({ sourceId: entry.sourceId }, 'SCIM request log closed: entry dropped');
      return;
    }
    this.buffer.push({
      id: newId(this.ctx.clock.now().getTime()),
      organization_id: entry.organizationId,
      source_id: entry.sourceId,
      at: entry.at,
      method: entry.method.slice(0, 16),
      path: trimmed(entry.path) ?? '',
      status: Math.trunc(entry.status),
      duration_ms: Math.max(0, Math.round(entry.durationMs)),
      scim_type: trimmed(entry.scimType, 100),
      detail: trimmed(entry.detail),
      resource_type: trimmed(entry.resourceType, 100),
      resource_id: trimmed(entry.resourceId, 200),
    });
    if (this.buffer.length > this.maxBuffered) this.buffer.splice(0, this.buffer.length - this.maxBuffered);
    if (this.buffer.length >= this.batchSize) this.flushInBackground();
    else this.timer ??= setTimeout(() => this.flushInBackground(), this.flushEveryMs).unref();
  }

  /** Writes every waiting entry; rejects when the database refused a batch (its entries wait for the next flush). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const run = this.chain.then(() => this.drain());
    this.chain = run.catch(() => {});
    return run;
  }

  /** The last flush; entries added later are dropped. deps' stop calls it before closing the database. */
  async close(): Promise<void> {
    this.closed = true;
    try {
      await this.flush();
    } catch (err) {
      this.ctx.logger.error({ err, dropped: this.buffer.length }, 'SCIM request log: the last entries could not be written');
      this.buffer = [];
    }
  }

  private flushInBackground(): void {
    this.flush().catch((err: unknown) => this.ctx.logger.warn({ err, pending: this.buffer.length }, 'SCIM request log: flush failed'));
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.batchSize);
      try {
        await this.write(batch);
      } catch (err) {
        // Back to the front, for the next flush; add() keeps the buffer bounded meanwhile.
        this.buffer.unshift(...batch);
        throw err;
      }
    }
  }

  private async write(batch: repo.RequestRow[]): Promise<void> {
    const last = new Map<string, string>();
    for (const r of batch) if ((last.get(r.source_id) ?? '') < r.at) last.set(r.source_id, r.at);
    const notBefore = new Date(this.ctx.clock.now().getTime() - REQUESTS_KEPT_DAYS * DAY_MS).toISOString();
    await inTransaction(this.ctx.db, async (trx) => {
      await repo.insertRequests(trx, batch);
      for (const [sourceId, at] of last) {
        await repo.touchLastRequest(trx, sourceId, at);
        await repo.trimRequests(trx, sourceId, this.keepPerSource, notBefore);
      }
    });
  }
}

/** Requests older than the log keeps, and removals long past the guardrail's hour, of every source (hourly). */
export async function purgeScimSourceLogs(ctx: DbContext): Promise<{ scimRequests: number; scimRemovals: number }> {
  const now = ctx.clock.now().getTime();
  return {
    scimRequests: await repo.purgeRequestsBefore(ctx.db, new Date(now - REQUESTS_KEPT_DAYS * DAY_MS).toISOString()),
    scimRemovals: await repo.purgeRemovalsBefore(ctx.db, new Date(now - DAY_MS).toISOString()),
  };
}
