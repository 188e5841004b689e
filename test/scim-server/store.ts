/**
 * In-memory data for the test server. Seeded users stay virtual (generated from their index on
 * every read) until something writes to them; see seed.ts. Insertion order is kept in one slot
 * array so index paging is a slice, and ids/userNames of pristine seeded users are resolved by
 * decoding instead of by maps, which keeps 400,000 users cheap.
 */
import type { IdStyle } from './quirks.ts';
import { canonicalGroup, canonicalUser } from './render.ts';
import { IdCodec, UserSeeder, seedGroups } from './seed.ts';

type Obj = Record<string, unknown>;
/** A user's place in insertion order: a seeded index (number) or the id of a created user. */
export type Slot = number | string;

/** What users and groups both keep. */
interface ResourceRecord {
  id: string;
  seq: number;
  created: number;
  lastModified: number;
  version: number;
  /** Attributes with canonical names; extensions under their URN. No id/meta/groups/schemas. */
  data: Obj;
}

export type UserRecord = ResourceRecord;

export interface MemberRecord {
  value: string;
  type: 'User' | 'Group';
  display?: string;
}

export interface GroupRecord extends ResourceRecord {
  members: Map<string, MemberRecord>;
}

/** What the store's public API returns: canonical SCIM JSON. Other attributes are reachable by name. */
export interface ScimResourceJson {
  schemas: string[];
  id: string;
  externalId?: string;
  meta: { resourceType: string; created: string; lastModified: string; location: string; version?: string };
  [attribute: string]: unknown;
}

export interface ScimUserJson extends ScimResourceJson {
  userName: string;
  displayName?: string;
  active?: boolean;
  name?: { formatted?: string; familyName?: string; givenName?: string; middleName?: string };
  emails?: { value: string; type?: string; primary?: boolean }[];
  groups?: { value: string; $ref: string; display?: string; type: string }[];
}

export interface ScimGroupJson extends ScimResourceJson {
  displayName: string;
  members?: { value: string; $ref?: string; type?: string; display?: string }[];
}

const asUser = (o: Obj) => o as unknown as ScimUserJson;
const asGroup = (o: Obj) => o as unknown as ScimGroupJson;

const PRISTINE = 0;
const OVERRIDDEN = 1;
const DELETED = 2;

const READ_ONLY_KEYS = new Set(['id', 'meta', 'schemas', 'groups']);

function stripReadOnly(partial: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(partial)) if (!READ_ONLY_KEYS.has(k) && v !== undefined) out[k] = structuredClone(v);
  return out;
}

export interface StoreOptions {
  seed: number;
  users: number;
  groups: number;
  idStyle: IdStyle;
  membersPerGroup?: number;
}

export class ScimStore {
  readonly seed: number;
  readonly codec: IdCodec;
  /** Id style for resources created from now on (the server keeps it in sync with the quirk). */
  idStyle: IdStyle;
  /** Base URL (with base path) used for meta.location and $ref in store API results. */
  baseUrl = 'http://127.0.0.1/scim/v2';
  /** Bumped on every write; list caches compare it. */
  version = 0;
  /** Lower-cased userNames, externalIds and emails of deleted users (for the D3 quirk). */
  readonly tombstones = new Set<string>();

  private readonly seeder: UserSeeder;
  private seededCount = 0;
  private state = new Uint8Array(0);
  private overrides = new Map<number, UserRecord>();
  private created = new Map<string, UserRecord>();
  private userSlots: Slot[] = [];
  private userSlotsDirty = false;
  private liveUsers = 0;
  private userNames = new Map<string, Slot>();
  private externalIds = new Map<string, Set<Slot>>();
  private emails = new Map<string, Set<Slot>>();
  private groups = new Map<string, GroupRecord>();
  private groupIds: string[] = [];
  private groupIdsDirty = false;
  private groupNames = new Map<string, Set<string>>();
  private memberships = new Map<string, Set<string>>();
  private nextSeq = 1;
  private createdCounter = 0;

  constructor(opts: StoreOptions) {
    this.seed = opts.seed;
    this.idStyle = opts.idStyle;
    this.codec = new IdCodec(opts.seed, opts.idStyle);
    this.seeder = new UserSeeder(opts.seed, this.codec);
    this.seedData(opts.users, opts.groups, opts.membersPerGroup);
  }

  private seedData(users: number, groups: number, membersPerGroup?: number): void {
    this.seededCount = users;
    this.state = new Uint8Array(users);
    this.userSlots = new Array<Slot>(users);
    for (let i = 0; i < users; i++) this.userSlots[i] = i;
    this.liveUsers = users;
    this.nextSeq = users + 1;
    const now = Date.now();
    for (const g of seedGroups(this.seed, this.codec, groups, users, membersPerGroup)) {
      const members = new Map<string, MemberRecord>();
      for (const i of g.memberIndexes) {
        const id = this.codec.seededUserId(i);
        members.set(id, { value: id, type: 'User', display: this.seeder.displayName(i) });
      }
      const rec: GroupRecord = {
        id: g.id,
        seq: this.nextSeq++,
        created: g.created,
        lastModified: Math.min(g.lastModified, now),
        version: 1,
        data: g.data,
        members,
      };
      this.attachGroup(rec);
    }
  }

  // ------------------------------------------------------------------ users (internal API)

  private generate(i: number): UserRecord {
    const s = this.seeder.user(i);
    return { id: this.codec.seededUserId(i), seq: i + 1, created: s.created, lastModified: s.lastModified, version: 1, data: s.data };
  }

  userSlot(id: string): Slot | undefined {
    if (this.created.has(id)) return id;
    const i = this.codec.decodeSeededUser(id, this.seededCount);
    return i !== undefined && this.state[i] !== DELETED ? i : undefined;
  }

  userAt(slot: Slot): UserRecord | undefined {
    if (typeof slot === 'string') return this.created.get(slot);
    const st = this.state[slot];
    if (st === PRISTINE) return this.generate(slot);
    if (st === OVERRIDDEN) return this.overrides.get(slot);
    return undefined;
  }

  findUser(id: string): UserRecord | undefined {
    const slot = this.userSlot(id);
    return slot === undefined ? undefined : this.userAt(slot);
  }

  /** Live users in insertion order. The array is shared: do not mutate. */
  liveUserSlots(): Slot[] {
    if (this.userSlotsDirty) {
      this.userSlots = this.userSlots.filter((s) => (typeof s === 'string' ? this.created.has(s) : this.state[s] !== DELETED));
      this.userSlotsDirty = false;
    }
    return this.userSlots;
  }

  seqOfUser(slot: Slot): number {
    return typeof slot === 'number' ? slot + 1 : (this.created.get(slot)?.seq ?? Number.MAX_SAFE_INTEGER);
  }

  findUserSlotByUserName(userName: string): Slot | undefined {
    const lower = userName.toLowerCase();
    const hit = this.userNames.get(lower);
    if (hit !== undefined) return hit;
    const i = UserSeeder.indexFromUserName(lower);
    if (i !== undefined && i >= 0 && i < this.seededCount && this.state[i] === PRISTINE && this.seeder.userName(i).toLowerCase() === lower)
      return i;
    return undefined;
  }

  findUserSlotsByExternalId(externalId: string): Slot[] {
    const out = [...(this.externalIds.get(externalId) ?? [])];
    const i = UserSeeder.indexFromExternalId(externalId);
    if (i !== undefined && i >= 0 && i < this.seededCount && this.state[i] === PRISTINE && this.seeder.externalId(i) === externalId)
      out.push(i);
    return out.sort((a, b) => this.seqOfUser(a) - this.seqOfUser(b));
  }

  /** Lower-cased email values of any user; pristine seeded users are matched by decoding instead. */
  findUserSlotsByEmail(email: string): Slot[] {
    const lower = email.toLowerCase();
    const out = [...(this.emails.get(lower) ?? [])];
    const i = UserSeeder.indexFromEmail(lower);
    if (i !== undefined && i >= 0 && i < this.seededCount && this.state[i] === PRISTINE && this.seeder.emailValues(i).includes(lower))
      out.push(i);
    return out.sort((a, b) => this.seqOfUser(a) - this.seqOfUser(b));
  }

  private indexUser(slot: Slot, data: Obj): void {
    if (typeof data.userName === 'string') this.userNames.set(data.userName.toLowerCase(), slot);
    if (typeof data.externalId === 'string') addTo(this.externalIds, data.externalId, slot);
    for (const e of emailValues(data)) addTo(this.emails, e, slot);
  }

  private unindexUser(slot: Slot, data: Obj): void {
    if (typeof data.userName === 'string' && this.userNames.get(data.userName.toLowerCase()) === slot)
      this.userNames.delete(data.userName.toLowerCase());
    if (typeof data.externalId === 'string') removeFrom(this.externalIds, data.externalId, slot);
    for (const e of emailValues(data)) removeFrom(this.emails, e, slot);
  }

  newId(): string {
    for (;;) {
      const id = this.codec.createdId(++this.createdCounter, this.idStyle);
      if (this.userSlot(id) === undefined && !this.groups.has(id)) return id;
    }
  }

  /** Adds a user; callers check uniqueness first (this throws on a clash, as a guard). */
  insertUser(data: Obj, id?: string, now = Date.now()): UserRecord {
    if (typeof data.userName !== 'string' || !data.userName) throw new Error('insertUser: userName is required');
    if (this.findUserSlotByUserName(data.userName) !== undefined) throw new Error(`insertUser: userName '${data.userName}' already exists`);
    const useId = id ?? this.newId();
    if (this.userSlot(useId) !== undefined || this.groups.has(useId)) throw new Error(`insertUser: id '${useId}' already exists`);
    const rec: UserRecord = { id: useId, seq: this.nextSeq++, created: now, lastModified: now, version: 1, data };
    this.created.set(useId, rec);
    this.liveUserSlots().push(useId);
    this.indexUser(useId, data);
    this.liveUsers++;
    this.version++;
    return rec;
  }

  /** Replaces a user's attributes (already validated) and bumps version and lastModified. */
  writeUser(id: string, data: Obj, now = Date.now()): UserRecord {
    const slot = this.userSlot(id);
    const old = slot === undefined ? undefined : this.userAt(slot);
    if (slot === undefined || !old) throw new Error(`writeUser: no user '${id}'`);
    if (typeof slot === 'number' && this.state[slot] === PRISTINE) this.state[slot] = OVERRIDDEN;
    else this.unindexUser(slot, old.data);
    const rec: UserRecord = { ...old, data, version: old.version + 1, lastModified: Math.max(now, old.lastModified + 1) };
    if (typeof slot === 'number') this.overrides.set(slot, rec);
    else this.created.set(slot, rec);
    this.indexUser(slot, data);
    this.version++;
    const display = (data.displayName as string | undefined) ?? (data.userName as string);
    for (const gid of this.memberships.get(id) ?? []) {
      const m = this.groups.get(gid)?.members.get(id);
      if (m) m.display = display;
    }
    return rec;
  }

  removeUser(id: string): boolean {
    const slot = this.userSlot(id);
    const rec = slot === undefined ? undefined : this.userAt(slot);
    if (slot === undefined || !rec) return false;
    for (const key of identityKeys(rec.data)) this.tombstones.add(key);
    if (typeof slot === 'number') {
      if (this.state[slot] === OVERRIDDEN) this.unindexUser(slot, rec.data);
      this.state[slot] = DELETED;
      this.overrides.delete(slot);
    } else {
      this.unindexUser(slot, rec.data);
      this.created.delete(slot);
    }
    this.detachMember(id);
    this.userSlotsDirty = true;
    this.liveUsers--;
    this.version++;
    return true;
  }

  // ------------------------------------------------------------------ groups (internal API)

  private attachGroup(rec: GroupRecord): void {
    this.groups.set(rec.id, rec);
    this.liveGroupIds().push(rec.id);
    this.indexGroupName(rec.id, rec.data);
    for (const m of rec.members.values()) this.linkMember(m.value, rec.id);
  }

  private indexGroupName(id: string, data: Obj): void {
    if (typeof data.displayName !== 'string') return;
    const key = data.displayName.toLowerCase();
    let set = this.groupNames.get(key);
    if (!set) this.groupNames.set(key, (set = new Set()));
    set.add(id);
  }

  private unindexGroupName(id: string, data: Obj): void {
    if (typeof data.displayName !== 'string') return;
    const key = data.displayName.toLowerCase();
    const set = this.groupNames.get(key);
    set?.delete(id);
    if (set?.size === 0) this.groupNames.delete(key);
  }

  private linkMember(memberId: string, groupId: string): void {
    let set = this.memberships.get(memberId);
    if (!set) this.memberships.set(memberId, (set = new Set()));
    set.add(groupId);
  }

  private unlinkMember(memberId: string, groupId: string): void {
    const set = this.memberships.get(memberId);
    set?.delete(groupId);
    if (set?.size === 0) this.memberships.delete(memberId);
  }

  /** Drops a deleted resource from every group it belonged to. */
  private detachMember(memberId: string): void {
    for (const gid of this.memberships.get(memberId) ?? []) {
      const g = this.groups.get(gid);
      if (g?.members.delete(memberId)) {
        g.version++;
        g.lastModified = Math.max(Date.now(), g.lastModified + 1);
      }
    }
    this.memberships.delete(memberId);
  }

  findGroup(id: string): GroupRecord | undefined {
    return this.groups.get(id);
  }

  liveGroupIds(): string[] {
    if (this.groupIdsDirty) {
      this.groupIds = this.groupIds.filter((id) => this.groups.has(id));
      this.groupIdsDirty = false;
    }
    return this.groupIds;
  }

  findGroupIdsByName(displayName: string): string[] {
    return [...(this.groupNames.get(displayName.toLowerCase()) ?? [])].sort((a, b) => this.groups.get(a)!.seq - this.groups.get(b)!.seq);
  }

  /** Group ids a user or group is a direct member of. */
  groupsOf(memberId: string): string[] {
    return [...(this.memberships.get(memberId) ?? [])];
  }

  /** What a member id names, for referential integrity and `display`. */
  describeMember(id: string): MemberRecord | undefined {
    const u = this.findUser(id);
    if (u) return { value: id, type: 'User', display: (u.data.displayName as string | undefined) ?? (u.data.userName as string) };
    const g = this.groups.get(id);
    if (g) return { value: id, type: 'Group', display: g.data.displayName as string };
    return undefined;
  }

  insertGroup(data: Obj, members: MemberRecord[], id?: string, now = Date.now()): GroupRecord {
    const useId = id ?? this.newId();
    if (this.groups.has(useId) || this.userSlot(useId) !== undefined) throw new Error(`insertGroup: id '${useId}' already exists`);
    const rec: GroupRecord = {
      id: useId,
      seq: this.nextSeq++,
      created: now,
      lastModified: now,
      version: 1,
      data,
      members: new Map(members.map((m) => [m.value, m])),
    };
    this.attachGroup(rec);
    this.version++;
    return rec;
  }

  /** Replaces a group's attributes and, when given, its whole member list. */
  writeGroup(id: string, data: Obj, members?: MemberRecord[], now = Date.now()): GroupRecord {
    const g = this.groupFor('writeGroup', id);
    this.unindexGroupName(id, g.data);
    g.data = data;
    this.indexGroupName(id, data);
    if (members) {
      for (const old of g.members.keys()) this.unlinkMember(old, id);
      g.members = new Map(members.map((m) => [m.value, m]));
      for (const m of g.members.keys()) this.linkMember(m, id);
    }
    this.touchGroup(g, now);
    return g;
  }

  addMembers(id: string, members: MemberRecord[], now = Date.now()): GroupRecord {
    const g = this.groupFor('addMembers', id);
    for (const m of members) {
      if (!g.members.has(m.value)) {
        g.members.set(m.value, m);
        this.linkMember(m.value, id);
      }
    }
    this.touchGroup(g, now);
    return g;
  }

  removeMembers(id: string, memberIds: string[], now = Date.now()): GroupRecord {
    const g = this.groupFor('removeMembers', id);
    for (const m of memberIds) {
      if (g.members.delete(m)) this.unlinkMember(m, id);
    }
    this.touchGroup(g, now);
    return g;
  }

  private groupFor(operation: string, id: string): GroupRecord {
    const g = this.groups.get(id);
    if (!g) throw new Error(`${operation}: no group '${id}'`);
    return g;
  }

  private touchGroup(g: GroupRecord, now: number): void {
    g.version++;
    g.lastModified = Math.max(now, g.lastModified + 1);
    this.version++;
  }

  removeGroup(id: string): boolean {
    const g = this.groups.get(id);
    if (!g) return false;
    for (const m of g.members.keys()) this.unlinkMember(m, id);
    this.unindexGroupName(id, g.data);
    this.groups.delete(id);
    this.detachMember(id);
    this.groupIdsDirty = true;
    this.version++;
    return true;
  }

  // ------------------------------------------------------------------ public API (for tests)

  /** All users as canonical SCIM resources (copies; no quirks applied). Materialises every user: mind big stores. */
  listUsers(): ScimUserJson[] {
    return this.liveUserSlots().map((s) => asUser(structuredClone(canonicalUser(this, this.userAt(s)!))));
  }

  getUser(id: string): ScimUserJson | undefined {
    const rec = this.findUser(id);
    return rec ? asUser(structuredClone(canonicalUser(this, rec))) : undefined;
  }

  /** Adds a user directly (no SCIM validation or quirks). An `id` in the input is kept, so tests can pick odd ids. */
  addUser(partial: Obj): ScimUserJson {
    const data = stripReadOnly(partial);
    const rec = this.insertUser(data, typeof partial.id === 'string' ? partial.id : undefined);
    return asUser(structuredClone(canonicalUser(this, rec)));
  }

  /** Shallow-merges top-level attributes (null removes one), or replaces them with what the function returns. */
  updateUser(id: string, changes: Obj | ((current: Obj) => Obj)): ScimUserJson {
    const rec = this.findUser(id);
    if (!rec) throw new Error(`updateUser: no user '${id}'`);
    let data: Obj;
    if (typeof changes === 'function') data = stripReadOnly(changes(structuredClone(rec.data)));
    else {
      data = structuredClone(rec.data);
      for (const [k, v] of Object.entries(changes)) {
        if (READ_ONLY_KEYS.has(k)) continue;
        if (v === null || v === undefined) delete data[k];
        else data[k] = structuredClone(v);
      }
    }
    const other = typeof data.userName === 'string' ? this.findUserSlotByUserName(data.userName) : undefined;
    if (other !== undefined && other !== this.userSlot(id))
      throw new Error(`updateUser: userName '${String(data.userName)}' already exists`);
    return asUser(structuredClone(canonicalUser(this, this.writeUser(id, data))));
  }

  deleteUser(id: string): boolean {
    return this.removeUser(id);
  }

  listGroups(): ScimGroupJson[] {
    return this.liveGroupIds().map((id) => asGroup(structuredClone(canonicalGroup(this, this.groups.get(id)!))));
  }

  getGroup(id: string): ScimGroupJson | undefined {
    const g = this.groups.get(id);
    return g ? asGroup(structuredClone(canonicalGroup(this, g))) : undefined;
  }

  /** Adds a group directly; `members` may name users or groups (unknown ids are kept as type User). */
  addGroup(partial: Obj): ScimGroupJson {
    const data = stripReadOnly(partial);
    delete data.members;
    if (typeof data.displayName !== 'string') throw new Error('addGroup: displayName is required');
    const members = this.toMembers(partial.members);
    const g = this.insertGroup(data, members, typeof partial.id === 'string' ? partial.id : undefined);
    return asGroup(structuredClone(canonicalGroup(this, g)));
  }

  updateGroup(id: string, changes: Obj): ScimGroupJson {
    const g = this.groupFor('updateGroup', id);
    const data = structuredClone(g.data);
    for (const [k, v] of Object.entries(changes)) {
      if (READ_ONLY_KEYS.has(k) || k === 'members') continue;
      if (v === null || v === undefined) delete data[k];
      else data[k] = structuredClone(v);
    }
    const members = 'members' in changes ? this.toMembers(changes.members) : undefined;
    return asGroup(structuredClone(canonicalGroup(this, this.writeGroup(id, data, members))));
  }

  deleteGroup(id: string): boolean {
    return this.removeGroup(id);
  }

  addMember(groupId: string, memberId: string): void {
    this.addMembers(groupId, this.toMembers([{ value: memberId }]));
  }

  removeMember(groupId: string, memberId: string): void {
    this.removeMembers(groupId, [memberId]);
  }

  private toMembers(list: unknown): MemberRecord[] {
    if (!Array.isArray(list)) return [];
    return list.map((m) => {
      const value = typeof m === 'string' ? m : String((m as Obj).value);
      return this.describeMember(value) ?? { value, type: 'User' };
    });
  }

  userCount(): number {
    return this.liveUsers;
  }

  groupCount(): number {
    return this.groups.size;
  }

  /** Removes every user and group, seeded ones included. */
  clear(): void {
    this.seededCount = 0;
    this.state = new Uint8Array(0);
    this.overrides.clear();
    this.created.clear();
    this.userSlots = [];
    this.userSlotsDirty = false;
    this.liveUsers = 0;
    this.userNames.clear();
    this.externalIds.clear();
    this.emails.clear();
    this.groups.clear();
    this.groupIds = [];
    this.groupIdsDirty = false;
    this.groupNames.clear();
    this.memberships.clear();
    this.tombstones.clear();
    this.version++;
  }
}

function addTo(map: Map<string, Set<Slot>>, key: string, slot: Slot): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(slot);
}

function removeFrom(map: Map<string, Set<Slot>>, key: string, slot: Slot): void {
  const set = map.get(key);
  set?.delete(slot);
  if (set?.size === 0) map.delete(key);
}

function emailValues(data: Obj): string[] {
  if (!Array.isArray(data.emails)) return [];
  return data.emails.flatMap((e) => (typeof (e as Obj)?.value === 'string' ? [String((e as Obj).value).toLowerCase()] : []));
}

/** Lower-cased identifiers a deleted user leaves behind (userName, externalId, email values). */
export function identityKeys(data: Obj): string[] {
  const keys: string[] = [];
  if (typeof data.userName === 'string') keys.push(`u:${data.userName.toLowerCase()}`);
  if (typeof data.externalId === 'string') keys.push(`x:${data.externalId}`);
  if (Array.isArray(data.emails))
    for (const e of data.emails) if (typeof (e as Obj)?.value === 'string') keys.push(`e:${String((e as Obj).value).toLowerCase()}`);
  return keys;
}
