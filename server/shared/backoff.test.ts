import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

const fixed = (value: number) => () => value;

describe('backoffDelay', () => {
  it('doubles from the base on each retry and stops at the cap', () => {
    const options = { baseMs: 100, maxMs: 1000, jitter: 'none' as const };
    expect([0, 1, 2, 3, 4, 5].map((retry) => backoffDelay(retry, options))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(10_000, options)).toBe(1000);
  });

  it('counts a fractional retry count down to a whole one, and a negative one as 0', () => {
    const options = { baseMs: 100, maxMs: 1000, jitter: 'none' as const };
    expect(backoffDelay(-3, options)).toBe(100);
    expect(backoffDelay(1.7, options)).toBe(200);
  });

  it('stays a number with a zero base, however many retries came before', () => {
    expect(backoffDelay(5000, { baseMs: 0, maxMs: 1000, jitter: 'none' })).toBe(0);
    expect(backoffDelay(5000, { baseMs: 0, maxMs: 1000, jitter: 'full', random: fixed(0.5) })).toBe(0);
  });

  it('full jitter is uniform in [0, delay)', () => {
    const options = { baseMs: 100, maxMs: 1000, jitter: 'full' as const };
    expect(backoffDelay(0, { ...options, random: fixed(0) })).toBe(0);
    expect(backoffDelay(0, { ...options, random: fixed(0.999) })).toBe(99);
    expect(backoffDelay(3, { ...options, random: fixed(0.5) })).toBe(400);
    expect(backoffDelay(10, { ...options, random: fixed(0.999) })).toBe(999);
  });

  it('equal jitter keeps half of the delay fixed', () => {
    const options = { baseMs: 100, maxMs: 10_000, jitter: 'equal' as const };
    expect(backoffDelay(2, { ...options, random: fixed(0) })).toBe(200);
    expect(backoffDelay(2, { ...options, random: fixed(0.5) })).toBe(300);
    expect(backoffDelay(2, { ...options, random: fixed(0.999) })).toBe(399);
  });

  it('no jitter asks for no random number', () => {
    let calls = 0;
    const random = () => {
      calls++;
      return 0.5;
    };
    expect(backoffDelay(1, { baseMs: 60_000, maxMs: 6 * 60 * 60_000, jitter: 'none', random })).toBe(120_000);
    expect(calls).toBe(0);
  });

  it('a Retry-After replaces the exponential delay, is not capped, and gets at most 10 % (up to 1 s) more', () => {
    const options = { baseMs: 100, maxMs: 1000, jitter: 'full' as const };
    expect(backoffDelay(0, { ...options, retryAfterMs: 5000, random: fixed(0) })).toBe(5000);
    expect(backoffDelay(0, { ...options, retryAfterMs: 5000, random: fixed(0.5) })).toBe(5250);
    expect(backoffDelay(9, { ...options, retryAfterMs: 60_000, random: fixed(0.999) })).toBe(60_999);
    expect(backoffDelay(0, { ...options, retryAfterMs: 0, random: fixed(0.999) })).toBe(0);
    expect(backoffDelay(0, { ...options, retryAfterMs: -20, random: fixed(0.999) })).toBe(0);
  });

  it('uses Math.random when no random is given, within the same bounds', () => {
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(2, { baseMs: 100, maxMs: 1000, jitter: 'equal' });
      expect(delay).toBeGreaterThanOrEqual(200);
      expect(delay).toBeLessThan(400);
      expect(Number.isInteger(delay)).toBe(true);
    }
  });
});
