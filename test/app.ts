// A real Roster app on a real database for HTTP tests through inject(), with a signed-in admin.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../server/app.ts';
import { createAdmin, createApiKey } from '../server/auth/index.ts';
import { loadConfig } from '../server/config.ts';
import type { Dialect } from '../server/db/database.ts';
import { createDeps, type Deps } from '../server/deps.ts';
import type { App } from '../server/http/common.ts';
import { type Actor, systemActor } from '../server/shared/actor.ts';
import { createLogger } from '../server/shared/logger.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { TEST_NETWORK_ENV } from './network.ts';

export const TEST_ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' };

export interface TestApp {
  app: App;
  deps: Deps;
  database: TestDatabase;
  /** Requests as the signed-in admin (session cookie + JSON content type). */
  admin: (opts: InjectOptions) => Promise<LightMyRequestResponse>;
  /** Requests with a read_only API key. */
  readOnly: (opts: InjectOptions) => Promise<LightMyRequestResponse>;
  anonymous: (opts: InjectOptions) => Promise<LightMyRequestResponse>;
  adminActor: Actor;
  close: () => Promise<void>;
}

export async function createTestApp(dialect: Dialect, env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase(dialect);
  const config = loadConfig({
    ROSTER_DATA_DIR: '/tmp/roster-test-data',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    ...TEST_NETWORK_ENV,
    ...env,
  });
  const deps = await createDeps(config, {
    database,
    logger: createLogger('silent'),
    secretKey: Buffer.alloc(32, 7),
  });
  const app = await buildApp(deps);
  const adminRecord = await createAdmin({ db: database.db, clock: deps.clock }, systemActor(), { ...TEST_ADMIN, role: 'admin' });
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: TEST_ADMIN });
  if (login.statusCode !== 200) throw new Error(`test login failed: ${login.body}`);
  const cookie = login.cookies.find((c) => c.name === 'roster_session');
  if (!cookie) throw new Error('no session cookie');
  const ro = await createApiKey({ db: database.db, clock: deps.clock }, { ...systemActor() }, { name: 'read only', role: 'read_only' });
  const withHeaders = (headers: Record<string, string>) => (opts: InjectOptions) =>
    app.inject({ ...opts, headers: { ...headers, ...(opts.headers as Record<string, string> | undefined) } });
  return {
    app,
    deps,
    database,
    admin: withHeaders({ cookie: `roster_session=${cookie.value}`, 'content-type': 'application/json' }),
    readOnly: withHeaders({ authorization: `Bearer ${ro.key}` }),
    anonymous: (opts) => app.inject(opts),
    adminActor: {
      type: 'admin',
      id: adminRecord.id,
      email: adminRecord.email,
      role: 'admin',
      organizationId: systemActor().organizationId,
    },
    close: async () => {
      // Jobs first (a worker mid-job still needs the database), then HTTP, then the database.
      await deps.queue.stop({ graceMs: 0 });
      await deps.stopListener?.close();
      deps.mail.transports.close();
      await app.close();
      await database.close();
    },
  };
}
