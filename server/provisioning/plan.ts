// Deciding, per user, what (if anything) the application needs: pure, no I/O. A user belongs in the
// application when he exists, is ACTIVE and is a member of a group bound to it; Roster groups hold
// only users, so there is no nesting to flatten. Accounts Roster never managed (links left by an
// import of someone out of scope) are never deprovisioned.
import {
  diffDirectoryAttributes,
  fromScimUser,
  type DirectoryAttributeName,
  type DirectoryUserAttributes,
  type ScimUser,
} from '../scim/index.ts';
import type { AccountRow, DirectoryUserRow, LinkRow } from './accounts.repository.ts';

export interface Candidate {
  userId: string;
  /** Undefined when the user was deleted from the directory (his account row is the tombstone). */
  user?: DirectoryUserRow;
  inScope: boolean;
  account?: AccountRow;
  link?: LinkRow;
}

/** A user as the application's list showed him (attributes a list leaves out stay undefined, P15). */
export interface RemoteView {
  user: ScimUser;
  attributes: DirectoryUserAttributes;
  active: boolean | undefined;
}

export type UserOpKind = 'create' | 'update' | 'verify' | 'deprovision' | 'delete' | 'forget';

export interface UserOp {
  kind: UserOpKind;
  candidate: Candidate;
  remoteId?: string;
  /** From the listing of a full reconcile. */
  remote?: RemoteView;
}

export interface PlanOptions {
  deprovision: 'deactivate' | 'delete';
  /** The application's users by remote id (full reconcile); undefined when not listed. */
  remote?: Map<string, RemoteView>;
  /** Try again for accounts left orphaned (D3): the user changed, or an admin asked. */
  retryOrphaned: boolean;
}

export const EVENT_OF: Record<UserOpKind, string> = {
  create: 'user_create_provision',
  update: 'user_update_provision',
  verify: 'user_update_provision',
  deprovision: 'user_deprovision',
  delete: 'user_delete_provision',
  forget: 'user_deprovision',
};

export function remoteView(user: ScimUser): RemoteView {
  return { user, attributes: fromScimUser(user), active: typeof user.active === 'boolean' ? user.active : undefined };
}

/** The directory attributes SCIM carries, as the user has them now. */
export function desiredAttributes(u: DirectoryUserRow): DirectoryUserAttributes {
  return {
    username: u.username,
    email: u.email,
    firstname: u.firstname,
    middlename: u.middlename,
    lastname: u.lastname,
    displayname: u.displayname,
    jobTitle: u.job_title,
    department: u.department,
    costCenter: u.cost_center,
    employeeType: u.employee_type,
    employeeIdentifier: u.employee_identifier,
    organization: u.organization,
    addresses: JSON.parse(u.addresses),
    phoneNumbers: JSON.parse(u.phone_numbers),
  };
}

export function pushedAttributes(a: AccountRow | undefined): DirectoryUserAttributes | undefined {
  return a?.pushed_attributes ? (JSON.parse(a.pushed_attributes) as DirectoryUserAttributes) : undefined;
}

export function isWanted(c: Candidate): boolean {
  return c.user !== undefined && c.user.state === 'ACTIVE' && c.inScope;
}

/** Attributes that differ from what the application has (or what we last pushed), normalised (C18). */
export function changedAttributes(
  desired: DirectoryUserAttributes,
  base: DirectoryUserAttributes,
  partial: boolean,
): DirectoryAttributeName[] {
  return diffDirectoryAttributes(desired, base, { missing: partial ? 'unknown' : 'empty' });
}

export function planUser(c: Candidate, o: PlanOptions): UserOp | null {
  const a = c.account;
  const remoteId = c.link?.remote_id ?? a?.remote_id ?? undefined;
  if (isWanted(c)) {
    if (a?.status === 'orphaned' && !o.retryOrphaned) return null;
    if (!remoteId) return { kind: 'create', candidate: c };
    const desired = desiredAttributes(c.user as DirectoryUserRow);
    const settled =
      a !== undefined && a.status === 'ok' && a.pushed_attributes !== null && a.pushed_active === 1 && a.remote_id === remoteId;
    if (o.remote) {
      const r = o.remote.get(remoteId);
      // Missing from the list: confirm with a GET before creating him again (lists can be incomplete).
      if (!r) return { kind: 'verify', candidate: c, remoteId };
      if (!settled || r.active === false || changedAttributes(desired, r.attributes, true).length > 0)
        return { kind: 'update', candidate: c, remoteId, remote: r };
      return null;
    }
    const pushed = pushedAttributes(a);
    if (!settled || !pushed || changedAttributes(desired, pushed, false).length > 0) return { kind: 'update', candidate: c, remoteId };
    return null;
  }
  if (!a) return null;
  if (!a.remote_id) return { kind: 'forget', candidate: c };
  if (o.deprovision === 'delete') return { kind: 'delete', candidate: c, remoteId: a.remote_id };
  const r = o.remote?.get(a.remote_id);
  const remoteInactive = o.remote ? r === undefined || r.active === false : true;
  if (a.pushed_active === 0 && remoteInactive) return c.user ? null : { kind: 'forget', candidate: c };
  return { kind: 'deprovision', candidate: c, remoteId: a.remote_id };
}

export const isDeprovision = (op: UserOp) => op.kind === 'deprovision' || op.kind === 'delete';
