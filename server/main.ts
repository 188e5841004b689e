#!/usr/bin/env node
// Entry point of `npm start`: load config, start, stop cleanly on SIGTERM/SIGINT.
import { ConfigError, loadConfig } from './config.ts';
import { startServer } from './server.ts';

export async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const server = await startServer(config);
  let signals = 0;
  const onSignal = (signal: string) => {
    signals++;
    if (signals > 1) process.exit(1);
    server.deps.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      server.deps.logger.error('shutdown took longer than 30 s; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    server.stop().then(
      () => process.exit(0),
      (err) => {
        server.deps.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

if (import.meta.main) {
  main().catch((err) => {
    process.stderr.write(`Roster failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
