// The one backoff formula of the project: how long to wait before trying again. Every retry loop
// (SCIM requests, jobs, the embedded queue's poll after an error, provisioning's failed operations)
// computes its delay here, so "how long after the third failure?" has one answer to read.

export type Jitter = 'full' | 'equal' | 'none';

export interface BackoffOptions {
  /** The delay before the first retry (`retry` 0), before jitter. */
  baseMs: number;
  /** No exponential delay exceeds this, however many retries came before. */
  maxMs: number;
  /**
   * How much of the delay is random:
   * - `full`: uniform in [0, delay]; spreads a crowd of clients best (SCIM requests);
   * - `equal`: half fixed, half random, in [delay/2, delay]; spread out, yet never at once (jobs);
   * - `none`: exactly the delay (schedules a person reads: 1 min, 2, 4...).
   */
  jitter: Jitter;
  /**
   * A delay the other side asked for (HTTP Retry-After, a rate-limit reset), in ms. It replaces
   * the exponential guess, is not capped by `maxMs` (the caller decides whether to wait that long
   * at all), and gets up to 10 % more (at most 1 s) so clients told the same time do not return
   * together.
   */
  retryAfterMs?: number;
  /** Uniform in [0, 1); tests inject a fixed one. */
  random?: () => number;
}

/** Beyond this many doublings every base is past any cap; it also keeps 0 * 2^n away from NaN. */
const MAX_DOUBLINGS = 40;
const MAX_RETRY_AFTER_JITTER_MS = 1000;

/**
 * The delay in whole milliseconds before the next attempt. `retry` counts the retries that came
 * before this one: 0 for the first retry (after the first failed attempt), 1 for the second...
 * The exponential delay is min(maxMs, baseMs * 2^retry); `jitter` then picks within it.
 */
export function backoffDelay(retry: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  if (options.retryAfterMs !== undefined) {
    const asked = Math.max(0, options.retryAfterMs);
    return asked + Math.floor(random() * Math.min(MAX_RETRY_AFTER_JITTER_MS, asked * 0.1));
  }
  const doublings = Math.min(Math.max(0, Math.floor(retry)), MAX_DOUBLINGS);
  const delay = Math.min(options.maxMs, options.baseMs * 2 ** doublings);
  if (options.jitter === 'none') return Math.floor(delay);
  const fixed = options.jitter === 'equal' ? delay / 2 : 0;
  return Math.floor(fixed + random() * (delay - fixed));
}
