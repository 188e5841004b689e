import { describe, expect, it } from 'vitest';
import { estimateImport, humanDuration, WRITE_MS_PER_USER } from './estimate.ts';

describe('estimateImport', () => {
  it('reads a page per request within the rate limit: 100,000 users, pages of 100, 10 per second', () => {
    const e = estimateImport({ users: 100_000, pageSize: 100, rateLimitPerSecond: 10, readsApplication: true });
    expect(e).toMatchObject({ users: 100_000, pages: 1000, seconds: 100, limitedBy: 'rateLimit' });
    expect(e.text).toBe(
      '100,000 users at 10 requests per second: about 2 minutes; raise the rate limit in Advanced if the application allows more',
    );
  });

  it('counts a last short page as a page', () => {
    expect(estimateImport({ users: 1001, pageSize: 100, rateLimitPerSecond: 1, readsApplication: true }).pages).toBe(11);
  });

  it('is decided by the writes when the rate limit allows more than they take, and then gives no advice', () => {
    const e = estimateImport({ users: 100_000, pageSize: 1000, rateLimitPerSecond: 10_000, readsApplication: true });
    expect(e.limitedBy).toBe('writes');
    expect(e.seconds).toBe(Math.ceil((100_000 * WRITE_MS_PER_USER) / 1000));
    expect(e.text).toBe('100,000 users at 10,000 requests per second: about 40 seconds');
  });

  it('reads nothing for a selection (the preview has the users)', () => {
    const e = estimateImport({ users: 5000, pageSize: 100, rateLimitPerSecond: 1, readsApplication: false });
    expect(e).toMatchObject({ pages: 0, seconds: 2, limitedBy: 'writes', text: '5,000 users: a few seconds' });
  });

  it('says what is left of a running run, and does not advise on a short wait', () => {
    const e = estimateImport({ users: 250, pageSize: 100, rateLimitPerSecond: 0.5, readsApplication: true, remaining: true });
    expect(e.text).toBe('250 users left at 0.5 requests per second: a few seconds');
    expect(estimateImport({ users: 1, pageSize: 100, rateLimitPerSecond: 1, readsApplication: true }).text).toBe(
      '1 user at 1 request per second: a few seconds',
    );
  });

  it('reads one page even for an empty application', () => {
    expect(estimateImport({ users: 0, pageSize: 100, rateLimitPerSecond: 10, readsApplication: true })).toMatchObject({
      pages: 1,
      seconds: 1,
    });
  });
});

describe('humanDuration', () => {
  it.each([
    [0, 'a few seconds'],
    [9, 'a few seconds'],
    [10, 'about 10 seconds'],
    [44, 'about 40 seconds'],
    [54, 'about 50 seconds'],
    [55, 'about 1 minute'],
    [100, 'about 2 minutes'],
    [89 * 60, 'about 89 minutes'],
    [90 * 60, 'about 1.5 hours'],
    [10 * 3600 + 100, 'about 10 hours'],
    [72 * 3600, 'about 3 days'],
  ])('%i s is %s', (seconds, said) => {
    expect(humanDuration(seconds)).toBe(said);
  });
});
