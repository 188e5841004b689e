#!/usr/bin/env -S node --max-semi-space-size=4
// The `roster` command: serve, migrate, admin create, users list. Every command has --help.
import { Command, InvalidArgumentError, Option } from 'commander';
import { createAdmin, resetAdminMfa, resetAdminPassword } from '../auth/index.ts';
import { type Config, ConfigError, loadConfig, redactUrl } from '../config.ts';
import { type Database, openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { listUsers, PASSWORD_STATUSES, USER_SORT_FIELDS, USER_STATES } from '../directory/index.ts';
import { main as serveMain } from '../main.ts';
import { DEFAULT_ORGANIZATION_ID, systemActor } from '../shared/actor.ts';
import { AppError } from '../shared/errors.ts';
import { systemClock } from '../shared/clock.ts';
import { readSecret } from './prompt.ts';
import { addImportCommands } from './import.commands.ts';
import { printTable } from './table.ts';

function config(): Config {
  return loadConfig();
}

async function withDatabase<T>(fn: (database: Database, config: Config) => Promise<T>): Promise<T> {
  const c = config();
  const database = openDatabase(c.databaseUrl);
  try {
    await migrateToLatest(database.db);
    return await fn(database, c);
  } finally {
    await database.close();
  }
}

const intOption = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
  return n;
};

export function buildCli(): Command {
  const program = new Command('roster')
    .description(
      'Roster: identity directory with SCIM 2.0 identity management.\nConfiguration comes from environment variables (see docs/CONFIGURATION.md).',
    )
    .showHelpAfterError()
    .configureOutput({ outputError: (s, write) => write(s) });

  program
    .command('serve')
    .description('Run the Roster server (the same as npm start)')
    .action(async () => {
      await serveMain();
    });

  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(async () => {
      await withDatabase(async (database, c) => {
        const applied = await migrateToLatest(database.db);
        process.stdout.write(
          applied.length
            ? `Applied ${applied.join(', ')} to ${redactUrl(c.databaseUrl)}\n`
            : `Database ${redactUrl(c.databaseUrl)} is up to date\n`,
        );
      });
    });

  const admin = program.command('admin').description('Manage admins');
  admin
    .command('create')
    .description('Create an admin. The password is read from ROSTER_ADMIN_PASSWORD, --password-stdin, or a prompt.')
    .requiredOption('--email <email>', 'admin email (sign-in name)')
    .option('--name <name>', 'display name')
    .addOption(new Option('--role <role>', 'admin role').choices(['admin', 'read_only']).default('admin'))
    .option('--password-stdin', 'read the password from standard input')
    .action(async (opts: { email: string; name?: string; role: 'admin' | 'read_only'; passwordStdin?: boolean }) => {
      const password = process.env.ROSTER_ADMIN_PASSWORD ?? (await readSecret('Password (12+ characters): ', Boolean(opts.passwordStdin)));
      if (password.length < 12 || password.length > 128) throw new AppError('WEAK_PASSWORD', 400, 'password must be 12 to 128 characters');
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(opts.email) || opts.email.length > 254)
        throw new AppError('VALIDATION_FAILED', 400, '--email must be a valid email address');
      await withDatabase(async (database) => {
        const a = await createAdmin({ db: database.db, clock: systemClock }, systemActor(), {
          email: opts.email,
          name: opts.name,
          role: opts.role,
          password,
        });
        process.stdout.write(`Created admin ${a.email} (role ${a.role}, id ${a.id})\n`);
      });
    });

  admin
    .command('reset-password')
    .description(
      "Set an admin's password (for a lost one) and end that admin's sessions. The password is read from --password-stdin or a prompt.",
    )
    .requiredOption('--email <email>', 'the admin whose password is set')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (opts: { email: string; passwordStdin?: boolean }) => {
      const password = await readSecret('New password (12+ characters): ', Boolean(opts.passwordStdin));
      if (password.length < 12 || password.length > 128) throw new AppError('WEAK_PASSWORD', 400, 'password must be 12 to 128 characters');
      await withDatabase(async (database) => {
        await resetAdminPassword({ db: database.db, clock: systemClock }, systemActor(), { email: opts.email }, password);
        process.stdout.write(`Set the password of ${opts.email}; their sessions have ended\n`);
      });
    });

  admin
    .command('reset-mfa')
    .description(
      "Remove an admin's MFA (a lost authenticator) and end that admin's sessions: the admin signs in with the password and enrols again.",
    )
    .requiredOption('--email <email>', 'the admin whose MFA is removed')
    .action(async (opts: { email: string }) => {
      await withDatabase(async (database) => {
        await resetAdminMfa({ db: database.db }, systemActor(), { email: opts.email });
        process.stdout.write(
          `Removed the MFA of ${opts.email}; their sessions have ended. They sign in with their password and enrol again.\n`,
        );
      });
    });

  const users = program.command('users').description('Directory users');
  users
    .command('list')
    .description('List users')
    .option('-q, --query <text>', 'search username, email and names')
    .addOption(new Option('--state <state>', 'only users in this state').choices([...USER_STATES]))
    .addOption(new Option('--password-status <status>', 'only users with this password status').choices([...PASSWORD_STATUSES]))
    .addOption(new Option('--sort <field>', 'sort field').choices([...USER_SORT_FIELDS]).default('username'))
    .addOption(new Option('--order <order>', 'sort order').choices(['asc', 'desc']).default('asc'))
    .option('--limit <n>', 'how many users (1-100000)', intOption(1, 100_000), 50)
    .option('--json', 'print JSON lines instead of a table')
    .action(
      async (opts: {
        query?: string;
        state?: (typeof USER_STATES)[number];
        passwordStatus?: (typeof PASSWORD_STATUSES)[number];
        sort: (typeof USER_SORT_FIELDS)[number];
        order: 'asc' | 'desc';
        limit: number;
        json?: boolean;
      }) => {
        await withDatabase(async (database) => {
          let cursor: string | undefined;
          let left = opts.limit;
          const rows: string[][] = [];
          let total = 0;
          while (left > 0) {
            const page = await listUsers(
              { db: database.db },
              {
                organizationId: DEFAULT_ORGANIZATION_ID,
                q: opts.query,
                state: opts.state,
                passwordStatus: opts.passwordStatus,
                sort: opts.sort,
                order: opts.order,
                limit: Math.min(500, left),
                cursor,
              },
            );
            total = page.total;
            for (const u of page.items) {
              if (opts.json) process.stdout.write(`${JSON.stringify(u)}\n`);
              else rows.push([u.username, u.email, [u.firstname, u.lastname].filter(Boolean).join(' '), u.state, u.passwordStatus, u.id]);
            }
            left -= page.items.length;
            if (!page.nextCursor) break;
            cursor = page.nextCursor;
          }
          if (!opts.json) {
            printTable(['USERNAME', 'EMAIL', 'NAME', 'STATE', 'PASSWORD', 'ID'], rows);
            process.stdout.write(`${rows.length} of ${total} user(s)\n`);
          }
        });
      },
    );

  addImportCommands(program);
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
