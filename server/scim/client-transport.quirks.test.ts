// The real ScimClient against the project's test SCIM server when the transport misbehaves:
// rate limits (R1, R4) and injected faults (resets, hangs, 5xx, garbage bodies, huge and slow
// bodies), including fail-first-then-recover. Backoffs are tiny and timeouts short; the only
// real waits are the server's one-second Retry-After values.
import { describe, expect, it } from 'vitest';
import { codeUnitOrder } from '../../test/order.ts';
import { scimClientFixture } from '../../test/scim-client.ts';
import { type FaultRule, type Quirks, type RunningScimServer, type ScimServerOptions } from '../../test/scim-server/index.ts';
import { LimitsRegistry, ScimClientError, ScimError, toScimUser, type ScimClientOptions } from './index.ts';

const TOKEN = 'transport-quirks-token';
const FAST: Partial<ScimClientOptions> = {
  retries: { max: 3, baseDelayMs: 1, maxDelayMs: 20 },
  rateLimit: null,
  timeoutMs: 2_000,
  paging: { pageSize: 50 },
};

const fixture = scimClientFixture({ token: TOKEN, server: { users: 237, seed: 5 }, client: FAST });
const { newClient } = fixture;

async function setup(quirks: Partial<Quirks> = {}, client: Partial<ScimClientOptions> = {}, server: ScimServerOptions = {}) {
  const { scim, c } = await fixture.setup(quirks, client, server);
  return { scim, c, ids: scim.store.listUsers().map((u) => u.id) };
}

async function caught(p: Promise<unknown>): Promise<ScimClientError | ScimError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ScimClientError || err instanceof ScimError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

const faults = (scim: RunningScimServer, ...rules: FaultRule[]) => scim.setQuirks({ faults: rules });
const count = (scim: RunningScimServer, method: string, path: RegExp) =>
  scim.requests.filter((r) => r.method === method && path.test(r.path)).length;
const sorted = (ids: Array<string | undefined>) => [...ids].sort(codeUnitOrder);
const newUser = (n: number) =>
  toScimUser({ id: `roster-${n}`, state: 'ACTIVE', username: `new.user${n}@example.com`, email: `new.user${n}@example.com` });

// ==================================================================== rate limits (R)

describe('rate limits', () => {
  it('R1 429 with Retry-After in seconds: waits as told, once', async () => {
    const { scim, c, ids } = await setup({ rateLimit: { requestsPerSecond: 1, burst: 2 }, retryAfterStyle: 'seconds' });
    // Three at once against a burst of two: exactly one 429.
    await Promise.all(ids.slice(0, 3).map((id) => c.getUser(id)));
    // Ignoring Retry-After (tiny backoffs) would have run into the limit on every retry.
    expect(scim.stats().tooManyRequests).toBe(1);
    expect(c.metrics.retries).toBe(1);
  });

  it('R1 429 with Retry-After as an HTTP date', async () => {
    const { scim, c, ids } = await setup({ rateLimit: { requestsPerSecond: 1, burst: 2 }, retryAfterStyle: 'httpDate' });
    await Promise.all(ids.slice(0, 3).map((id) => c.getUser(id)));
    // The date has whole seconds, so the first wait may end a little early: at most one more 429.
    expect(scim.stats().tooManyRequests).toBeGreaterThanOrEqual(1);
    expect(scim.stats().tooManyRequests).toBeLessThanOrEqual(2);
  });

  it('R1 429 without Retry-After after the retries: RATE_LIMITED, retryable, for the job queue', async () => {
    const { c, ids } = await setup({ rateLimit: { requestsPerSecond: 0.2, burst: 1 }, retryAfterStyle: 'none' });
    await c.getUser(ids[0]);
    const err = await caught(c.getUser(ids[1]));
    expect(err).toBeInstanceOf(ScimClientError);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', retryable: true, status: 429 });
  });

  it('R1 a Retry-After longer than the client waits fails at once with retryAfterMs', async () => {
    const { scim, c, ids } = await setup(
      { rateLimit: { requestsPerSecond: 0.1, burst: 1 } },
      { retries: { max: 3, baseDelayMs: 1, maxDelayMs: 20, maxRetryAfterMs: 500 } },
    );
    await c.getUser(ids[0]);
    const err = await caught(c.getUser(ids[1]));
    expect(err).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect((err as ScimClientError).retryAfterMs).toBeGreaterThan(5_000);
    expect(scim.stats().tooManyRequests).toBe(1);
  });

  it('R1 the client rate limiter keeps two clients of one tenant under the server limit', async () => {
    // The server allows twice the client's rate and a larger burst, so loopback jitter that
    // bunches requests up cannot cause a 429; without the limiter, 30 requests would.
    const { scim, ids } = await setup({ rateLimit: { requestsPerSecond: 60, burst: 20 } });
    const shared = new LimitsRegistry().get('tenant-1', { rateLimit: { requestsPerSecond: 30, burst: 5 }, concurrency: 4 });
    const a = newClient(scim, { rateLimit: shared.rateLimiter, concurrency: shared.semaphore });
    const b = newClient(scim, { rateLimit: shared.rateLimiter, concurrency: shared.semaphore });
    const users = await Promise.all(ids.slice(0, 30).map((id, i) => (i % 2 ? a : b).getUser(id)));
    expect(users.map((u) => u.id)).toEqual(ids.slice(0, 30));
    expect(scim.stats().tooManyRequests).toBe(0);
    // The control: without the limiter the server's limit is reached. Every user, 30 at a time: a
    // loaded machine would have to spread them over more than 3.6 s for the bucket to keep up.
    const unlimited = newClient(scim, { retries: { max: 0 }, concurrency: 30 });
    const results = await Promise.allSettled(ids.map((id) => unlimited.getUser(id)));
    expect(results.some((r) => r.status === 'rejected' && (r.reason as ScimClientError).code === 'RATE_LIMITED')).toBe(true);
  });

  it('R2 a tight budget on /Groups only: group listing waits as told, user requests are never refused', async () => {
    const { scim, c, ids } = await setup({ rateLimit: { requestsPerSecond: 2, burst: 2, paths: ['/Groups'] } }, {}, { groups: 4 });
    const [groups, users] = await Promise.all([c.listGroups({ pageSize: 1 }).toArray(), c.listUsers().toArray()]);
    expect(sorted(groups.map((g) => g.id))).toEqual(sorted(scim.store.listGroups().map((g) => g.id)));
    expect(sorted(users.map((u) => u.id))).toEqual(sorted(ids));
    const limited = scim.requests.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((r) => r.path.endsWith('/Groups'))).toBe(true);
  });

  it('R4 X-Rate-Limit-Remaining 0 pauses the client until X-Rate-Limit-Reset: no 429 at all', async () => {
    const { scim, c, ids } = await setup(
      { rateLimit: { requestsPerSecond: 4, burst: 3 }, rateLimitHeaders: true },
      // A limiter far above the server's budget: only the headers slow the client down.
      { rateLimit: { requestsPerSecond: 1000, burst: 1000 } },
    );
    for (const id of ids.slice(0, 6)) await c.getUser(id);
    expect(scim.stats().tooManyRequests).toBe(0);
    expect(scim.requests.some((r) => r.status === 200)).toBe(true);
  });
});

// ==================================================================== faults

describe('faults', () => {
  it('connection resets: GETs are retried; a POST is not repeated and says the outcome is unknown', async () => {
    const { scim, c, ids } = await setup();
    faults(scim, { kind: 'reset', method: 'GET', first: 2 });
    expect((await c.getUser(ids[0])).id).toBe(ids[0]);
    expect(c.metrics.failures.NETWORK).toBe(2);
    faults(scim, { kind: 'reset', method: 'POST', first: 1 });
    const err = await caught(c.createUser(newUser(1)));
    expect(err).toMatchObject({ code: 'NETWORK', outcomeUnknown: true });
    expect(count(scim, 'POST', /\/Users$/)).toBe(1);
    // The caller looks the user up before creating it again.
    expect((await c.lookupUser('userName', 'new.user1@example.com')).user).toBeNull();
  });

  it('hangs end at the timeout; a hang that stops is recovered by a retry', async () => {
    const { scim, c, ids } = await setup({}, { timeoutMs: 500, retries: { max: 1, baseDelayMs: 1, maxDelayMs: 5 } });
    faults(scim, { kind: 'hang', method: 'GET', first: 1 });
    expect((await c.getUser(ids[0])).id).toBe(ids[0]);
    faults(scim, { kind: 'hang', method: 'GET' });
    // The server never answers: the 500 ms timeout ends each of the two attempts.
    const attempts = c.metrics.attempts;
    expect(await caught(c.getUser(ids[1]))).toMatchObject({ code: 'TIMEOUT', retryable: true, outcomeUnknown: false });
    expect(c.metrics.attempts - attempts).toBe(2);
    faults(scim, { kind: 'hang', method: 'POST' });
    expect(await caught(c.createUser(newUser(2)))).toMatchObject({ code: 'TIMEOUT', outcomeUnknown: true });
    expect(count(scim, 'POST', /\/Users$/)).toBe(1);
  });

  it('500s: GETs retried until they recover, a POST fails at once', async () => {
    const { scim, c, ids } = await setup();
    faults(scim, { kind: 'status500', method: 'GET', first: 2 });
    expect((await c.getUser(ids[0])).id).toBe(ids[0]);
    expect(count(scim, 'GET', /\/Users\//)).toBe(3);
    faults(scim, { kind: 'status500', method: 'POST', first: 1 });
    expect(await caught(c.createUser(newUser(3)))).toMatchObject({ status: 500 });
    expect(count(scim, 'POST', /\/Users$/)).toBe(1);
    faults(scim, { kind: 'status500', method: 'GET' });
    expect(await caught(c.getUser(ids[1]))).toMatchObject({ status: 500 });
    expect(count(scim, 'GET', /\/Users\//)).toBe(3 + 4);
  });

  it('503s are retried for every method, also a POST (not processed), with Retry-After', async () => {
    const { scim, c } = await setup();
    faults(scim, { kind: 'status503', first: 2, retryAfter: 0 });
    const created = await c.createUser(newUser(4));
    expect(scim.store.getUser(created.id as string)?.userName).toBe('new.user4@example.com');
    expect(count(scim, 'POST', /\/Users$/)).toBe(3);
  });

  it('other gateway errors (502 SCIM body, 502 nginx page) are retried for GETs', async () => {
    const { scim, c, ids } = await setup();
    faults(scim, { kind: 'status', status: 502, first: 1 }, { kind: 'htmlPage', status: 502, after: 1, first: 1 });
    expect((await c.getUser(ids[0])).id).toBe(ids[0]);
    faults(scim, { kind: 'htmlPage', status: 502 });
    const err = await caught(c.getUser(ids[0]));
    expect(err).toMatchObject({ status: 502 });
    expect((err as ScimError).detail).toBe('502 Bad Gateway');
  });

  it('an HTML login page with 200 is NOT_SCIM, with a hint about the base URL', async () => {
    const { scim, c, ids } = await setup();
    faults(scim, { kind: 'htmlPage', status: 200 });
    const err = await caught(c.getUser(ids[0]));
    expect(err).toMatchObject({ code: 'NOT_SCIM' });
    expect(err.message).toMatch(/web page.*base URL/);
    expect(err.message).not.toMatch(/<|password/i);
  });

  it('malformed JSON is INVALID_JSON, without the body in the message', async () => {
    const { scim, c } = await setup();
    faults(scim, { kind: 'malformedJson', path: '/Users', method: 'GET' });
    const err = await caught(c.listUsers().toArray());
    expect(err).toMatchObject({ code: 'INVALID_JSON' });
    expect(err.message).not.toMatch(/bjensen|Barb/);
  });

  it('a 12 MB body over the response cap is RESPONSE_TOO_LARGE; so is one over the 16 MiB default', async () => {
    const { scim, c } = await setup({}, { maxResponseBytes: 4 * 1024 * 1024 });
    faults(scim, { kind: 'oversized', path: '/Users', method: 'GET' });
    expect(await caught(c.listUsers().toArray())).toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    const defaults = newClient(scim, { maxResponseBytes: undefined });
    faults(scim, { kind: 'oversized', bytes: 17 * 1024 * 1024, path: '/Users', method: 'GET' });
    expect(await caught(defaults.listUsers().toArray())).toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
  });

  it('a slow-drip body ends at the total-time cap although bytes keep coming', async () => {
    const { scim, c, ids } = await setup({}, { timeoutMs: 500, retries: { max: 1, baseDelayMs: 1, maxDelayMs: 5 } });
    faults(scim, { kind: 'slowDrip', dripBytes: 1, dripIntervalMs: 20, path: '/Users/' });
    // Bytes keep coming for ever: only the cap on the whole attempt ends it, as TIMEOUT.
    expect(await caught(c.getUser(ids[0]))).toMatchObject({ code: 'TIMEOUT' });
  });

  it('wrong envelope types: NOT_SCIM, never a listing of garbage', async () => {
    const { scim, c } = await setup();
    faults(scim, { kind: 'wrongEnvelopeTypes', path: '/Users', method: 'GET' });
    const err = await caught(c.listUsers().toArray());
    expect(err).toMatchObject({ code: 'NOT_SCIM' });
    expect(err.message).toMatch(/Resources/);
  });

  it('fail-first-then-recover in the middle of a listing: exact ids, each once', async () => {
    const { scim, c, ids } = await setup({}, { timeoutMs: 600 });
    // Page 3 gets a 503, page 5 a reset and its retry a hang (rules count the requests they see).
    faults(
      scim,
      { kind: 'status503', path: '/Users', method: 'GET', after: 2, first: 1 },
      { kind: 'reset', path: '/Users', method: 'GET', after: 4, first: 1 },
      { kind: 'hang', path: '/Users', method: 'GET', after: 4, first: 1 },
    );
    const listing = c.listUsers();
    expect(sorted((await listing.toArray()).map((u) => u.id))).toEqual(sorted(ids));
    expect(scim.stats().faultsInjected).toBe(3);
    expect(listing.stats.duplicatesSkipped).toBe(0);
  });

  it('random 500s and resets across a long listing: exact ids (seeded PRNG)', async () => {
    const { scim, c, ids } = await setup({ faultSeed: 11 });
    faults(scim, { kind: 'status500', method: 'GET', probability: 0.15 }, { kind: 'reset', method: 'GET', probability: 0.1 });
    expect(sorted((await c.listUsers({ pageSize: 10 }).toArray()).map((u) => u.id))).toEqual(sorted(ids));
    expect(scim.stats().faultsInjected).toBeGreaterThan(0);
  });
});
