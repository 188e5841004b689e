// A group as the API and the other modules see it, and its words for the named-object rules.
import { type NamedInput, namedKind, type NamedKind } from './named-resources.ts';

export interface Group {
  id: string;
  name: string;
  description: string;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
}

export type GroupInput = NamedInput;
export type GroupPatch = Partial<GroupInput>;

export const GROUPS: NamedKind<Group> = namedKind('groups', 'memberCount');
