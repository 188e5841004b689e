// `roster import preview` and `roster import run`: their options here, their work in import.actions.ts.
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { GroupsOptions } from './import-groups.actions.ts';
import type { PreviewOptions, RunOptions } from './import.actions.ts';
import { intOption } from './support.ts';

const idsOption = (value: string) => {
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new InvalidArgumentError('must list at least one remote id, comma-separated');
  return ids;
};

export function addImportCommands(program: Command): void {
  const imp = program.command('import').description("Import users from an application's SCIM service provider");
  imp
    .command('preview')
    .description("List the application's users, each marked new, exists or invalid")
    .requiredOption('--app <id|name>', 'the application')
    .addOption(new Option('--status <status>', 'only these').choices(['new', 'exists', 'invalid']))
    .option('-q, --query <text>', 'search username, email and names')
    .option('--limit <n>', 'how many rows to print', intOption(1, 100_000), 50)
    .option('--refresh', "read the application's users again instead of the recent snapshot")
    .option('--json', 'print JSON lines')
    .action(async (opts: PreviewOptions) => (await import('./import.actions.ts')).preview(opts));
  imp
    .command('run')
    .description('Import the new users: all of them or the given remote ids. Existing users are skipped, never changed.')
    .requiredOption('--app <id|name>', 'the application')
    .option('--all', 'import every new user')
    .option('--ids <ids>', 'comma-separated remote ids (from import preview)', idsOption)
    .option('--admin <email>', 'the admin the run is recorded for and emailed to (default: the first admin)')
    .action(async (opts: RunOptions) => (await import('./import.actions.ts')).runImport(opts));
  imp
    .command('groups')
    .description(
      "Without --all or --ids: list the application's groups, each marked new, exists or invalid. With them: import " +
        'those groups with the members Roster knows (users imported or linked from the application).',
    )
    .requiredOption('--app <id|name>', 'the application')
    .option('--all', 'import every group')
    .option('--ids <ids>', 'comma-separated remote group ids (from import groups --app)', idsOption)
    .option('--dry-run', 'only compute and store the results: nothing created, nobody emailed')
    .option('--refresh', "read the application's groups again (listing)")
    .option('--admin <email>', 'the admin the run is recorded for and emailed to (default: the first admin)')
    .option('--json', 'print JSON lines (listing)')
    .action(async (opts: GroupsOptions) => (await import('./import-groups.actions.ts')).importGroups(opts));
}
