// What the admin picked in the import table. "Every new user" is its own kind because the API's
// {all: true} means exactly that (and is not limited to 10,000 like a list of ids); any other pick is
// a list of remote ids.
import { client, data } from '../../api/client.ts';
import type { PreviewUser, QueryOf } from '../../api/types.ts';

export type PreviewQuery = QueryOf<'/api/v1/applications/{id}/import/users'>;

const MAX_SELECTION = 10_000;
/** From this many users on, the import runs in the background and the results are emailed. */
export const SYNC_LIMIT = 100;

/** A list of ids keeps each user's preview row: the start button counts what will happen to them. */
/** "Every new user" keeps the new users unticked since: the API's exclude. */
export type Selection = { kind: 'ids'; users: Map<string, PreviewUser> } | { kind: 'allNew'; count: number; excluded: ReadonlySet<string> };

export const emptySelection = (): Selection => ({ kind: 'ids', users: new Map() });

export function selectedCount(sel: Selection): number {
  return sel.kind === 'allNew' ? sel.count - sel.excluded.size : sel.users.size;
}

export function isSelected(sel: Selection, u: PreviewUser): boolean {
  return sel.kind === 'allNew' ? u.status === 'new' && !sel.excluded.has(u.remoteId) : sel.users.has(u.remoteId);
}

/** How many selected users will fail for sure (they are invalid). */
export function invalidCount(sel: Selection): number {
  if (sel.kind === 'allNew') return 0;
  let n = 0;
  for (const u of sel.users.values()) if (u.status === 'invalid') n++;
  return n;
}

/** Ticking or unticking new users of "every new user" keeps it whole, with an exclusion list. */
export function withExcluded(sel: Selection, users: PreviewUser[], selected: boolean): Selection | null {
  if (sel.kind !== 'allNew' || users.some((u) => u.status !== 'new')) return null;
  const excluded = new Set(sel.excluded);
  for (const u of users) {
    if (selected) excluded.delete(u.remoteId);
    else excluded.add(u.remoteId);
  }
  return { ...sel, excluded };
}

export function withUsers(sel: Selection, users: PreviewUser[], selected: boolean): Selection {
  if (sel.kind !== 'ids') throw new Error('expand the selection first');
  const next = new Map(sel.users);
  for (const u of users) {
    if (selected) next.set(u.remoteId, u);
    else next.delete(u.remoteId);
  }
  return { kind: 'ids', users: next };
}

/** Every user matching the filters, page by page (500 at a time), up to MAX_SELECTION. */
export async function fetchMatching(
  applicationId: string,
  filter: Pick<PreviewQuery, 'q' | 'status'>,
  expected: number,
): Promise<PreviewUser[]> {
  if (expected > MAX_SELECTION) {
    throw new Error(
      `That is ${expected.toLocaleString()} users; a selection holds at most ${MAX_SELECTION.toLocaleString()}. ` +
        `Use “Select all new” without a search to import every new user, or narrow the search.`,
    );
  }
  const out: PreviewUser[] = [];
  let cursor: string | undefined;
  do {
    const query = { ...filter, limit: 500, cursor, sort: 'remoteOrder' as const };
    const page = await data(client.GET('/api/v1/applications/{id}/import/users', { params: { path: { id: applicationId }, query } }));
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length <= MAX_SELECTION);
  return out;
}

/** Turns "every new user" into the explicit list, so single users can be added or removed. */
export async function expand(sel: Selection, applicationId: string): Promise<Selection> {
  if (sel.kind === 'ids') return sel;
  const users = await fetchMatching(applicationId, { status: 'new' }, sel.count);
  return withUsers(
    emptySelection(),
    users.filter((u) => !sel.excluded.has(u.remoteId)),
    true,
  );
}
