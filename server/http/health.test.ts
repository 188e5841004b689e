// /readyz says what a starting process still waits for, and /healthz stays up meanwhile.
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { perSuite } from '../../test/suite.ts';

describe.each(dialects)('health on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));

  it('answers 503 naming each start-up step still running, then 200 once all are done', async () => {
    const ready = await t.anonymous({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', database: dialect });

    t.deps.readiness.wait('first admin');
    t.deps.readiness.wait('job queue');
    try {
      const starting = await t.anonymous({ method: 'GET', url: '/readyz' });
      expect(starting.statusCode).toBe(503);
      expect(starting.json()).toEqual({ status: 'starting', database: dialect, waitingFor: ['first admin', 'job queue'] });
      expect((await t.anonymous({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      t.deps.readiness.done('first admin');
      expect((await t.anonymous({ method: 'GET', url: '/readyz' })).json().waitingFor).toEqual(['job queue']);
    } finally {
      t.deps.readiness.done('first admin');
      t.deps.readiness.done('job queue');
    }
    expect((await t.anonymous({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});
