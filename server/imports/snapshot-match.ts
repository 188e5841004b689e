// How the preview's rows stand against the directory: each batch of the application's users is
// classified under the integration's match rules (classify.ts) as it is stored. A row is `new`,
// `exists` (the rule that matched, the user, the fields whose remote value differs and the user's
// version, which a run compares to refuse users changed since the preview), `conflict` (the directory
// users the rules found) or `invalid` (the candidate's problems, or a username or email another user
// holds that no rule matched). Only the users of `exists` rows are loaded whole, in one query per batch.
import type { Db } from '../db/database.ts';
import { findUsersByIds, type UserRecord } from '../directory/index.ts';
import type { Candidate } from './candidate.ts';
import { type Classification, classifyCandidates, type MatchRule } from './classify.ts';
import { diffUser } from './diff.ts';
import type { SnapshotUserRow } from './snapshot.repository.ts';

export type RowMatch = Pick<
  SnapshotUserRow,
  'status' | 'reasons' | 'existing_user_id' | 'match_by' | 'candidates' | 'changes' | 'existing_version'
>;

/** What a row that matched no one carries (also what marking a duplicate clears). */
export const NO_MATCH = { existing_user_id: null, match_by: null, candidates: null, changes: null, existing_version: null } as const;

/** The rules as a snapshot stores them (and compares them with today's). */
export const rulesKey = (rules: readonly MatchRule[]): string => JSON.stringify(rules);

function rowMatch(c: Candidate, k: Classification | undefined, users: Map<string, UserRecord>): RowMatch {
  if (c.problems.length) return { status: 'invalid', reasons: JSON.stringify(c.problems), ...NO_MATCH };
  if (!k) return { status: 'new', reasons: '[]', ...NO_MATCH };
  const reasons = JSON.stringify([k.reason]);
  if (k.status === 'taken') return { status: 'invalid', reasons, ...NO_MATCH };
  if (k.status === 'conflict') return { status: 'conflict', reasons, ...NO_MATCH, candidates: JSON.stringify(k.candidates) };
  const user = users.get(k.match.userId);
  return {
    status: 'exists',
    reasons,
    existing_user_id: k.match.userId,
    match_by: k.match.by,
    candidates: null,
    changes: JSON.stringify(user ? diffUser(user, c.input!) : []),
    existing_version: user?.updated_at ?? null,
  };
}

/** Each candidate's row classification, in the candidates' order (one batch, in the caller's transaction). */
export async function matchRows(
  db: Db,
  organizationId: string,
  applicationId: string,
  rules: readonly MatchRule[],
  candidates: Candidate[],
): Promise<RowMatch[]> {
  const classes = await classifyCandidates(db, organizationId, applicationId, rules, candidates);
  const matched = new Set<string>();
  for (const k of classes.values()) if (k.status === 'exists') matched.add(k.match.userId);
  const users = new Map(matched.size ? (await findUsersByIds(db, organizationId, [...matched])).map((u) => [u.id, u]) : []);
  return candidates.map((c) => rowMatch(c, classes.get(c.remoteId), users));
}
