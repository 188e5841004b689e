// `roster scim-sources list | create | show | rotate-token | delete`: the SCIM sources that provision
// into Roster, through the same services as the API. A token is printed once, when made.
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import {
  ACTIVATION_EMAIL,
  createSource,
  deleteSource,
  findSourceByIdOrName,
  listSources,
  ON_DELETE,
  rotateSourceToken,
  type ScimSourceView,
  type SettingsInput,
  type SourcesContext,
} from '../inbound/index.ts';
import { DEFAULT_ORGANIZATION_ID, systemActor } from '../shared/actor.ts';
import { systemClock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { intOption, withDatabase } from './support.ts';
import { printTable } from './table.ts';

const contextOf = (database: Database, config: Config): SourcesContext => ({
  db: database.db,
  clock: systemClock,
  publicUrl: config.publicUrl,
});

const numberOption = (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number');
  return n;
};

async function sourceOf(ctx: SourcesContext, idOrName: string): Promise<ScimSourceView> {
  const source = await findSourceByIdOrName(ctx, DEFAULT_ORGANIZATION_ID, idOrName);
  if (!source || source.deletedAt) throw new AppError('NOT_FOUND', 404, `No SCIM source with id or name "${idOrName}"`);
  return source;
}

const stateOf = (s: ScimSourceView) => (s.deletedAt ? 'deleted' : s.guardrail.pausedAt ? 'paused' : 'active');

async function list(opts: { json?: boolean; includeDeleted?: boolean }): Promise<void> {
  await withDatabase(async (database, config) => {
    const sources = await listSources(contextOf(database, config), DEFAULT_ORGANIZATION_ID, { includeDeleted: opts.includeDeleted });
    if (opts.json) {
      for (const s of sources) process.stdout.write(`${JSON.stringify(s)}\n`);
      return;
    }
    printTable(
      ['NAME', 'STATE', 'ON DELETE', 'USERS', 'GROUPS', 'LAST REQUEST', 'TOKEN', 'ID'],
      sources.map((s) => [
        s.name,
        stateOf(s),
        s.settings.onDelete,
        String(s.counts.users),
        String(s.counts.groups),
        s.lastRequestAt ?? 'never',
        `…${s.tokenHint}`,
        s.id,
      ]),
    );
    process.stdout.write(`${sources.length} SCIM source(s)\n`);
  });
}

interface CreateOptions {
  onDelete?: (typeof ON_DELETE)[number];
  groups: boolean;
  activationEmail?: (typeof ACTIVATION_EMAIL)[number];
  guardrail: boolean;
  guardrailPercent?: number;
  guardrailMinimum?: number;
  rateLimit?: number;
}

function settingsOf(opts: CreateOptions): SettingsInput {
  if (!opts.guardrail && (opts.guardrailPercent !== undefined || opts.guardrailMinimum !== undefined))
    throw new AppError('VALIDATION_FAILED', 400, '--no-guardrail cannot go with --guardrail-percent or --guardrail-minimum');
  const settings: SettingsInput = { groups: opts.groups };
  if (opts.onDelete) settings.onDelete = opts.onDelete;
  if (opts.activationEmail) settings.activationEmail = opts.activationEmail;
  if (opts.rateLimit !== undefined) settings.rateLimitPerSecond = opts.rateLimit;
  if (!opts.guardrail) settings.deleteGuardrail = null;
  else if (opts.guardrailPercent !== undefined || opts.guardrailMinimum !== undefined) {
    settings.deleteGuardrail = {
      ...(opts.guardrailPercent !== undefined ? { percent: opts.guardrailPercent } : {}),
      ...(opts.guardrailMinimum !== undefined ? { minimum: opts.guardrailMinimum } : {}),
    };
  }
  return settings;
}

async function create(name: string, opts: CreateOptions): Promise<void> {
  const settings = settingsOf(opts);
  await withDatabase(async (database, config) => {
    const s = await createSource(contextOf(database, config), systemActor(), { name, settings });
    process.stdout.write(
      [
        `Created SCIM source ${s.name} (id ${s.id})`,
        `Base URL: ${s.baseUrl}`,
        `Token:    ${s.token}`,
        'The token is shown this once: give it to the source now (roster scim-sources rotate-token makes a new one).',
        '',
      ].join('\n'),
    );
  });
}

async function show(idOrName: string, opts: { json?: boolean }): Promise<void> {
  await withDatabase(async (database, config) => {
    const s = await sourceOf(contextOf(database, config), idOrName);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(s)}\n`);
      return;
    }
    const g = s.settings.deleteGuardrail;
    const lines: Array<[string, string]> = [
      ['Name', s.name],
      ['ID', s.id],
      ['State', stateOf(s)],
      ['Base URL', s.baseUrl],
      ['Token', `…${s.tokenHint}${s.tokenRotatedAt ? ` (rotated ${s.tokenRotatedAt})` : ''}`],
      ['On delete', s.settings.onDelete],
      ['Groups', s.settings.groups ? 'accepted' : 'refused'],
      ['Activation email', s.settings.activationEmail],
      ['Delete guardrail', g ? `${g.percent}% of the users, at least ${g.minimum}, per hour` : 'off'],
      ['Rate limit', `${s.settings.rateLimitPerSecond} requests per second`],
      ['Created', `${s.createdAt}: ${s.counts.users} user(s), ${s.counts.groups} group(s) since`],
      ['Last request', s.lastRequestAt ?? 'never'],
    ];
    if (s.guardrail.pausedAt) lines.push(['Paused', `${s.guardrail.pausedAt}: an admin must confirm in the portal`]);
    for (const [label, value] of lines) process.stdout.write(`${`${label}:`.padEnd(18)}${value}\n`);
  });
}

async function rotateToken(idOrName: string): Promise<void> {
  await withDatabase(async (database, config) => {
    const ctx = contextOf(database, config);
    const s = await sourceOf(ctx, idOrName);
    const { token } = await rotateSourceToken(ctx, systemActor(), s.id);
    process.stdout.write(`New token for ${s.name}: ${token}\nThe old token is refused from now on; this one is shown once.\n`);
  });
}

async function remove(idOrName: string): Promise<void> {
  await withDatabase(async (database, config) => {
    const ctx = contextOf(database, config);
    const s = await sourceOf(ctx, idOrName);
    await deleteSource(ctx, systemActor(), s.id);
    process.stdout.write(`Deleted SCIM source ${s.name}: its token is refused from now on; its users and groups stay.\n`);
  });
}

export function addScimSourceCommands(program: Command): void {
  const sources = program.command('scim-sources').description('SCIM sources: identity providers and HR systems that provision into Roster');
  sources
    .command('list')
    .description('List the SCIM sources')
    .option('--include-deleted', 'list deleted sources too')
    .option('--json', 'print JSON lines instead of a table')
    .action(list);
  sources
    .command('create <name>')
    .description('Create a SCIM source and print its base URL and token (shown once)')
    .addOption(new Option('--on-delete <action>', 'what a SCIM DELETE of a user does (default suspend)').choices([...ON_DELETE]))
    .option('--no-groups', 'refuse groups from this source')
    .addOption(
      new Option('--activation-email <when>', 'send new users the set-your-password email (default off)').choices([...ACTIVATION_EMAIL]),
    )
    .option('--guardrail-percent <n>', 'delete guardrail: share of the users per hour, 1-100 (default 10)', numberOption)
    .option('--guardrail-minimum <n>', 'delete guardrail: never below this many removals per hour (default 10)', intOption(1, 1_000_000))
    .option('--no-guardrail', 'no delete guardrail')
    .option('--rate-limit <n>', 'requests per second (1-10000, default 100)', intOption(1, 10_000))
    .action(create);
  sources.command('show <id-or-name>').description('Show a SCIM source (never its token)').option('--json', 'print JSON').action(show);
  sources
    .command('rotate-token <id-or-name>')
    .description('Issue a new token for a SCIM source and print it (shown once); the old one is refused from now on')
    .action(rotateToken);
  sources
    .command('delete <id-or-name>')
    .description('Delete a SCIM source: its token is refused; the users and groups it created stay')
    .action(remove);
}
