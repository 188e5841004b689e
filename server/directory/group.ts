// A group as the API and the other modules see it, and its words for the named-object rules.
import { type NamedInput, type NamedItem, namedKind, type NamedKind } from './named-resources.ts';

/** A group as the API shows it, with the number of its members, and the SCIM source that created it if one did. */
export type Group = NamedItem<'memberCount'> & { source?: { type: 'scim'; sourceId: string } };

export type GroupInput = NamedInput;
export type GroupPatch = Partial<GroupInput>;

const kind = namedKind('groups', 'memberCount');

export const GROUPS: NamedKind<Group> = {
  ...kind,
  // The rows are whole groups rows (selectAll), which carry who created them.
  toItem: (row) => {
    const r = row as typeof row & { source_type?: string | null; source_scim_source_id?: string | null };
    const item: Group = kind.toItem(row);
    if (r.source_type === 'scim' && r.source_scim_source_id) item.source = { type: 'scim', sourceId: r.source_scim_source_id };
    return item;
  },
};
