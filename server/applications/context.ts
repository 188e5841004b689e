// What an application service that changes applications or bindings takes: the database handle, the
// clock, and the listener that tells provisioning about the change in its transaction.
import type { DbContext } from '../db/context.ts';
import type { ApplicationChanges } from './changes.ts';

export interface ApplicationContext extends DbContext {
  changes: ApplicationChanges;
}
