/**
 * The SCIM semantics behind the routes: discovery documents, lists, and create/read/replace/
 * patch/delete of Users and Groups, with the write-side quirks (C, D, G rows). Handlers return a
 * Reply or throw ScimHttpError; server.ts owns transport, auth, faults and the request log.
 */
import type { IncomingMessage } from 'node:http';
import type { AuthState } from './auth.ts';
import { ScimHttpError, conflict, invalidValue, mutability, notFound } from './errors.ts';
import { type Collection, ListEngine, type ListParams } from './list.ts';
import { applyPatch, countMemberChanges, memberOnlyDelta, parsePatchBody } from './patch.ts';
import type { Quirks } from './quirks.ts';
import {
  type OutputStyle,
  type ViewParts,
  canonicalGroup,
  canonicalUser,
  etagOf,
  makeProjection,
  outputStyle,
  project,
  renderGroup,
  renderUser,
} from './render.ts';
import { ENTERPRISE_USER, GROUP_SCHEMAS, LIST_RESPONSE, SPC_SCHEMA, USER_SCHEMAS } from './schema.ts';
import { type GroupRecord, type MemberRecord, type ScimStore, type Slot, type UserRecord, identityKeys } from './store.ts';
import { type MemberInput, normalizeGroup, normalizeMembers, normalizeUser } from './validate.ts';

type Obj = Record<string, unknown>;

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: string;
  /** Extra time to wait before answering (P18). */
  delayMs?: number;
}

export function jsonReply(q: Quirks, status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': q.responseContentType ?? 'application/scim+json', ...headers }, body: JSON.stringify(body) };
}

/** What the handlers need from the server; read on every call, so quirks and URLs are always current. */
export interface ResourceHost {
  readonly quirks: Quirks;
  readonly store: ScimStore;
  readonly baseUrl: string;
  readonly url: string;
  readonly tokenUrl: string;
  readonly auth: AuthState;
}

type Attrs = { attributes?: string; excluded?: string };

/** Whether an If-Match / If-None-Match list names this version, weak or strong. */
function namesVersion(header: string, version: number): boolean {
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => strip(t) === strip(etagOf(version)));
}

/** A collection's view and render of the record at a slot; undefined once the record is gone. */
function views<R>(
  at: (slot: Slot) => R | undefined,
  canonical: (rec: R, parts?: ViewParts) => Obj,
  served: (rec: R) => Obj,
): Pick<Collection, 'view' | 'render'> {
  return {
    view: (slot, parts) => {
      const rec = at(slot);
      return rec && canonical(rec, parts);
    },
    render: (slot) => {
      const rec = at(slot);
      return rec && served(rec);
    },
  };
}

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

export class ScimResources {
  private readonly host: ResourceHost;
  private readonly lists = new ListEngine();

  constructor(host: ResourceHost) {
    this.host = host;
  }

  private get quirks(): Quirks {
    return this.host.quirks;
  }
  private get store(): ScimStore {
    return this.host.store;
  }
  private get baseUrl(): string {
    return this.host.baseUrl;
  }

  private json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
    return jsonReply(this.quirks, status, body, headers);
  }

  private noContent(headers: Record<string, string> = {}): Reply {
    return { status: 204, headers };
  }

  // ------------------------------------------------------------------ discovery

  serviceProviderConfig(): Obj {
    const q = this.quirks;
    const advertised = q.advertisedMaxPageSize ?? q.maxPageSize;
    return {
      schemas: [SPC_SCHEMA],
      documentationUri: 'https://example.com/roster/test-scim-server',
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: advertised },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: q.etagSupported },
      pagination: {
        cursor: q.cursorSupported || q.cursorOnly,
        index: !q.cursorOnly,
        defaultPaginationMethod: q.cursorOnly ? 'cursor' : 'index',
        defaultPageSize: q.defaultPageSize,
        maxPageSize: advertised,
        cursorTimeout: q.cursorTimeoutSeconds,
      },
      authenticationSchemes: this.host.auth.schemes(this.host.tokenUrl),
      meta: { resourceType: 'ServiceProviderConfig', location: `${this.baseUrl}/ServiceProviderConfig` },
    };
  }

  discoveryList(docs: Obj[], id: string | undefined, what: string): Reply {
    if (id !== undefined) {
      const doc = docs.find((d) => String(d.id).toLowerCase() === id.toLowerCase());
      if (!doc) throw notFound(`${what} '${id}' not found`);
      return this.json(200, doc);
    }
    const env: Obj = { schemas: [LIST_RESPONSE], totalResults: docs.length, itemsPerPage: docs.length, startIndex: 1, Resources: docs };
    if (!this.quirks.lowerCaseEnvelopeKeys) return this.json(200, env);
    return this.json(200, Object.fromEntries(Object.entries(env).map(([k, v]) => [k === 'schemas' ? k : k.toLowerCase(), v])));
  }

  // ------------------------------------------------------------------ lists

  private style(): OutputStyle {
    return outputStyle(this.quirks, this.baseUrl, this.host.url);
  }

  private userCollection(style: OutputStyle): Collection {
    const store = this.store;
    return {
      kind: 'User',
      set: USER_SCHEMAS,
      slots: () => store.liveUserSlots(),
      seq: (s) => store.seqOfUser(s),
      ...views(
        (s) => store.userAt(s),
        (r, parts) => canonicalUser(store, r, parts),
        (r) => renderUser(store, r, style),
      ),
      lookup: (attr, value) => {
        if (attr === 'id') {
          const s = store.userSlot(value);
          return s === undefined ? [] : [s];
        }
        if (attr === 'userName') {
          const s = store.findUserSlotByUserName(value);
          return s === undefined ? [] : [s];
        }
        if (attr === 'externalId') return store.findUserSlotsByExternalId(value);
        if (attr === 'emails') return store.findUserSlotsByEmail(value);
        return undefined;
      },
    };
  }

  private groupCollection(style: OutputStyle): Collection {
    const store = this.store;
    return {
      kind: 'Group',
      set: GROUP_SCHEMAS,
      slots: () => store.liveGroupIds(),
      seq: (s) => store.findGroup(String(s))?.seq ?? Number.MAX_SAFE_INTEGER,
      ...views(
        (s) => store.findGroup(String(s)),
        (g) => canonicalGroup(store, g),
        (g) => renderGroup(g, style),
      ),
      lookup: (attr, value) => {
        if (attr === 'id') return store.findGroup(value) ? [value] : [];
        if (attr === 'displayName') return store.findGroupIdsByName(value);
        return undefined;
      },
    };
  }

  list(isUser: boolean, params: ListParams): Reply {
    const style = this.style();
    const coll = isUser ? this.userCollection(style) : this.groupCollection(style);
    const out = this.lists.list(coll, params, this.quirks, this.store.version, Date.now());
    const reply = this.json(200, out.body);
    reply.delayMs = (out.memberCount / 1000) * this.quirks.groupMemberLatencyMsPer1000;
    return reply;
  }

  // ------------------------------------------------------------------ users

  private notFoundError(kind: string, id: string): ScimHttpError {
    if (this.quirks.notFoundAs400) return new ScimHttpError(400, undefined, `${kind} ${id} not found`);
    return notFound(`Resource ${id} not found`);
  }

  private userOr404(id: string): UserRecord {
    const rec = this.store.findUser(id);
    if (!rec || (this.quirks.deactivatedUsersNotFound && rec.data.active === false)) throw this.notFoundError('User', id);
    return rec;
  }

  private checkIfMatch(req: IncomingMessage, version: number): void {
    const h = req.headers['if-match'];
    if (!this.quirks.etagSupported || !h || h.trim() === '*') return;
    if (!namesVersion(h, version)) {
      throw new ScimHttpError(412, undefined, 'Precondition failed: the resource has changed (ETag mismatch)');
    }
  }

  /** 304 when If-None-Match names the version the client already has (only with ETags on). */
  private notModified(req: IncomingMessage, version: number): Reply | undefined {
    const inm = req.headers['if-none-match'];
    if (!this.quirks.etagSupported || !inm || !namesVersion(inm, version)) return undefined;
    return { status: 304, headers: { etag: etagOf(version) } };
  }

  private resourceReply(
    status: number,
    resource: Obj,
    version: number,
    attrs?: Attrs,
    extra: Record<string, string> = {},
    kind: 'User' | 'Group' = 'User',
  ): Reply {
    const projection = attrs
      ? makeProjection(
          attrs.attributes,
          attrs.excluded,
          kind === 'User' ? USER_SCHEMAS : GROUP_SCHEMAS,
          this.quirks.projectionDropsSchemasMeta,
        )
      : undefined;
    const body = projection ? project(resource, projection) : resource;
    const headers: Record<string, string> = { ...extra };
    if (this.quirks.etagSupported) headers.etag = etagOf(version);
    return this.json(status, body, headers);
  }

  getUser(id: string, req: IncomingMessage, attrs: Attrs): Reply {
    const rec = this.userOr404(id);
    return this.notModified(req, rec.version) ?? this.resourceReply(200, renderUser(this.store, rec, this.style()), rec.version, attrs);
  }

  /** Readable manager.displayName follows the referenced user, as real directories do. */
  private fillManager(data: Obj): void {
    const ext = data[ENTERPRISE_USER];
    if (!isObj(ext) || !isObj(ext.manager) || typeof ext.manager.value !== 'string') return;
    const m = this.store.findUser(ext.manager.value);
    if (m) ext.manager = { ...ext.manager, displayName: (m.data.displayName as string | undefined) ?? m.data.userName };
  }

  private checkUserUniqueness(data: Obj, selfId?: string): void {
    const q = this.quirks;
    const userName = data.userName as string;
    const slot = this.store.findUserSlotByUserName(userName);
    const self = selfId === undefined ? undefined : this.store.userSlot(selfId);
    if (slot !== undefined && slot !== self) throw conflict(`User with userName '${userName}' already exists`);
    if (q.externalIdUnique && typeof data.externalId === 'string') {
      if (this.store.findUserSlotsByExternalId(data.externalId).some((s) => s !== self))
        throw conflict(`User with externalId '${data.externalId}' already exists`);
    }
  }

  createUser(body: unknown): Reply {
    const q = this.quirks;
    const data = normalizeUser(body, q, true);
    this.fillManager(data);
    this.checkUserUniqueness(data);
    if (q.recreateAfterDeleteConflicts && identityKeys(data).some((k) => this.store.tombstones.has(k))) {
      throw conflict('A user with this userName or email already exists in the application');
    }
    const rec = this.store.insertUser(data);
    const resource = renderUser(this.store, rec, this.style());
    const headers: Record<string, string> = {};
    if (!q.noLocationHeader) headers.location = (resource.meta as Obj).location as string;
    return this.resourceReply(201, resource, rec.version, undefined, headers);
  }

  private checkUserUpdate(old: UserRecord, next: Obj): void {
    const q = this.quirks;
    if (q.userNameImmutable && next.userName !== old.data.userName)
      throw mutability("Attribute 'userName' is immutable and cannot be changed");
    if (q.deactivatedUsersReadOnly && old.data.active === false) {
      const { active: _a, ...before } = old.data;
      const { active: _b, ...after } = next;
      if (!deepEqual(before, after))
        throw new ScimHttpError(400, undefined, "Cannot change properties on deactivated members other than 'active'");
    }
    if (q.emailChangesRefused) {
      const values = (d: Obj) => (Array.isArray(d.emails) ? (d.emails as Obj[]).map((e) => String(e.value).toLowerCase()).sort() : []);
      if (!deepEqual(values(old.data), values(next)))
        throw new ScimHttpError(400, undefined, "Domain name doesn't match. Email changes are not allowed");
    }
    this.checkUserUniqueness(next, old.id);
  }

  /** Stores the new data unless C15 says to only pretend; returns what to render. */
  private commitUser(old: UserRecord, data: Obj): UserRecord {
    if (this.quirks.updatesNotApplied) return { ...old, data, version: old.version + 1, lastModified: Date.now() };
    return this.store.writeUser(old.id, data);
  }

  replaceUser(id: string, body: unknown, req: IncomingMessage): Reply {
    const q = this.quirks;
    const old = this.userOr404(id);
    this.checkIfMatch(req, old.version);
    let data = normalizeUser(body, q, true);
    if (q.putMode === 'merge') data = { ...old.data, ...data };
    else if (old.data.password !== undefined && data.password === undefined) data.password = old.data.password;
    this.fillManager(data);
    this.checkUserUpdate(old, data);
    const rec = this.commitUser(old, data);
    return this.resourceReply(200, renderUser(this.store, rec, this.style()), rec.version);
  }

  private patchReply(changed: boolean, resource: Obj, version: number, attrs: Attrs, kind: 'User' | 'Group'): Reply {
    const mode = this.quirks.patchResponse;
    if (mode === 'noContent' || (mode === 'noContentOnNoop' && !changed))
      return this.noContent(this.quirks.etagSupported ? { etag: etagOf(version) } : {});
    return this.resourceReply(200, resource, version, attrs, {}, kind);
  }

  patchUser(id: string, body: unknown, req: IncomingMessage, attrs: Attrs): Reply {
    const q = this.quirks;
    const old = this.userOr404(id);
    this.checkIfMatch(req, old.version);
    const ops = parsePatchBody(body);
    const doc = applyPatch(old.data, ops, USER_SCHEMAS, q);
    const data = normalizeUser(doc, q, false);
    this.fillManager(data);
    const changed = !deepEqual(old.data, data);
    let rec = old;
    if (changed) {
      this.checkUserUpdate(old, data);
      rec = this.commitUser(old, data);
    }
    return this.patchReply(changed, renderUser(this.store, rec, this.style()), rec.version, attrs, 'User');
  }

  deleteUser(id: string, req: IncomingMessage): Reply {
    const q = this.quirks;
    if (q.deleteUnsupported)
      throw new ScimHttpError(405, undefined, 'DELETE is not supported; deactivate the user with PATCH active=false', {
        allow: 'GET, PUT, PATCH',
      });
    const old = this.userOr404(id);
    this.checkIfMatch(req, old.version);
    if (q.deleteDeactivates) {
      if (old.data.active !== false) this.store.writeUser(id, { ...old.data, active: false });
      return this.noContent();
    }
    this.store.removeUser(id);
    return this.noContent();
  }

  // ------------------------------------------------------------------ groups

  private groupOr404(id: string): GroupRecord {
    const g = this.store.findGroup(id);
    if (!g) throw this.notFoundError('Group', id);
    return g;
  }

  private membersDelay(g: GroupRecord): number {
    return this.quirks.groupMembersAlwaysEmpty ? 0 : (g.members.size / 1000) * this.quirks.groupMemberLatencyMsPer1000;
  }

  getGroup(id: string, req: IncomingMessage, attrs: Attrs): Reply {
    const g = this.groupOr404(id);
    const unchanged = this.notModified(req, g.version);
    if (unchanged) return unchanged;
    const reply = this.resourceReply(200, renderGroup(g, this.style()), g.version, attrs, {}, 'Group');
    if (!/members/i.test(attrs.excluded ?? '')) reply.delayMs = this.membersDelay(g);
    return reply;
  }

  /** Resolves member ids; ids already in the group pass unchecked (they were accepted earlier). */
  private resolveMembers(groupId: string | undefined, list: MemberInput[], existing?: Map<string, MemberRecord>): MemberRecord[] {
    const q = this.quirks;
    const out = new Map<string, MemberRecord>();
    for (const m of list) {
      if (out.has(m.value)) continue;
      const prior = existing?.get(m.value);
      if (prior) {
        out.set(m.value, prior);
        continue;
      }
      if (m.value === groupId) throw invalidValue('A group cannot be a member of itself');
      const found = this.store.describeMember(m.value);
      if (!found) {
        if (q.unknownMembers === 'reject')
          throw invalidValue(`One or more Group members are invalid: no User or Group with id '${m.value}'`);
        out.set(m.value, { value: m.value, type: m.type === 'Group' ? 'Group' : 'User' });
        continue;
      }
      if (found.type === 'Group' && q.rejectNestedGroups) throw invalidValue(`Nested groups are not supported: '${m.value}' is a Group`);
      out.set(m.value, found);
    }
    return [...out.values()];
  }

  private checkMemberLimit(n: number): void {
    const max = this.quirks.maxMembersPerRequest;
    if (max !== null && n > max) throw invalidValue(`Too many member changes in one request: ${n} (at most ${max})`);
  }

  private checkGroupName(data: Obj, selfId?: string): void {
    if (!this.quirks.groupDisplayNameUnique) return;
    const clash = this.store.findGroupIdsByName(data.displayName as string).some((gid) => gid !== selfId);
    if (clash) throw conflict(`Group with displayName '${String(data.displayName)}' already exists`);
  }

  createGroup(body: unknown): Reply {
    const q = this.quirks;
    const { data, members } = normalizeGroup(body, q, true);
    this.checkGroupName(data);
    this.checkMemberLimit(members?.length ?? 0);
    const rec = this.store.insertGroup(data, this.resolveMembers(undefined, members ?? []));
    const resource = renderGroup(rec, this.style());
    const headers: Record<string, string> = {};
    if (!q.noLocationHeader) headers.location = (resource.meta as Obj).location as string;
    return this.resourceReply(201, resource, rec.version, undefined, headers, 'Group');
  }

  replaceGroup(id: string, body: unknown, req: IncomingMessage): Reply {
    const q = this.quirks;
    const old = this.groupOr404(id);
    this.checkIfMatch(req, old.version);
    const parsed = normalizeGroup(body, q, true);
    const data = q.putMode === 'merge' ? { ...old.data, ...parsed.data } : parsed.data;
    this.checkGroupName(data, id);
    let members: MemberRecord[] | undefined;
    if (parsed.members !== undefined) {
      this.checkMemberLimit(parsed.members.length);
      members = this.resolveMembers(id, parsed.members, old.members);
    } else if (q.putMode === 'replace') members = [];
    const rec = this.store.writeGroup(id, data, members);
    return this.resourceReply(200, renderGroup(rec, this.style()), rec.version, undefined, {}, 'Group');
  }

  patchGroup(id: string, body: unknown, req: IncomingMessage, attrs: Attrs): Reply {
    const q = this.quirks;
    const old = this.groupOr404(id);
    this.checkIfMatch(req, old.version);
    const ops = parsePatchBody(body);
    this.checkMemberLimit(countMemberChanges(ops));
    const delta = memberOnlyDelta(ops);
    let changed: boolean;
    if (delta) {
      normalizeMembers(delta.add, q);
      const toAdd = this.resolveMembers(
        id,
        delta.add.filter((m) => !old.members.has(m.value)),
      );
      const toRemove = delta.remove.filter((m) => old.members.has(m));
      changed = toAdd.length > 0 || toRemove.length > 0;
      if (toAdd.length > 0) this.store.addMembers(id, toAdd);
      if (toRemove.length > 0) this.store.removeMembers(id, toRemove);
    } else {
      const doc: Obj = { ...old.data };
      if (old.members.size > 0)
        doc.members = [...old.members.values()].map((m) => ({
          value: m.value,
          type: m.type,
          ...(m.display !== undefined ? { display: m.display } : {}),
        }));
      const next = applyPatch(doc, ops, GROUP_SCHEMAS, q);
      const parsed = normalizeGroup(next, q, false);
      const members = this.resolveMembers(id, parsed.members ?? [], old.members);
      const sameMembers = members.length === old.members.size && members.every((m) => old.members.has(m.value));
      changed = !deepEqual(parsed.data, old.data) || !sameMembers;
      if (changed) {
        if (parsed.data.displayName !== old.data.displayName) this.checkGroupName(parsed.data, id);
        this.store.writeGroup(id, parsed.data, sameMembers ? undefined : members);
      }
    }
    const rec = this.groupOr404(id);
    const reply = this.patchReply(changed, renderGroup(rec, this.style()), rec.version, attrs, 'Group');
    if (reply.body !== undefined && !/members/i.test(attrs.excluded ?? '')) reply.delayMs = this.membersDelay(rec);
    return reply;
  }

  deleteGroup(id: string, req: IncomingMessage): Reply {
    const old = this.groupOr404(id);
    this.checkIfMatch(req, old.version);
    this.store.removeGroup(id);
    return this.noContent();
  }
}
