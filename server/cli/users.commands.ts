// `roster users list`: the directory's users as a table or JSON lines, page by page.
import { type Command, Option } from 'commander';
import { listUsers, PASSWORD_STATUSES, USER_SORT_FIELDS, USER_STATES } from '../directory/index.ts';
import { DEFAULT_ORGANIZATION_ID } from '../shared/actor.ts';
import { intOption, withDatabase } from './support.ts';
import { printTable } from './table.ts';

interface ListOptions {
  query?: string;
  state?: (typeof USER_STATES)[number];
  passwordStatus?: (typeof PASSWORD_STATUSES)[number];
  sort: (typeof USER_SORT_FIELDS)[number];
  order: 'asc' | 'desc';
  limit: number;
  json?: boolean;
}

async function list(opts: ListOptions): Promise<void> {
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
}

export function addUsersCommands(program: Command): void {
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
    .action(list);
}
