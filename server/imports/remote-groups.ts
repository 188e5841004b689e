// The application's groups as an import sees them: read over SCIM with their members (a group that
// the list leaves without its member list is fetched on its own: P18, G6), kept per application for
// 10 minutes in deps.groupLists (refresh reads again; a new connection too), and classified against
// the directory's groups each time they are shown: new; exists when a Roster group has the same name
// in any letter case; invalid without a displayName, with a name the directory refuses, or with a
// name the application lists twice (the first in the application's order can be imported).
import { findGroupsByNames } from '../directory/index.ts';
import { loadScimConfig } from '../integrations/index.ts';
import type { ScimClient, ScimGroup } from '../scim/index.ts';
import { nameSchema } from '../shared/named.ts';
import type { GroupList, ImportContext, RemoteGroup } from './context.ts';
import type { GroupPreviewItem } from './imports.schemas.ts';
import { scimFailure } from './snapshot.service.ts';

/** How long a group list is shown before the application is read again. */
export const GROUP_LIST_MAX_AGE_MS = 10 * 60_000;
/** Groups the list left without members, fetched at once. */
const FETCH_AT_ONCE = 4;

/** A member list's entries with an id, each once; undefined when the group came without one. */
function membersOf(g: ScimGroup): RemoteGroup['members'] | undefined {
  if (!Array.isArray(g.members)) return undefined;
  const seen = new Map<string, RemoteGroup['members'][number]>();
  for (const m of g.members) {
    if (typeof m.value !== 'string' || m.value === '' || seen.has(m.value)) continue;
    seen.set(m.value, { value: m.value, ...(m.display ? { display: m.display } : {}), ...(m.type ? { type: m.type } : {}) });
  }
  return [...seen.values()];
}

/** Every group of the application with its members. */
async function listRemoteGroups(client: ScimClient, signal: AbortSignal): Promise<RemoteGroup[]> {
  const listed = (await client.listGroups({ includeMembers: true, signal }).toArray()).filter(
    (g): g is ScimGroup & { id: string } => typeof g.id === 'string' && g.id !== '',
  );
  const groups = listed.map((g) => ({ remoteId: g.id, displayName: g.displayName, members: membersOf(g) }));
  const without = groups.filter((g) => g.members === undefined);
  for (let i = 0; i < without.length; i += FETCH_AT_ONCE) {
    await Promise.all(
      without.slice(i, i + FETCH_AT_ONCE).map(async (g) => {
        // Absent after a GET too: the server leaves an empty group's list out (G6).
        g.members = membersOf(await client.getGroup(g.remoteId, { signal })) ?? [];
      }),
    );
  }
  return groups.map((g) => ({ ...g, members: g.members ?? [] }));
}

interface ReadOptions {
  /** Read now in any case (a run reads the groups as they are). */
  fresh?: boolean;
  signal?: AbortSignal;
  /** Told the connection's generation once it is loaded (before the read). */
  loaded?: (generation: number) => void;
}

/** Reads the application's groups now, and keeps them for the preview. */
async function readNow(deps: ImportContext, organizationId: string, applicationId: string, opts: ReadOptions = {}): Promise<GroupList> {
  const { signal } = opts;
  const cfg = await loadScimConfig({ db: deps.db, secretKey: deps.secretKey }, organizationId, applicationId);
  opts.loaded?.(cfg.generation);
  const client = deps.idm.client(applicationId, cfg.client, cfg.settings);
  const idmSignal = deps.idm.signalFor(applicationId);
  try {
    const groups = await listRemoteGroups(client, signal ? AbortSignal.any([idmSignal, signal]) : idmSignal);
    const list = { groups, readAt: deps.clock.now().getTime(), generation: cfg.generation };
    deps.groupLists.keep(applicationId, list);
    return list;
  } finally {
    await client.close();
  }
}

/**
 * The application's groups: the list read within 10 minutes through the current connection, else
 * read now (`fresh`: read now in any case, as a run does). A failure of the application is a 502.
 */
export async function readGroupList(
  deps: ImportContext,
  organizationId: string,
  applicationId: string,
  opts: ReadOptions = {},
): Promise<GroupList> {
  if (opts.fresh) return readNow(deps, organizationId, applicationId, opts);
  const cfg = await loadScimConfig({ db: deps.db, secretKey: deps.secretKey }, organizationId, applicationId);
  const kept = deps.groupLists.fresh(applicationId, cfg.generation, deps.clock.now().getTime(), GROUP_LIST_MAX_AGE_MS);
  if (kept) return kept;
  const reading = deps.groupLists.reading.get(applicationId);
  if (reading) return reading;
  const read = readNow(deps, organizationId, applicationId).catch((err: unknown) => {
    throw scimFailure(err, "reading the application's groups");
  });
  deps.groupLists.reading.set(applicationId, read);
  try {
    return await read;
  } finally {
    deps.groupLists.reading.delete(applicationId);
  }
}

/** A group as the preview and a run see it: its preview item, and the name it would have in Roster. */
export interface ClassifiedGroup {
  item: GroupPreviewItem;
  /** The displayName trimmed (what Roster would name the group); '' without one. */
  name: string;
  nameLower: string;
  group: RemoteGroup;
}

/** What the directory's name rules say of a displayName: nothing when Roster can take it. */
function nameProblems(displayName: string | undefined): string[] {
  if (typeof displayName !== 'string' || displayName.trim() === '') return ['no displayName'];
  const parsed = nameSchema.safeParse(displayName);
  return parsed.success ? [] : parsed.error.issues.map((i) => `displayName ${i.message}`);
}

/** Each group new, exists or invalid, in the application's order. */
export async function classifyGroups(
  ctx: Pick<ImportContext, 'db'>,
  organizationId: string,
  groups: RemoteGroup[],
): Promise<ClassifiedGroup[]> {
  const firstOf = new Map<string, RemoteGroup>();
  const out = groups.map((group): ClassifiedGroup => {
    const name = group.displayName?.trim() ?? '';
    const nameLower = name.toLowerCase();
    const reasons = nameProblems(group.displayName);
    const first = firstOf.get(nameLower);
    if (reasons.length === 0 && first) {
      reasons.push(
        `the application lists another group named '${first.displayName?.trim()}' (${first.remoteId}); only that one can be imported`,
      );
    }
    if (reasons.length === 0) firstOf.set(nameLower, group);
    const item: GroupPreviewItem = {
      remoteId: group.remoteId,
      displayName: group.displayName ?? '',
      memberCount: group.members.length,
      status: reasons.length ? 'invalid' : 'new',
      reasons,
    };
    return { item, name, nameLower, group };
  });
  const existing = await findGroupsByNames(ctx, organizationId, [...firstOf.keys()]);
  const byName = new Map(existing.map((g) => [g.name.toLowerCase(), g]));
  for (const c of out) {
    const found = c.item.status === 'new' ? byName.get(c.nameLower) : undefined;
    if (!found) continue;
    c.item.status = 'exists';
    c.item.existingGroupId = found.id;
    c.item.reasons = [`a Roster group named '${found.name}' already exists${found.name === c.name ? '' : ' (different letter case)'}`];
  }
  return out;
}
