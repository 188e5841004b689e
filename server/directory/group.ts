// A group as the API and the other modules see it, and its words for the named-object rules.
import { type NamedInput, type NamedItem, namedKind, type NamedKind } from './named-resources.ts';

/** A group as the API shows it, with the number of its members. */
export type Group = NamedItem<'memberCount'>;

export type GroupInput = NamedInput;
export type GroupPatch = Partial<GroupInput>;

export const GROUPS: NamedKind<Group> = namedKind('groups', 'memberCount');
