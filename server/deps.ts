// Everything the server needs, built from config with plain functions.
import type { Config } from './config.ts';
import { type Database, openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { type Clock, systemClock } from './shared/clock.ts';
import { createLogger, type Logger } from './shared/logger.ts';
import { loadOrCreateSecretKey } from './shared/secret-key.ts';

export interface Deps {
  config: Config;
  database: Database;
  clock: Clock;
  logger: Logger;
  /** AES-256-GCM key for secrets at rest. */
  secretKey: Buffer;
}

export async function createDeps(config: Config, overrides: Partial<Omit<Deps, 'config'>> = {}): Promise<Deps> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const database = overrides.database ?? openDatabase(config.databaseUrl);
  await migrateToLatest(database.db);
  return {
    config,
    database,
    clock: overrides.clock ?? systemClock,
    logger,
    secretKey: overrides.secretKey ?? loadOrCreateSecretKey(config.dataDir, config.secretKey),
  };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await deps.database.close();
}
