// Starting and stopping the HTTP server: used by `npm start` and `roster serve`.
import { buildApp } from './app.ts';
import { countAdmins, createAdmin, createSetupToken } from './auth/index.ts';
import { type Config, redactUrl } from './config.ts';
import { closeDeps, createDeps, type Deps } from './deps.ts';
import type { App } from './http/common.ts';
import { DEFAULT_ORGANIZATION_ID, systemActor } from './shared/actor.ts';
import { AppError } from './shared/errors.ts';
import { queueScheduleTick } from './imports/index.ts';
import { schedulePurge } from './maintenance.ts';
import { registerWorkers } from './workers.ts';

export interface RunningServer {
  app: App;
  deps: Deps;
  url: string;
  stop(): Promise<void>;
}

/** The first admin: from the environment, else a one-time setup link. Returns what to tell the operator. */
async function firstAdminMessage(deps: Deps): Promise<string> {
  const { db } = deps.database;
  const { config } = deps;
  if ((await countAdmins({ db }, DEFAULT_ORGANIZATION_ID)) > 0) {
    return `Sign in at ${config.publicUrl}/ with your admin email and password.`;
  }
  if (config.adminEmail && config.adminPassword) {
    await createAdmin({ db, clock: deps.clock }, systemActor(), {
      email: config.adminEmail,
      password: config.adminPassword,
      role: 'admin',
    }).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'WEAK_PASSWORD') throw new Error(`ROSTER_ADMIN_PASSWORD is not accepted: ${err.message}`);
      throw err;
    });
    return (
      `Created the first admin ${config.adminEmail} from ROSTER_ADMIN_EMAIL. ` +
      `Sign in at ${config.publicUrl}/ with that email and ROSTER_ADMIN_PASSWORD.`
    );
  }
  const token = await createSetupToken({ db, clock: deps.clock }, DEFAULT_ORGANIZATION_ID);
  return [
    'No admin exists yet. Create the first one with this one-time link (valid 24 hours):',
    `  ${config.publicUrl}/setup?token=${token}`,
    'or run: npx roster admin create --email you@example.com',
  ].join('\n');
}

export async function startServer(config: Config, opts: { print?: (line: string) => void } = {}): Promise<RunningServer> {
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = performance.now();
  const deps = await createDeps(config);
  const runsJobs = config.role !== 'api';
  // Registered before listening: /healthz answers at once, /readyz says 503 and what it waits for until
  // the first admin exists and the workers run, so whoever waits for readiness can sign in right after.
  if (config.role !== 'worker') deps.readiness.wait('first admin');
  if (runsJobs) deps.readiness.wait('job queue');
  let app: App | undefined;
  let message = '';
  try {
    app = await buildApp(deps);
    if (config.role !== 'worker') await app.listen({ port: config.port, host: config.host });
    if (runsJobs) {
      registerWorkers(deps);
      await deps.queue.start();
      await schedulePurge(deps);
      await queueScheduleTick(deps);
      deps.readiness.done('job queue');
    }
    if (config.role !== 'worker') {
      message = await firstAdminMessage(deps);
      deps.readiness.done('first admin');
    }
  } catch (err) {
    await app?.close();
    await closeDeps(deps, { graceMs: 0 });
    throw err;
  }
  const running = app;
  if (config.role === 'worker') {
    print(`Roster worker running (database: ${deps.database.dialect}, ${redactUrl(config.databaseUrl)})`);
    return {
      app: running,
      deps,
      url: '',
      stop: async () => {
        await running.close();
        await closeDeps(deps);
      },
    };
  }
  const address = running.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
  deps.logger.info({ url, database: redactUrl(config.databaseUrl), startupMs: Math.round(performance.now() - started) }, 'roster ready');
  print(`\nRoster is running at ${url}  (database: ${deps.database.dialect}, ${redactUrl(config.databaseUrl)})`);
  print(message);
  print(`API documentation: ${url}/api/docs\n`);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    // Stop accepting, let in-flight requests finish (Fastify close waits for them), then close the database.
    stopping ??= (async () => {
      await running.close();
      await closeDeps(deps);
    })();
    return stopping;
  };
  return { app: running, deps, url, stop };
}
