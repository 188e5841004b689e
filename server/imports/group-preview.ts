// The groups preview: the application's groups (remote-groups.ts), searched on displayName, filtered
// by status and paged by name on our side (groups are few: hundreds), with the counts per status of
// the whole list. The statuses are worked out on every request, so a group created in Roster since
// the list was read shows as exists at once.
import { decodeCursor, keysetPage } from '../shared/cursor.ts';
import type { ImportContext } from './context.ts';
import type { GroupPreviewItem } from './imports.schemas.ts';
import { type ClassifiedGroup, classifyGroups, readGroupList } from './remote-groups.ts';

export interface GroupPreviewQuery {
  q?: string;
  status?: GroupPreviewItem['status'];
  limit: number;
  cursor?: string;
  refresh?: boolean;
}

export interface GroupPreviewPage {
  items: GroupPreviewItem[];
  nextCursor: string | null;
  total: number;
  counts: Record<GroupPreviewItem['status'], number>;
}

const byName = (a: ClassifiedGroup, b: ClassifiedGroup) =>
  a.nameLower < b.nameLower
    ? -1
    : a.nameLower > b.nameLower
      ? 1
      : a.item.remoteId < b.item.remoteId
        ? -1
        : a.item.remoteId > b.item.remoteId
          ? 1
          : 0;

export async function groupPreviewPage(
  deps: ImportContext,
  organizationId: string,
  applicationId: string,
  query: GroupPreviewQuery,
): Promise<GroupPreviewPage> {
  if (query.refresh) deps.groupLists.forget(applicationId);
  const list = await readGroupList(deps, organizationId, applicationId);
  const all = await classifyGroups(deps, organizationId, list.groups);
  const counts = { new: 0, exists: 0, invalid: 0 };
  for (const c of all) counts[c.item.status]++;
  const q = query.q?.trim().toLowerCase();
  const matching = all
    .filter((c) => (!q || (c.item.displayName ?? '').toLowerCase().includes(q)) && (!query.status || c.item.status === query.status))
    .sort(byName);
  let from = 0;
  if (query.cursor) {
    const [nameLower, remoteId] = decodeCursor(query.cursor, ['string', 'string']) as [string, string];
    const after = { nameLower, item: { remoteId } } as ClassifiedGroup;
    from = matching.findIndex((c) => byName(c, after) > 0);
    if (from < 0) from = matching.length;
  }
  const page = keysetPage(
    matching.slice(from, from + query.limit + 1),
    query.limit,
    (c) => c.item,
    (c) => [c.nameLower, c.item.remoteId],
  );
  return { ...page, total: matching.length, counts };
}
