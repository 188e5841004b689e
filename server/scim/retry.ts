// When and how long to wait before trying again. Exponential backoff with full jitter spreads
// retries of many workers; a server's Retry-After (seconds or HTTP date) or X-Rate-Limit-Reset
// (R4) replaces the guess when present. The formula itself is the project's one backoff.
import { backoffDelay } from '../shared/backoff.ts';

export interface RetryOptions {
  /** Retries after the first attempt. */
  max: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server asking to wait longer than this is not waited for: the call fails RATE_LIMITED. */
  maxRetryAfterMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  max: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
};

/**
 * The wait before another attempt; `attempt` counts the failed attempts before it from 0. Full
 * jitter, uniform in [0, min(max, base * 2^attempt)), or the server's Retry-After plus a little.
 */
export function retryDelay(attempt: number, options: RetryOptions, random?: () => number, retryAfterMs?: number): number {
  return backoffDelay(attempt, { baseMs: options.baseDelayMs, maxMs: options.maxDelayMs, jitter: 'full', random, retryAfterMs });
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or garbage. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/**
 * X-Rate-Limit-Reset / RateLimit-Reset: seconds until reset, or an epoch timestamp in seconds
 * or milliseconds (vendors differ; the size of the number tells them apart). Returns epoch ms.
 */
export function parseRateLimitReset(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  const n = Number(value);
  if (n > 1e12) return n;
  if (n > 1e9) return n * 1000;
  return now + n * 1000;
}

/** When the budget headers say it is used up, the epoch ms at which it refills. */
export function rateLimitPause(headers: Record<string, string>, now = Date.now()): number | undefined {
  const remaining = headers['x-rate-limit-remaining'] ?? headers['x-ratelimit-remaining'] ?? headers['ratelimit-remaining'];
  if (remaining === undefined || Number(remaining) > 0) return undefined;
  const reset = headers['x-rate-limit-reset'] ?? headers['x-ratelimit-reset'] ?? headers['ratelimit-reset'];
  return parseRateLimitReset(reset, now);
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT.has(method.toUpperCase());
}

/**
 * Statuses worth another attempt. 429 and 503 mean "not processed, come back later", so even a
 * POST may repeat; other 5xx (and 408) may have been applied, so only idempotent requests repeat.
 */
export function isRetryableStatus(status: number, idempotent: boolean): boolean {
  if (status === 429 || status === 503) return true;
  if (status === 408 || status === 500 || status === 502 || status === 504) return idempotent;
  return false;
}
