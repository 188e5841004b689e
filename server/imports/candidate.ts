// A remote SCIM user as an import candidate: mapped to directory attributes and checked against the
// directory's rules. Pure: no I/O.
import { type CreateUserInput, createUserSchema } from '../directory/index.ts';
import { fromScimUser, type ScimUser } from '../scim/index.ts';

/** Who a remote user is: as the application sent it (trimmed), for display even when invalid. */
export interface RemoteNames {
  remoteId: string;
  userName: string;
  email: string;
  firstname: string;
  lastname: string;
  displayname: string;
}

export interface Candidate extends RemoteNames {
  remoteActive: boolean;
  /** The remote user's SCIM externalId, when it has one (the `externalId` match rule). */
  externalId?: string;
  /** Mapped directory attributes (username and email with their fallbacks), before validation. */
  attributes: Record<string, unknown>;
  /** Validated attributes for a new directory user, when valid. */
  input?: CreateUserInput;
  /** Why the candidate cannot become a directory user. Empty when valid. */
  problems: string[];
  /**
   * Selection runs: the directory user the preview matched and his version (updated_at) then. A run
   * that would update a user refuses him when he is another user now, or has changed since.
   */
  preview?: { userId: string; version: string };
}

const FIELD_NAMES: Record<string, string> = {
  username: 'username',
  email: 'email',
  firstname: 'first name',
  middlename: 'middle name',
  lastname: 'last name',
  displayname: 'display name',
  jobTitle: 'job title',
  department: 'department',
  costCenter: 'cost center',
  employeeType: 'employee type',
  employeeIdentifier: 'employee identifier',
  organization: 'organization',
  addresses: 'address',
  phoneNumbers: 'phone number',
};

const looksLikeEmail = (v: string | undefined) => !!v && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v);

export function toCandidate(user: ScimUser): Candidate {
  const attrs = fromScimUser(user);
  // userName is often the email; a missing one falls back to the email and the other way round.
  const username = attrs.username || attrs.email || '';
  const email = attrs.email || (looksLikeEmail(attrs.username) ? attrs.username : '') || '';
  const c: Candidate = {
    remoteId: String(user.id ?? ''),
    userName: attrs.username ?? '',
    email: attrs.email ?? '',
    firstname: attrs.firstname ?? '',
    lastname: attrs.lastname ?? '',
    displayname: attrs.displayname ?? '',
    remoteActive: user.active !== false,
    ...(typeof user.externalId === 'string' && user.externalId.trim() ? { externalId: user.externalId.trim() } : {}),
    attributes: { ...attrs, username, email },
    problems: [],
  };
  if (!username && !email) {
    c.problems.push('no usable username or email');
    return c;
  }
  if (!email) {
    c.problems.push('no email address (the directory needs one)');
    return c;
  }
  return validate(c);
}

/** Validates the candidate's attributes against the directory's rules (also for stored snapshot rows). */
export function validate(c: Candidate): Candidate {
  const parsed = createUserSchema.safeParse({ ...c.attributes, state: 'ACTIVE' });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = FIELD_NAMES[String(issue.path[0])] ?? String(issue.path[0]);
      c.problems.push(issue.code === 'too_big' ? `${field} too long (${issue.message})` : `${field}: ${issue.message}`);
    }
    return c;
  }
  c.input = parsed.data;
  return c;
}
