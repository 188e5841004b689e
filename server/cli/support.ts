// What the commands share: a migrated database for the length of one command, and integer options.
import { InvalidArgumentError } from 'commander';
import { type Config, loadConfig } from '../config.ts';
import { type Database, openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';

/** Opens the configured database for `fn` (migrated first unless `migrate` is false) and closes it after. */
export async function withDatabase<T>(fn: (database: Database, config: Config) => Promise<T>, migrate = true): Promise<T> {
  const c = loadConfig();
  const database = openDatabase(c.databaseUrl);
  try {
    if (migrate) await migrateToLatest(database.db);
    return await fn(database, c);
  } finally {
    await database.close();
  }
}

/** A commander parser for a whole number in [min, max]. */
export const intOption = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
  return n;
};
