// What application changes tell the modules above (provisioning), inside the change's transaction.
import type { Db } from '../db/database.ts';
import { type DirectoryChanges, NO_DIRECTORY_CHANGES } from '../directory/index.ts';

export interface ApplicationChanges extends DirectoryChanges {
  bindingChanged(db: Db, organizationId: string, applicationId: string): Promise<void>;
}

export const NO_APPLICATION_CHANGES: ApplicationChanges = { ...NO_DIRECTORY_CHANGES, bindingChanged: async () => {} };
