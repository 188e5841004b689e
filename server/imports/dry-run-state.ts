// What a dry run would have written so far, for its later batches. A real run's batch finds its
// earlier batches' effects in the database: the users it created (a later remote user with the same
// username or email is a `duplicate`), the links it made (a second remote user matching the same
// directory user is `linked_elsewhere`), the fields it changed (a changed email is taken, the old one
// free; the user's version is new). A dry run writes none of them, so this holds them for the run and
// answers the batch's directory lookups (lookups.ts) as the database would stand after the real run's
// earlier batches. It is built from the dry run's own results only: each batch's once it is written,
// and all of them when a writer takes the run over (a resumed run, or the SQLite writer thread when it
// starts), so every batch decides from the same state however the run was split.
// Not kept: a created user's employee identifier (the results do not have it), so under the
// `externalId` rule a later remote user is not found to match a user the dry run created.
import type { Db } from '../db/database.ts';
import type { UpdatableColumn, UserRecord } from '../directory/index.ts';
import { type Candidate, validate } from './candidate.ts';
import { FIELD_COLUMNS, type UpdatableField } from './diff.ts';
import { DIRECTORY, type DirectoryLookups, type UserKeys } from './lookups.ts';
import * as repo from './runs.repository.ts';

/** A user the dry run would have created has no id: he stands in the lookups under this prefix and his remote id. */
const STAND_IN = 'dry-run-created:';
/** The version (updated_at) of a user the dry run would have updated: not one a preview saw. */
const CHANGED_BY_DRY_RUN = 'changed by this dry run';
const LOAD_PAGE = 2000;

type ReplayedRow = Pick<repo.ResultRow, 'remote_id' | 'user_name' | 'email' | 'outcome' | 'user_id' | 'detail'>;
/** An updated result's detail (as batch.ts writes it). */
interface UpdatedDetail {
  changes?: { field: UpdatableField; after: unknown }[];
  linked?: boolean;
}

/** The state of a dry run's batches, for whoever writes them (batch-writer.ts, batch-thread.ts); undefined for a real run. */
export function dryRunStateOf(run: Pick<repo.RunRow, 'id' | 'dry_run'>): DryRunState | undefined {
  return run.dry_run === 1 ? new DryRunState(run.id) : undefined;
}

export class DryRunState implements DirectoryLookups {
  readonly #runId: string;
  #loaded = false;
  /** Users the run would have created: remote id -> his lower-cased username and email. */
  readonly #created = new Map<string, Omit<UserKeys, 'id'>>();
  /** Their usernames and emails, lower-cased -> the remote id. */
  readonly #createdBy = new Map<string, string>();
  /** Directory user -> the remote id the run would have linked him to. */
  readonly #links = new Map<string, string>();
  /** Directory user -> the columns the run would have changed. */
  readonly #patches = new Map<string, Partial<Record<UpdatableColumn | 'email_lower' | 'updated_at', string>>>();
  /** `e:` an email (lower-cased) or `x:` an employee identifier the run would have given -> to whom (#patches says if still). */
  readonly #given = new Map<string, Set<string>>();

  constructor(runId: string) {
    this.#runId = runId;
  }

  /** Once per writer, before its first batch: the results of the run's batches written so far. */
  async load(db: Db): Promise<void> {
    if (this.#loaded) return;
    for (let after = -1; ;) {
      const rows = await repo.listChangeResults(db, this.#runId, after, LOAD_PAGE);
      this.absorb(rows);
      if (rows.length < LOAD_PAGE) break;
      after = rows[rows.length - 1].seq;
    }
    this.#loaded = true;
  }

  /** A written batch's results (in their order): what the real run would have written with them. */
  absorb(rows: ReplayedRow[]): void {
    for (const r of rows) {
      if (r.outcome === 'created') this.#create(r);
      if (!r.user_id || (r.outcome !== 'linked' && r.outcome !== 'updated')) continue;
      const detail = (r.detail ? JSON.parse(r.detail) : {}) as UpdatedDetail;
      if (r.outcome === 'linked' || detail.linked) this.#links.set(r.user_id, r.remote_id);
      if (detail.changes?.length) this.#patch(r.user_id, detail.changes);
    }
  }

  /** The user's username and email as the candidate's validated input had them (a result keeps them as the application sent them). */
  #create(r: ReplayedRow): void {
    const names = { remoteId: r.remote_id, userName: r.user_name, email: r.email, firstname: '', lastname: '', displayname: '' };
    // Valid without an email only when the username is one (candidate.ts): it was taken as the email.
    const attributes = { username: r.user_name, email: r.email || r.user_name };
    const { input } = validate({ ...names, remoteActive: true, attributes, problems: [] } satisfies Candidate);
    if (!input) return;
    const keys = { username_lower: input.username.toLowerCase(), email_lower: input.email.toLowerCase() };
    this.#created.set(r.remote_id, keys);
    this.#createdBy.set(keys.username_lower, r.remote_id);
    this.#createdBy.set(keys.email_lower, r.remote_id);
  }

  /** The columns as batch.ts writes them: the field's value as the result shows it (addresses and phone numbers as JSON). */
  #patch(userId: string, changes: NonNullable<UpdatedDetail['changes']>): void {
    const p = this.#patches.get(userId) ?? {};
    for (const ch of changes) {
      const col = FIELD_COLUMNS[ch.field];
      const value = typeof ch.after === 'string' ? ch.after : JSON.stringify(ch.after);
      p[col] = value;
      if (col === 'email') p.email_lower = value.toLowerCase();
      const given = col === 'email' ? `e:${p.email_lower}` : col === 'employee_identifier' ? `x:${value}` : undefined;
      if (given) this.#given.set(given, (this.#given.get(given) ?? new Set()).add(userId));
    }
    p.updated_at = CHANGED_BY_DRY_RUN;
    this.#patches.set(userId, p);
  }

  /** The stand-ins among these user ids -> the remote id each would have been created from. */
  creatorsOf(userIds: string[]): Map<string, string> {
    return new Map(userIds.filter((id) => id.startsWith(STAND_IN)).map((id) => [id, id.slice(STAND_IN.length)]));
  }

  /** Given to someone else (or no more his) since the database says so. */
  #holders(key: string, col: 'email_lower' | 'employee_identifier', value: string): string[] {
    return [...(this.#given.get(key) ?? [])].filter((id) => this.#patches.get(id)?.[col] === value);
  }

  async usersByUsernameOrEmail(db: Db, organizationId: string, lowerValues: string[]): Promise<UserKeys[]> {
    const wanted = new Set(lowerValues);
    const out = new Map<string, UserKeys>();
    const keep = (u: UserKeys) => {
      const k = { id: u.id, username_lower: u.username_lower, email_lower: this.#patches.get(u.id)?.email_lower ?? u.email_lower };
      if (wanted.has(k.username_lower) || wanted.has(k.email_lower)) out.set(u.id, k);
    };
    for (const u of await DIRECTORY.usersByUsernameOrEmail(db, organizationId, lowerValues)) keep(u);
    const missing = new Set<string>();
    for (const v of wanted) {
      for (const id of this.#holders(`e:${v}`, 'email_lower', v)) if (!out.has(id)) missing.add(id);
      const remoteId = this.#createdBy.get(v);
      if (remoteId) out.set(STAND_IN + remoteId, { id: STAND_IN + remoteId, ...this.#created.get(remoteId)! });
    }
    if (missing.size) for (const u of await DIRECTORY.usersByIds(db, organizationId, [...missing])) keep(u);
    return [...out.values()];
  }

  async usersByEmployeeIdentifiers(db: Db, organizationId: string, values: string[]) {
    const wanted = new Set(values);
    const out = new Map<string, Pick<UserRecord, 'id' | 'employee_identifier'>>();
    for (const u of await DIRECTORY.usersByEmployeeIdentifiers(db, organizationId, values)) {
      const value = this.#patches.get(u.id)?.employee_identifier ?? u.employee_identifier;
      if (wanted.has(value)) out.set(u.id, { id: u.id, employee_identifier: value });
    }
    for (const v of wanted) for (const id of this.#holders(`x:${v}`, 'employee_identifier', v)) out.set(id, { id, employee_identifier: v });
    return [...out.values()];
  }

  async usersByIds(db: Db, organizationId: string, ids: string[]): Promise<UserRecord[]> {
    const users = await DIRECTORY.usersByIds(db, organizationId, this.#real(ids));
    return users.map((u) => (this.#patches.has(u.id) ? { ...u, ...this.#patches.get(u.id) } : u));
  }

  async linksOfUsers(db: Db, applicationId: string, userIds: string[]) {
    const rows: { user_id: string; remote_id: string }[] = await DIRECTORY.linksOfUsers(db, applicationId, this.#real(userIds));
    const linked = new Set(rows.map((l) => l.user_id));
    for (const id of userIds) {
      const remoteId = this.#links.get(id);
      if (remoteId && !linked.has(id)) rows.push({ user_id: id, remote_id: remoteId });
    }
    return rows;
  }

  #real(ids: string[]): string[] {
    return ids.filter((id) => !id.startsWith(STAND_IN));
  }
}
