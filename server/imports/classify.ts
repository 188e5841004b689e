// How remote users match directory users (issue 14). The integration's rules (import_settings.match_by,
// always starting with `link`) are tried in their order: `link` (this remote id is linked to a directory user in this application),
// `username`, `email` (the same value in any letter case), `externalId` (the remote externalId equals a
// user's employeeIdentifier). A link is authoritative: a linked remote user is his linked user whatever
// the other rules find. Otherwise every rule is asked; one directory user found is a match (`exists`,
// by the first rule that found him), two or more are a `conflict` listing them, and nothing is linked
// or updated for a conflict until the admin picks one (`resolve`). A remote user no rule matched but
// whose username or email a directory user already has (in any letter case, username against email
// too: sign-in by either must stay unambiguous) cannot be created: `taken`.
import type { Db } from '../db/database.ts';
import { links } from '../integrations/index.ts';
import type { Candidate } from './candidate.ts';
import { DIRECTORY, type DirectoryLookups } from './lookups.ts';

export const MATCH_RULES = ['link', 'username', 'email', 'externalId'] as const;
export type MatchRule = (typeof MATCH_RULES)[number];
export const DEFAULT_MATCH_RULES: MatchRule[] = ['link', 'username', 'email'];

export interface Match {
  userId: string;
  by: MatchRule;
}

export type Classification =
  /** `linkedTo`: the matched user is already linked to this other remote id in the application. */
  | { status: 'exists'; match: Match; reason: string; linkedTo?: string }
  | { status: 'conflict'; candidates: Match[]; reason: string }
  | { status: 'taken'; userId: string; reason: string };

const RULE_WORDS: Record<MatchRule, string> = {
  link: 'already linked to this remote user in this application',
  username: 'same username',
  email: 'same email',
  externalId: 'externalId equals the employee identifier',
};

export const matchReason = (m: Match) => `matches a directory user: ${RULE_WORDS[m.by]}`;

type Found = { id: string; username_lower: string; email_lower: string };

/** The directory users each rule could match, looked up once for the whole batch. */
async function lookups(db: Db, organizationId: string, rules: MatchRule[], valid: Candidate[], dir: DirectoryLookups) {
  const values = new Set<string>();
  for (const c of valid) {
    values.add(c.input!.username.toLowerCase());
    values.add(c.input!.email.toLowerCase());
  }
  const byValue = new Map<string, Found[]>();
  for (const u of await dir.usersByUsernameOrEmail(db, organizationId, [...values])) {
    for (const key of [`u:${u.username_lower}`, `e:${u.email_lower}`]) byValue.set(key, [...(byValue.get(key) ?? []), u]);
  }
  const byEmployeeId = new Map<string, string[]>();
  if (rules.includes('externalId')) {
    const ids = [...new Set(valid.map((c) => c.externalId).filter((v): v is string => !!v))];
    for (const u of await dir.usersByEmployeeIdentifiers(db, organizationId, ids)) {
      byEmployeeId.set(u.employee_identifier, [...(byEmployeeId.get(u.employee_identifier) ?? []), u.id]);
    }
  }
  return { byValue, byEmployeeId };
}

/** Every directory user the rules find for one candidate, each once, by the first rule that found him. */
function matchesOf(c: Candidate, rules: MatchRule[], found: Awaited<ReturnType<typeof lookups>>): Match[] {
  const out = new Map<string, Match>();
  const username = c.input!.username.toLowerCase();
  const email = c.input!.email.toLowerCase();
  for (const by of rules) {
    const ids =
      by === 'username'
        ? (found.byValue.get(`u:${username}`) ?? []).map((u) => u.id)
        : by === 'email'
          ? (found.byValue.get(`e:${email}`) ?? []).map((u) => u.id)
          : by === 'externalId' && c.externalId
            ? (found.byEmployeeId.get(c.externalId) ?? [])
            : [];
    for (const userId of ids) if (!out.has(userId)) out.set(userId, { userId, by });
  }
  return [...out.values()];
}

/** A directory user who holds the candidate's username or email in any letter case (either column). */
function takenBy(c: Candidate, found: Awaited<ReturnType<typeof lookups>>): Found | undefined {
  const username = c.input!.username.toLowerCase();
  const email = c.input!.email.toLowerCase();
  for (const key of [`u:${username}`, `e:${username}`, `u:${email}`, `e:${email}`]) {
    const hit = found.byValue.get(key)?.[0];
    if (hit) return hit;
  }
  return undefined;
}

/**
 * How each valid candidate stands against the directory under these rules (invalid candidates, with
 * problems, are not looked up). A remote user who matches nothing and takes no one's name is absent.
 * `dir`: the directory as a dry run's earlier batches would have left it (a remote id the dry run
 * linked has its result already, so the link rule's lookup stays the database's).
 */
export async function classifyCandidates(
  db: Db,
  organizationId: string,
  applicationId: string,
  rules: readonly MatchRule[],
  candidates: Candidate[],
  dir: DirectoryLookups = DIRECTORY,
): Promise<Map<string, Classification>> {
  const out = new Map<string, Classification>();
  const valid = candidates.filter((c) => c.input);
  if (valid.length === 0) return out;
  const linked = new Map<string, string>();
  // Links always count (settings require `link` first): a linked remote user can be linked to no one else.
  const remoteIds = valid.map((c) => c.remoteId);
  for (const l of await links.findLinksByRemoteIds(db, applicationId, remoteIds)) linked.set(l.remote_id, l.user_id);
  const others = rules.filter((r) => r !== 'link');
  const found = await lookups(db, organizationId, others, valid, dir);
  const pending: { c: Candidate; match: Match }[] = [];
  for (const c of valid) {
    const userId = linked.get(c.remoteId);
    if (userId) {
      out.set(c.remoteId, { status: 'exists', match: { userId, by: 'link' }, reason: matchReason({ userId, by: 'link' }) });
      continue;
    }
    const matches = matchesOf(c, others, found);
    if (matches.length === 1) pending.push({ c, match: matches[0] });
    else if (matches.length > 1) {
      const rulesSeen = [...new Set(matches.map((m) => m.by))].join(' and ');
      out.set(c.remoteId, {
        status: 'conflict',
        candidates: matches,
        reason: `matches ${matches.length} directory users (by ${rulesSeen})`,
      });
    } else {
      const holder = takenBy(c, found);
      if (holder) {
        const which = holder.username_lower === c.input!.username.toLowerCase() || holder.email_lower === c.input!.username.toLowerCase();
        const reason = which
          ? `a directory user already has the username ${c.input!.username}, and username is not a match rule`
          : `a directory user already has the email ${c.input!.email}, and email is not a match rule`;
        out.set(c.remoteId, { status: 'taken', userId: holder.id, reason });
      }
    }
  }
  // A matched user linked to another remote account in this application cannot be linked again.
  if (pending.length) {
    const linkOf = new Map(
      (
        await dir.linksOfUsers(
          db,
          applicationId,
          pending.map((p) => p.match.userId),
        )
      ).map((l) => [l.user_id, l.remote_id]),
    );
    for (const { c, match } of pending) {
      const other = linkOf.get(match.userId);
      const entry: Classification = { status: 'exists', match, reason: matchReason(match) };
      if (other && other !== c.remoteId) {
        entry.linkedTo = other;
        entry.reason = `${matchReason(match)}, who is linked to another remote user (${other}) in this application`;
      }
      out.set(c.remoteId, entry);
    }
  }
  return out;
}
