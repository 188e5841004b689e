// What a batch does with each remote user it has not answered yet (issue 14): create him, answer him
// (skipped or failed, with a code), link him to the directory user he matches, or update that user's
// chosen fields (and link him). Classification is classify.ts under the run's rules; the admin's
// `resolve` picks among a conflict's candidates. No writes here: batch.ts writes what this decides.
import type { Db } from '../db/database.ts';
import type { CreateUserInput, UserRecord } from '../directory/index.ts';
import type { Candidate } from './candidate.ts';
import { type Classification, matchReason } from './classify.ts';
import { chosenChanges, diffUser, type FieldChange } from './diff.ts';
import type { DirectoryLookups } from './lookups.ts';
import type { RunOptions } from './runs.model.ts';

export type Valid = Candidate & { input: CreateUserInput };

export type Answer = { do: 'answer'; c: Candidate; outcome: 'skipped' | 'failed'; reason: string; code: string; userId?: string };
export type Step =
  | { do: 'create'; c: Valid }
  | Answer
  | { do: 'link'; c: Valid; user: UserRecord }
  | { do: 'update'; c: Valid; user: UserRecord; changes: FieldChange[]; link: boolean };
type Match = { do: 'match'; c: Valid; userId: string; reason: string };
type Plan = Exclude<Step, { do: 'link' | 'update' }> | Match;

export const duplicate = (of: string) => `duplicate within the application's list (same username or email as remote user ${of})`;

const answer = (c: Candidate, outcome: Answer['outcome'], reason: string, code: string, userId?: string): Answer => ({
  do: 'answer',
  c,
  outcome,
  reason,
  code,
  ...(userId ? { userId } : {}),
});

/** Every directory user a classification names. */
export function userIdsOf(cls: Classification): string[] {
  if (cls.status === 'exists') return [cls.match.userId];
  if (cls.status === 'conflict') return cls.candidates.map((m) => m.userId);
  return [cls.userId];
}

/** What the batch knows before deciding: classifications, this run's creations, the names taken in the batch. */
export interface PlanInput {
  classes: Map<string, Classification>;
  /** Users this run created (by an earlier batch or attempt) -> the remote id that created each. */
  creators: Map<string, string>;
  /** Lower-cased usernames and emails created (or updated to) in this batch -> remote id. */
  names: Map<string, string>;
  resolve: Map<string, string>;
  /** The directory (as a dry run's earlier batches would have left it). */
  dir: DirectoryLookups;
}

function planNew(c: Valid, names: Map<string, string>): Plan {
  const keys = [c.input.username.toLowerCase(), c.input.email.toLowerCase()];
  const dup = keys.map((k) => names.get(k)).find(Boolean);
  if (dup) return answer(c, 'failed', duplicate(dup), 'duplicate');
  for (const k of keys) names.set(k, c.remoteId);
  return { do: 'create', c };
}

function planConflict(c: Valid, cls: Extract<Classification, { status: 'conflict' }>, picked: string | undefined): Plan {
  if (!picked) return answer(c, 'skipped', `${cls.reason}; pick one of them (resolve) to link or update`, 'conflict');
  if (!cls.candidates.some((m) => m.userId === picked)) {
    const ids = cls.candidates.map((m) => m.userId).join(', ');
    return answer(c, 'failed', `resolve names user ${picked}, who is not one of the candidates (${ids})`, 'resolve_not_candidate');
  }
  return { do: 'match', c, userId: picked, reason: 'the directory user the admin picked among the candidates' };
}

/** The first decision, from the classification alone. */
function planOne(c: Candidate, p: PlanInput): Plan {
  if (!c.input) return answer(c, 'failed', c.problems.join('; '), 'invalid');
  const v = c as Valid;
  const cls = p.classes.get(c.remoteId);
  if (!cls) return planNew(v, p.names);
  const dupOf = userIdsOf(cls)
    .map((id) => p.creators.get(id))
    .find((r) => r && r !== c.remoteId);
  if (dupOf) return answer(c, 'failed', duplicate(dupOf), 'duplicate');
  if (cls.status === 'taken') return answer(c, 'failed', cls.reason, 'taken', cls.userId);
  if (cls.status === 'conflict') return planConflict(v, cls, p.resolve.get(c.remoteId));
  return { do: 'match', c: v, userId: cls.match.userId, reason: matchReason(cls.match) };
}

interface MatchWorld {
  users: Map<string, UserRecord>;
  /** userId -> the remote id he is linked to in the application (or claimed by in this batch). */
  linkOf: Map<string, string>;
  options: RunOptions;
}

/** A matched user: linked elsewhere, updated, linked, or left as he is. */
function decideMatch(m: Match, w: MatchWorld): Step {
  const { c, userId, reason } = m;
  const user = w.users.get(userId);
  if (!user) return answer(c, 'failed', `the matched directory user ${userId} no longer exists`, 'user_gone');
  const other = w.linkOf.get(userId);
  if (other && other !== c.remoteId) {
    return answer(
      c,
      'skipped',
      `${reason}, who is linked to another remote user (${other}) in this application`,
      'linked_elsewhere',
      userId,
    );
  }
  w.linkOf.set(userId, c.remoteId);
  const linked = other === c.remoteId;
  const changes = chosenChanges(diffUser(user, c.input), w.options.update?.fields);
  const link = w.options.link && !linked;
  if (changes.length) {
    const pv = c.preview;
    if (pv && (pv.userId !== userId || pv.version !== user.updated_at)) {
      return answer(
        c,
        'failed',
        'the directory user changed since the preview: preview again and choose anew',
        'changed_since_preview',
        userId,
      );
    }
    return { do: 'update', c, user, changes, link };
  }
  if (link) return { do: 'link', c, user };
  const why = linked ? 'already linked' : 'not linked (link: false)';
  return answer(c, 'skipped', `${reason}; ${why}${w.options.update ? ', nothing to update' : ''}`, 'unchanged', userId);
}

/** An update whose new email someone else has (in any letter case, as username or email) fails for that user. */
async function checkEmails(db: Db, organizationId: string, steps: Step[], p: PlanInput): Promise<Step[]> {
  const { names } = p;
  const emailOf = (s: Step) => (s.do === 'update' ? s.changes.find((ch) => ch.field === 'email')?.remote : undefined);
  const wanted = steps.map((s) => emailOf(s)).filter((e): e is string => typeof e === 'string');
  if (wanted.length === 0) return steps;
  const holders = new Map<string, string>();
  for (const u of await p.dir.usersByUsernameOrEmail(db, organizationId, [...new Set(wanted.map((e) => e.toLowerCase()))])) {
    holders.set(u.username_lower, u.id);
    holders.set(u.email_lower, u.id);
  }
  return steps.map((s) => {
    const email = emailOf(s);
    if (s.do !== 'update' || typeof email !== 'string') return s;
    const key = email.toLowerCase();
    const holder = holders.get(key);
    if ((holder && holder !== s.user.id) || (names.has(key) && names.get(key) !== s.c.remoteId)) {
      return answer(s.c, 'failed', `cannot take the email ${email}: another user has it (in any letter case)`, 'email_taken', s.user.id);
    }
    names.set(key, s.c.remoteId);
    return s;
  });
}

/** Decides every candidate of the batch (in order), reading the matched users and their links once. */
export async function planBatch(
  db: Db,
  run: { organization_id: string; application_id: string },
  options: RunOptions,
  todo: Candidate[],
  p: PlanInput,
): Promise<Step[]> {
  const plans = todo.map((c) => planOne(c, p));
  const ids = [...new Set(plans.flatMap((s) => (s.do === 'match' ? [s.userId] : [])))];
  if (ids.length === 0) return plans as Step[];
  const users = new Map(
    (await p.dir.usersByIds(db, run.organization_id, ids, { forUpdate: options.update !== undefined })).map((u) => [u.id, u]),
  );
  const linkOf = new Map((await p.dir.linksOfUsers(db, run.application_id, ids)).map((l) => [l.user_id, l.remote_id]));
  const world: MatchWorld = { users, linkOf, options };
  const steps = plans.map((s) => (s.do === 'match' ? decideMatch(s, world) : s));
  return checkEmails(db, run.organization_id, steps, p);
}
