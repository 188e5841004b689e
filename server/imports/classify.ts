// Which candidates already exist in the directory: linked to the remote id in this application, or
// a user with the same username or email in any letter case.
import type { Db } from '../db/database.ts';
import { findUsersByUsernameOrEmail } from '../directory/index.ts';
import { links } from '../integrations/index.ts';
import type { Candidate } from './candidate.ts';

export interface Existing {
  userId: string;
  reason: string;
}

export async function findExisting(
  db: Db,
  organizationId: string,
  applicationId: string,
  candidates: Candidate[],
): Promise<Map<string, Existing>> {
  const out = new Map<string, Existing>();
  const valid = candidates.filter((c) => c.input);
  if (valid.length === 0) return out;
  const linked = await links.findLinksByRemoteIds(
    db,
    applicationId,
    valid.map((c) => c.remoteId),
  );
  for (const l of linked) out.set(l.remote_id, { userId: l.user_id, reason: 'already linked to a directory user in this application' });
  const values = new Set<string>();
  for (const c of valid) {
    values.add(c.input!.username.toLowerCase());
    values.add(c.input!.email.toLowerCase());
  }
  const users = await findUsersByUsernameOrEmail(db, organizationId, [...values]);
  if (users.length === 0) return out;
  const byValue = new Map<string, (typeof users)[number]>();
  for (const u of users) {
    byValue.set(u.username_lower, u);
    byValue.set(u.email_lower, u);
  }
  for (const c of valid) {
    if (out.has(c.remoteId)) continue;
    const username = c.input!.username.toLowerCase();
    const email = c.input!.email.toLowerCase();
    const byName = byValue.get(username);
    const byEmail = byValue.get(email);
    if (byName && (byName.username_lower === username || byName.email_lower === username)) {
      out.set(c.remoteId, { userId: byName.id, reason: `a directory user already has the username ${c.input!.username}` });
    } else if (byEmail) {
      out.set(c.remoteId, { userId: byEmail.id, reason: `a directory user already has the email ${c.input!.email}` });
    }
  }
  return out;
}
