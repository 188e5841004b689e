// What a directory service that changes users, groups or memberships takes: the database handle, the
// clock, and the listener that tells provisioning about the change in its transaction.
import type { DbContext } from '../db/context.ts';
import type { DirectoryChanges } from './changes.ts';

export interface DirectoryContext extends DbContext {
  changes: DirectoryChanges;
}
