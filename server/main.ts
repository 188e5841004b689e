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
  // Signal handlers go in before start-up, so a SIGTERM that arrives while starting still stops cleanly.
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let stopRequested = false;
  let signals = 0;
  const shutdown = () => {
    const s = server!;
    s.deps.logger.info('shutting down');
    const force = setTimeout(() => {
      s.deps.logger.error('shutdown took longer than 30 s; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    s.stop().then(
      () => process.exit(0),
      (err) => {
        s.deps.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const onSignal = () => {
    signals++;
    if (signals > 1) process.exit(1);
    if (server) shutdown();
    else stopRequested = true;
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  server = await startServer(config);
  if (stopRequested) shutdown();
}

if (import.meta.main) {
  main().catch((err) => {
    process.stderr.write(`Roster failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
