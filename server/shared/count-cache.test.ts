import { describe, expect, it } from 'vitest';
import { CountCache } from './count-cache.ts';

describe('CountCache', () => {
  it('counts small totals every time, and keeps large ones for the TTL', async () => {
    let now = 0;
    let calls = 0;
    let n = 5;
    const cache = new CountCache({ keepFrom: 100, ttlMs: 1000, now: () => now });
    const count = async () => {
      calls++;
      return n;
    };
    expect(await cache.get('k', count)).toBe(5);
    n = 6;
    expect(await cache.get('k', count)).toBe(6);
    expect(calls).toBe(2);
    n = 500;
    expect(await cache.get('k', count)).toBe(500);
    n = 501;
    now = 999;
    expect(await cache.get('k', count)).toBe(500);
    expect(calls).toBe(3);
    now = 1000;
    expect(await cache.get('k', count)).toBe(501);
    expect(await cache.get('other', count)).toBe(501);
    expect(calls).toBe(5);
  });

  it('shares one count between the requests asking at once, and forgets a failed one', async () => {
    let calls = 0;
    let release!: (n: number) => void;
    const cache = new CountCache({ keepFrom: 0 });
    const slow = () => {
      calls++;
      return new Promise<number>((resolve) => {
        release = resolve;
      });
    };
    const both = Promise.all([cache.get('k', slow), cache.get('k', slow)]);
    release(42);
    expect(await both).toEqual([42, 42]);
    expect(calls).toBe(1);
    await expect(cache.get('bad', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('bad', async () => 7)).toBe(7);
  });

  it('keeps at most maxEntries keys', async () => {
    let calls = 0;
    const cache = new CountCache({ keepFrom: 0, maxEntries: 2 });
    const count = async () => ++calls;
    await cache.get('a', count);
    await cache.get('b', count);
    await cache.get('c', count);
    expect(await cache.get('a', count)).toBe(4);
    expect(await cache.get('c', count)).toBe(3);
  });
});
