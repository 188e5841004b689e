#!/usr/bin/env -S node --max-semi-space-size=4
// The `roster` command: serve, migrate, admin create, users list, import, scim-sources. Every command has --help.
import { Command } from 'commander';
import { ConfigError, redactUrl } from '../config.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { AppError } from '../shared/errors.ts';
import { addAdminCommands } from './admin.commands.ts';
import { addImportCommands } from './import.commands.ts';
import { addScimSourceCommands } from './scim-sources.commands.ts';
import { withDatabase } from './support.ts';
import { addUsersCommands } from './users.commands.ts';

export function buildCli(): Command {
  const program = new Command('roster')
    .description(
      'Roster: identity directory with SCIM 2.0 identity management.\n' +
        'Configuration comes from environment variables (see docs/CONFIGURATION.md).',
    )
    .showHelpAfterError()
    .configureOutput({ outputError: (s, write) => write(s) });

  program
    .command('serve')
    .description('Run the Roster server (the same as npm start)')
    .action(async () => {
      // The whole server loads only for this command; the others start faster without it.
      const { main } = await import('../main.ts');
      await main();
    });

  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(async () => {
      // Not migrated on opening: this command reports what it applied.
      await withDatabase(async (database, c) => {
        const applied = await migrateToLatest(database.db);
        process.stdout.write(
          applied.length
            ? `Applied ${applied.join(', ')} to ${redactUrl(c.databaseUrl)}\n`
            : `Database ${redactUrl(c.databaseUrl)} is up to date\n`,
        );
      }, false);
    });

  addAdminCommands(program);
  addUsersCommands(program);
  addImportCommands(program);
  addScimSourceCommands(program);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof AppError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = err instanceof ConfigError ? 78 : 1;
      return;
    }
    throw err;
  }
}

if (import.meta.main) {
  runCli(process.argv).catch((err) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
