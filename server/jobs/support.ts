// Shared by both adapters: errors, option defaults and the retry delay.
import { setTimeout } from 'node:timers/promises';
import { backoffDelay } from '../shared/backoff.ts';

/** Thrown by a handler to fail the job at once, without the remaining attempts. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
  readonly retryable = false;
}

export type JobAbortReason = 'shutdown' | 'cancelled' | 'lease-lost' | 'timeout';

/** The reason of an aborted `ctx.signal`: the queue stopped, the job was cancelled, its lease was lost or it ran too long. */
export class JobAbortedError extends Error {
  override readonly name = 'JobAbortedError';
  readonly reason: JobAbortReason;
  constructor(reason: JobAbortReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_BACKOFF_MS = 1000;
/** No retry waits longer than this, however many attempts came before. */
export const MAX_BACKOFF_MS = 60 * 60_000;
export const DEFAULT_TIMEOUT_MS = 60 * 60_000;
export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60_000;
export const DEFAULT_GRACE_MS = 10_000;

/** pg-boss accepts these characters in queue names; the embedded queue holds to the same rule so either adapter takes the same names. */
const NAME_RE = /^[\w.\-/]{1,100}$/;

export function assertJobName(name: string): void {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new TypeError(`Job name "${name}" must be 1-100 letters, digits, _ . - or /`);
  }
}

export interface ResolvedJobOptions {
  runAt: Date | undefined;
  maxAttempts: number;
  backoffMs: number;
  singletonKey: string | undefined;
  organizationId: string | undefined;
}

export function resolveJobOptions(
  options: {
    runAt?: Date;
    maxAttempts?: number;
    backoffMs?: number;
    singletonKey?: string;
    organizationId?: string;
  } = {},
): ResolvedJobOptions {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 1000)
    throw new RangeError('maxAttempts must be an integer from 1 to 1000');
  if (!Number.isFinite(backoffMs) || backoffMs < 0) throw new RangeError('backoffMs must be a number >= 0');
  if (options.runAt !== undefined && !(options.runAt instanceof Date && Number.isFinite(options.runAt.getTime()))) {
    throw new TypeError('runAt must be a valid Date');
  }
  if (options.singletonKey !== undefined && (typeof options.singletonKey !== 'string' || options.singletonKey === '')) {
    throw new TypeError('singletonKey must be a non-empty string');
  }
  return {
    runAt: options.runAt,
    maxAttempts,
    backoffMs: Math.round(backoffMs),
    singletonKey: options.singletonKey,
    organizationId: options.organizationId,
  };
}

/**
 * Delay before the attempt after `attempt` (counted from 1) failed: base * 2^(attempt-1), capped,
 * with equal jitter (half fixed, half random) so a burst of failures spreads out yet never retries
 * at once. pg-boss's retryBackoff follows the same schedule in whole seconds (pgboss.ts).
 */
export function backoffDelayMs(baseMs: number, attempt: number, capMs = MAX_BACKOFF_MS, random?: () => number): number {
  return backoffDelay(attempt - 1, { baseMs, maxMs: capMs, jitter: 'equal', random });
}

export function isPermanent(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === false;
}

/** A message fit for the jobs table: the error's message, bounded in size. */
export function errorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : typeof err === 'string' ? err : safeJson(err);
  return text.length > 4000 ? `${text.slice(0, 4000)}…` : text;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** JSON in, JSON out: what the handler receives is what a round trip through the database gives. */
export function serializePayload(payload: object): string {
  if (payload === null || typeof payload !== 'object') throw new TypeError('A job payload must be an object');
  return JSON.stringify(payload);
}

/** Resolves when every promise has settled or `ms` passed, whichever comes first; true if all settled. */
export async function settledWithin(promises: Promise<unknown>[], ms: number): Promise<boolean> {
  if (promises.length === 0) return true;
  const timer = new AbortController();
  try {
    const settled = Promise.allSettled(promises).then(() => true);
    return await Promise.race([settled, setTimeout(ms, false, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}
