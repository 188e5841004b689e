// What application changes tell the modules above (provisioning), inside the change's transaction.
import type { Db } from '../db/database.ts';
import type { DirectoryChanges } from '../directory/index.ts';

export interface ApplicationChanges extends DirectoryChanges {
  bindingChanged(db: Db, organizationId: string, applicationId: string): Promise<void>;
}
