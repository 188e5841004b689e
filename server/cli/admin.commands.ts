// `roster admin create | reset-password | reset-mfa`: the operator's way in when no admin can sign in.
import { type Command, Option } from 'commander';
import { createAdmin, resetAdminMfa, resetAdminPassword } from '../auth/index.ts';
import { systemActor } from '../shared/actor.ts';
import { systemClock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { readSecret } from './prompt.ts';
import { withDatabase } from './support.ts';

function checkPasswordLength(password: string): void {
  if (password.length < 12 || password.length > 128) throw new AppError('WEAK_PASSWORD', 400, 'password must be 12 to 128 characters');
}

async function create(opts: { email: string; name?: string; role: 'admin' | 'read_only'; passwordStdin?: boolean }): Promise<void> {
  const password = process.env.ROSTER_ADMIN_PASSWORD ?? (await readSecret('Password (12+ characters)', Boolean(opts.passwordStdin)));
  checkPasswordLength(password);
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
}

async function resetPassword(opts: { email: string; passwordStdin?: boolean }): Promise<void> {
  const password = await readSecret('New password (12+ characters)', Boolean(opts.passwordStdin));
  checkPasswordLength(password);
  await withDatabase(async (database) => {
    await resetAdminPassword({ db: database.db, clock: systemClock }, systemActor(), { email: opts.email }, password);
    process.stdout.write(`Set the password of ${opts.email}; their sessions have ended\n`);
  });
}

async function resetMfa(opts: { email: string }): Promise<void> {
  await withDatabase(async (database) => {
    await resetAdminMfa({ db: database.db, clock: systemClock }, systemActor(), { email: opts.email });
    process.stdout.write(
      `Removed the MFA of ${opts.email}; their sessions have ended. They sign in with their password and enrol again.\n`,
    );
  });
}

export function addAdminCommands(program: Command): void {
  const admin = program.command('admin').description('Manage admins');
  admin
    .command('create')
    .description('Create an admin. The password is read from ROSTER_ADMIN_PASSWORD, --password-stdin, or a prompt.')
    .requiredOption('--email <email>', 'admin email (sign-in name)')
    .option('--name <name>', 'display name')
    .addOption(new Option('--role <role>', 'admin role').choices(['admin', 'read_only']).default('admin'))
    .option('--password-stdin', 'read the password from standard input')
    .action(create);
  admin
    .command('reset-password')
    .description(
      "Set an admin's password (for a lost one) and end that admin's sessions. The password is read from --password-stdin or a prompt.",
    )
    .requiredOption('--email <email>', 'the admin whose password is set')
    .option('--password-stdin', 'read the password from standard input')
    .action(resetPassword);
  admin
    .command('reset-mfa')
    .description(
      "Remove an admin's MFA (a lost authenticator) and end that admin's sessions: the admin signs in with the password and enrols again.",
    )
    .requiredOption('--email <email>', 'the admin whose MFA is removed')
    .action(resetMfa);
}
