// Throttling shared by every request of one integration: a token bucket (rate) and a semaphore
// (concurrency). Several clients of one integration share one pair (LimitsRegistry), because
// vendors count limits per tenant, not per connection (R1). Every wait is abortable.
import { setTimeout as wait } from 'node:timers/promises';
import { ScimClientError } from './errors.ts';

export function abortError(signal: AbortSignal | undefined): ScimClientError {
  const reason: unknown = signal?.reason;
  if (reason instanceof ScimClientError) return reason;
  // AbortSignal.timeout(): an overall deadline ran out, which is not a cancellation.
  if (reason instanceof DOMException && reason.name === 'TimeoutError') {
    return new ScimClientError('TIMEOUT', 'The SCIM operation did not finish within its time limit.', { retryable: true, cause: reason });
  }
  return new ScimClientError('ABORTED', 'The SCIM operation was cancelled.', { cause: reason });
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts, with the ScimClientError that says why. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await wait(Math.max(0, ms), undefined, { signal });
  } catch (err) {
    throw signal?.aborted ? abortError(signal) : err;
  }
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

function enqueue(queue: Waiter[], signal: AbortSignal | undefined, onQueued: () => void): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise<void>((resolve, reject) => {
    const waiter: Waiter = { resolve, reject, signal };
    waiter.onAbort = () => {
      const i = queue.indexOf(waiter);
      if (i >= 0) queue.splice(i, 1);
      reject(abortError(signal));
    };
    signal?.addEventListener('abort', waiter.onAbort, { once: true });
    queue.push(waiter);
    onQueued();
  });
}

function release(waiter: Waiter): void {
  if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  waiter.resolve();
}

export interface RateLimitOptions {
  requestsPerSecond: number;
  /** Requests allowed at once after a quiet period. */
  burst?: number;
}

/** Token bucket, FIFO. `pauseUntil` lets a 429 or an exhausted X-Rate-Limit budget stop everyone. */
export class RateLimiter {
  readonly requestsPerSecond: number;
  readonly burst: number;
  #tokens: number;
  #refilledAt = Date.now();
  #pausedUntil = 0;
  #queue: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RateLimitOptions) {
    if (!(options.requestsPerSecond > 0)) throw new ScimClientError('INVALID_CONFIG', 'requestsPerSecond must be greater than 0.');
    this.requestsPerSecond = options.requestsPerSecond;
    this.burst = Math.max(1, Math.floor(options.burst ?? Math.ceil(options.requestsPerSecond)));
    this.#tokens = this.burst;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (this.#queue.length === 0 && this.#tryTake()) return signal?.aborted ? Promise.reject(abortError(signal)) : Promise.resolve();
    return enqueue(this.#queue, signal, () => this.#schedule());
  }

  /** No request starts before `epochMs` (Retry-After, X-Rate-Limit-Reset). */
  pauseUntil(epochMs: number): void {
    if (epochMs > this.#pausedUntil) {
      this.#pausedUntil = epochMs;
      this.#tokens = Math.min(this.#tokens, 1);
    }
  }

  #refill(): void {
    const now = Date.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#refilledAt) / 1000) * this.requestsPerSecond);
    this.#refilledAt = now;
  }

  #tryTake(): boolean {
    if (Date.now() < this.#pausedUntil) return false;
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#pump();
  }

  #pump(): void {
    this.#timer = undefined;
    while (this.#queue.length && this.#tryTake()) release(this.#queue.shift() as Waiter);
    if (!this.#queue.length) return;
    const now = Date.now();
    const forToken = ((1 - this.#tokens) / this.requestsPerSecond) * 1000;
    const delay = Math.max(this.#pausedUntil - now, forToken, 1);
    this.#timer = setTimeout(() => this.#pump(), Math.ceil(delay));
  }
}

/** Counting semaphore, FIFO. `acquire` resolves to a release function (safe to call twice). */
export class Semaphore {
  readonly max: number;
  #active = 0;
  #queue: Waiter[] = [];

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new ScimClientError('INVALID_CONFIG', 'concurrency must be a whole number of at least 1.');
    this.max = max;
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw abortError(signal);
    if (this.#active < this.max && this.#queue.length === 0) this.#active++;
    else await enqueue(this.#queue, signal, () => {});
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      // The slot passes straight to the next waiter, so the count stays the same.
      if (next) release(next);
      else this.#active--;
    };
  }
}

export interface SharedLimits {
  rateLimiter?: RateLimiter;
  semaphore: Semaphore;
}

/** One RateLimiter and Semaphore per key (an integration id), created on first use. */
export class LimitsRegistry {
  #byKey = new Map<string, SharedLimits>();

  get(key: string, options: { rateLimit?: RateLimitOptions; concurrency?: number } = {}): SharedLimits {
    let limits = this.#byKey.get(key);
    if (!limits) {
      limits = {
        rateLimiter: options.rateLimit ? new RateLimiter(options.rateLimit) : undefined,
        semaphore: new Semaphore(options.concurrency ?? 4),
      };
      this.#byKey.set(key, limits);
    }
    return limits;
  }

  delete(key: string): void {
    this.#byKey.delete(key);
  }
}
