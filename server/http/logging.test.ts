import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createDeps } from '../deps.ts';
import { createLogger } from '../shared/logger.ts';
import { createTestDatabase } from '../../test/db.ts';

describe('request logs', () => {
  it('carry a request id and never a link token, a cookie or an Authorization header', async () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += chunk;
        cb();
      },
    });
    const database = await createTestDatabase('sqlite');
    const deps = await createDeps(loadConfig({ LOG_LEVEL: 'info', DATABASE_URL: database.url }), {
      database,
      logger: createLogger('info', sink),
      secretKey: Buffer.alloc(32, 1),
    });
    const app = await buildApp(deps);
    try {
      const r = await app.inject({
        method: 'GET',
        url: '/healthz?token=very-secret-token&x=1',
        headers: { cookie: 'roster_session=cookie-secret', authorization: 'Bearer rk_header_secret', 'x-request-id': 'req-123' },
      });
      expect(r.headers['x-request-id']).toBe('req-123');
      await app.inject({ method: 'GET', url: '/account/set-password?token=another-secret' });
    } finally {
      await app.close();
      await database.close();
    }
    expect(out).toContain('"requestId":"req-123"');
    expect(out).toContain('token=[redacted]');
    for (const secret of ['very-secret-token', 'another-secret', 'cookie-secret', 'rk_header_secret']) expect(out).not.toContain(secret);
  });
});
