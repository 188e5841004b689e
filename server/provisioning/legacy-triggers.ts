// TRANSITIONAL (issue 11): the directory and applications services still call notify*(db, ...) by
// name on this branch; once they take ctx.changes (the core-b stream) nothing imports this file and
// it is deleted at merge, with the re-export at the end of triggers.ts and the call in deps.ts.
// It is the one piece of module state left: the ApplicationChanges of the last createDeps().
import type { ApplicationChanges } from '../applications/index.ts';
import type { Db } from '../db/database.ts';

// Type-only imports: the directory imports this file, so a value import from above would be a cycle at run time.
let installed: ApplicationChanges | undefined;

export function installLegacyChanges(changes: ApplicationChanges): void {
  installed = changes;
}

const nothing = async () => {};

export const notifyUserChanged = (db: Db, organizationId: string, userId: string) =>
  (installed?.userChanged ?? nothing)(db, organizationId, userId);
export const notifyMembershipChanged = (db: Db, organizationId: string, groupId: string, userId: string) =>
  (installed?.membershipChanged ?? nothing)(db, organizationId, groupId, userId);
export const notifyGroupChanged = (db: Db, organizationId: string, groupId: string) =>
  (installed?.groupChanged ?? nothing)(db, organizationId, groupId);
export const notifyGroupDeleted = (db: Db, organizationId: string, groupId: string) =>
  (installed?.groupDeleted ?? nothing)(db, organizationId, groupId);
export const notifyBindingChanged = (db: Db, organizationId: string, applicationId: string) =>
  (installed?.bindingChanged ?? nothing)(db, organizationId, applicationId);
