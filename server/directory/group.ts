// A group as the API and the other modules see it, and its words for the named-object rules.
import { conflict } from '../shared/errors.ts';
import { type NamedInput, namedItem, type NamedKind, type NamedWithCount } from './named-resources.ts';

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

const toGroup = (r: NamedWithCount): Group => namedItem(r, 'memberCount');

export const GROUPS: NamedKind<Group> = {
  table: 'groups',
  counted: { table: 'group_members', column: 'group_id' },
  binding: { own: 'group_id', other: 'application_id' },
  label: 'Group',
  resourceType: 'group',
  nameTaken: (name) =>
    conflict('GROUP_NAME_TAKEN', `A group named "${name}" already exists`, [{ path: 'body.name', message: 'already taken' }]),
  toItem: toGroup,
};
