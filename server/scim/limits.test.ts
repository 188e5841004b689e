import { describe, expect, it, vi } from 'vitest';
import { ScimClientError } from './errors.ts';
import { LimitsRegistry, RateLimiter, Semaphore, sleep } from './limits.ts';
import { parseRateLimitReset, parseRetryAfter, rateLimitPause, retryDelay } from './retry.ts';

describe('RateLimiter', () => {
  it('lets a burst through at once, then paces at the configured rate', async () => {
    vi.useFakeTimers();
    try {
      const limiter = new RateLimiter({ requestsPerSecond: 50, burst: 3 });
      const started = Date.now();
      const times: number[] = [];
      for (let i = 0; i < 6; i++) void limiter.acquire().then(() => times.push(Date.now() - started));
      await vi.advanceTimersByTimeAsync(0);
      expect(times).toEqual([0, 0, 0]);
      // One token every 20 ms at 50/s: none sooner, and the last three by 60 ms (a millisecond of rounding).
      await vi.advanceTimersByTimeAsync(19);
      expect(times).toHaveLength(3);
      await vi.advanceTimersByTimeAsync(43);
      expect(times).toHaveLength(6);
      expect(times[3]).toBeGreaterThanOrEqual(20);
      expect(times[4]).toBeGreaterThanOrEqual(40);
      expect(times[5]).toBeGreaterThanOrEqual(60);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops waiting at once when aborted', async () => {
    const limiter = new RateLimiter({ requestsPerSecond: 0.01, burst: 1 });
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    expect(limiter.waiting).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    expect(limiter.waiting).toBe(0);
  });

  it('pauses everyone until a given time (Retry-After, X-Rate-Limit-Reset)', async () => {
    vi.useFakeTimers();
    try {
      const limiter = new RateLimiter({ requestsPerSecond: 1000, burst: 10 });
      limiter.pauseUntil(Date.now() + 60);
      let granted = false;
      void limiter.acquire().then(() => (granted = true));
      await vi.advanceTimersByTimeAsync(59);
      expect(granted).toBe(false);
      await vi.advanceTimersByTimeAsync(2);
      expect(granted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses nonsense settings', () => {
    expect(() => new RateLimiter({ requestsPerSecond: 0 })).toThrow(ScimClientError);
  });
});

describe('Semaphore', () => {
  it('never runs more than max at once, in FIFO order', async () => {
    const sem = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const release = await sem.acquire();
        order.push(i);
        running++;
        peak = Math.max(peak, running);
        await sleep(3);
        running--;
        release();
        release();
      }),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(sem.active).toBe(0);
  });

  it('stops waiting at once when aborted and keeps its count right', async () => {
    const sem = new Semaphore(1);
    const release = await sem.acquire();
    const controller = new AbortController();
    const waiting = sem.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    release();
    expect(sem.active).toBe(0);
    const again = await sem.acquire();
    expect(sem.active).toBe(1);
    again();
  });

  it('is shared per key through the registry', () => {
    const registry = new LimitsRegistry();
    const a = registry.get('integration-1', { concurrency: 2, rateLimit: { requestsPerSecond: 5 } });
    const b = registry.get('integration-1');
    expect(b).toBe(a);
    expect(registry.get('integration-2')).not.toBe(a);
    expect(a.rateLimiter?.burst).toBe(5);
  });
});

describe('sleep', () => {
  it('rejects immediately on abort', async () => {
    const controller = new AbortController();
    // Without the abort it would resolve (not reject) after 10 s.
    const p = sleep(10_000, controller.signal);
    setTimeout(() => controller.abort(), 5);
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('retry timing', () => {
  it('uses full jitter below an exponential ceiling', () => {
    const opts = { max: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelay(0, opts, () => 0.999)).toBe(99);
    expect(retryDelay(3, opts, () => 0.5)).toBe(400);
    expect(retryDelay(10, opts, () => 0.999)).toBe(999);
    expect(retryDelay(2, opts, () => 0)).toBe(0);
  });

  it('waits what Retry-After asked, plus up to 10 % (at most 1 s), whatever the ceiling', () => {
    const opts = { max: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelay(0, opts, () => 0.5, 3000)).toBe(3150);
    expect(retryDelay(4, opts, () => 0.999, 30_000)).toBe(30_999);
  });

  it('parses Retry-After in seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:05 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('reads X-Rate-Limit-Reset as seconds or epoch (R4)', () => {
    const now = 1_800_000_000_000;
    expect(parseRateLimitReset('30', now)).toBe(now + 30_000);
    expect(parseRateLimitReset('1800000060', now)).toBe(1_800_000_060_000);
    expect(parseRateLimitReset('1800000060000', now)).toBe(1_800_000_060_000);
    expect(rateLimitPause({ 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': '2' }, now)).toBe(now + 2000);
    expect(rateLimitPause({ 'x-rate-limit-remaining': '5', 'x-rate-limit-reset': '2' }, now)).toBeUndefined();
  });
});
