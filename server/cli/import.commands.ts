// `roster import preview` and `roster import run`: their options here, their work in import.actions.ts.
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { GroupsOptions } from './import-groups.actions.ts';
import type { PreviewOptions, RunOptions, UndoOptions } from './import.actions.ts';
import { UPDATABLE_FIELDS, type UpdatableField } from '../imports/index.ts';
import { intOption } from './support.ts';

const idsOption = (value: string) => {
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new InvalidArgumentError('must list at least one remote id, comma-separated');
  return ids;
};

/** `all`, or comma-separated directory fields an import may update. */
const fieldsOption = (value: string): UpdatableField[] | 'all' => {
  if (value.trim() === 'all') return 'all';
  const fields = idsOption(value);
  const unknown = fields.filter((f) => !(UPDATABLE_FIELDS as readonly string[]).includes(f));
  if (unknown.length) throw new InvalidArgumentError(`unknown field(s) ${unknown.join(', ')}; one of: all, ${UPDATABLE_FIELDS.join(', ')}`);
  return fields as UpdatableField[];
};

export function addImportCommands(program: Command): void {
  const imp = program.command('import').description("Import users from an application's SCIM service provider");
  imp
    .command('preview')
    .description("List the application's users, each marked new, exists, conflict or invalid")
    .requiredOption('--app <id|name>', 'the application')
    .addOption(new Option('--status <status>', 'only these').choices(['new', 'exists', 'conflict', 'invalid']))
    .option('-q, --query <text>', 'search username, email and names')
    .option('--limit <n>', 'how many rows to print', intOption(1, 100_000), 50)
    .option('--refresh', "read the application's users again instead of the recent snapshot")
    .option('--json', 'print JSON lines')
    .action(async (opts: PreviewOptions) => (await import('./import.actions.ts')).preview(opts));
  imp
    .command('run')
    .description(
      'Import the users: all of them or the given remote ids. New users are created; users matching a directory ' +
        'user are linked to their remote accounts (unless --no-link) and, with --update, take the chosen fields.',
    )
    .requiredOption('--app <id|name>', 'the application')
    .option('--all', 'import every user')
    .option('--ids <ids>', 'comma-separated remote ids (from import preview)', idsOption)
    .option(
      '--update <fields|all>',
      `take these fields from the application for matching users: all, or some of ${UPDATABLE_FIELDS.join(',')}`,
      fieldsOption,
    )
    .option('--no-link', 'do not link matching users to their remote accounts')
    .option('--dry-run', 'compute and store the results only: nothing else is written, nothing emailed')
    .option('--group <id|name>', 'put every user the run creates, links or updates into this group')
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
  imp
    .command('undo <runId>')
    .description(
      'Undo an import run: the users it created are deleted (--suspend: suspended) unless changed since or provisioned ' +
        'somewhere, fields it updated are set back where unchanged, links it made are removed',
    )
    .option('--suspend', 'suspend the created users instead of deleting them')
    .option('--dry-run', 'store the results only: change nothing')
    .option('--admin <email>', 'the admin the undo is recorded for and emailed to (default: the first admin)')
    .action(async (runId: string, opts: UndoOptions) => (await import('./import.actions.ts')).undoImport(runId, opts));
}
