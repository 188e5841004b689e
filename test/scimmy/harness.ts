/**
 * A third-party SCIM 2.0 service provider for interop tests: npm `scimmy` 1.3.5 (resource types,
 * schemas, filters, PatchOp, ListResponse) behind `scimmy-routers` 1.3.2 (the express endpoints),
 * with a small in-memory backend for Users and Groups and bearer auth, on 127.0.0.1.
 *
 *   const peer = await startScimmyServer({ users: 250 });
 *   const client = new ScimClient({ baseUrl: peer.baseUrl, auth: { type: 'bearer', token: peer.token } });
 *   ...
 *   await peer.stop();
 *
 * The backend does what scimmy expects of a host (see its Resource egress/ingress/degress docs):
 * egress returns the one resource asked for, or every resource matching `resource.filter`
 * (filtered with scimmy's own Filter.match); scimmy sorts and cuts the page itself from
 * `resource.constraints` (startIndex/count). Ingress stores what scimmy validated, enforces the
 * uniqueness and referential integrity scimmy leaves to the host, and returns the stored
 * resource; degress removes it (and its memberships).
 *
 * What scimmy 1.3.5 does oddly, all of it seen here and in fixtures/scim/recorded/scimmy-1.3.5
 * (ids from SCIM-QUIRKS.md):
 * - P2: 20 resources per page when `count` is left out.
 * - P4: a `startIndex` past the end answers page 1 again (ListResponse only slices when the
 *   start is inside the list; scimmy PR #102).
 * - P11: `itemsPerPage` echoes the requested `count`, not the page length (scimmy#101).
 * - P12: `count=0` answers totalResults with no resources (RFC); `count=abc` is ignored.
 * - F3: `eq` compares values case-sensitively, `userName` included (caseExact is ignored), so
 *   `userName eq "ada@example.com"` misses `Ada@Example.com` although a create with that name
 *   gets a 409 here. Attribute names and operators are case-insensitive.
 * - F5: filters on extension attributes (`urn:…:enterprise:2.0:User:department eq "Sales"`) and
 *   on unknown attributes match nothing (200, empty list) instead of 400 invalidFilter.
 * - C1: POST answers 201 without a `Location` header (the routers never set one).
 * - C5: a PATCH that changes nothing answers 204 with no body; otherwise 200 with the resource.
 * - C7: PUT replaces: attributes left out are cleared.
 * - C8/C9: string booleans (`"true"`) and non-canonical `type` values (emails `office`) are 400
 *   invalidValue; only work/home/other (and mobile/fax/pager for phones) pass.
 * - T13: `attributes=` projections drop `schemas` and `meta` (only `id` and the asked-for
 *   attributes come back).
 * - meta.location is relative (`/scim/v2/Users/<id>`, the id not URL-encoded) unless the host
 *   configures `baseUri`; this harness leaves the default, so clients must not build URLs from it.
 * - No ServiceProviderConfig `pagination` (RFC 9865) and no cursor support: index paging only.
 * - 5xx answers are also passed to express's next(); this harness swallows them so the test log
 *   stays quiet. Responses carry express's weak body-hash ETag, unrelated to meta.version.
 * - Express answers 404 with an HTML page for paths outside the mount point.
 *
 * scimmy keeps its declared resource types in a process-wide singleton, so the handlers are
 * declared once per process and find their data through the routers' per-request `context`:
 * several harness servers in one process each keep their own store.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';
import { closeServer } from '../scim-fixtures.ts';

type Obj = Record<string, unknown>;

export interface ScimmyServerOptions {
  /** Seeded users (default 0). Every 23rd has a mixed-case userName (for F3). */
  users?: number;
  /** Seeded groups (default 0), each with a few seeded users as members. */
  groups?: number;
  /** Bearer token (default: a random one). */
  token?: string;
}

export interface RunningScimmyServer {
  /** `http://127.0.0.1:<port>/scim/v2` */
  baseUrl: string;
  token: string;
  /** The backend's data, for assertions (SCIM-shaped copies, without meta). */
  store: ScimmyStore;
  stop(): Promise<void>;
}

interface StoredResource {
  id: string;
  data: Obj;
  created: string;
  lastModified: string;
  version: number;
}

const BASE_PATH = '/scim/v2';

/** scimmy's own error type, so its routers answer with the status and scimType (null = none). */
function scimError(status: number, scimType: string | null, detail: string): Error {
  return new SCIMMY.Types.Error(status, scimType as string, detail);
}

/** scimmy hands schema instances with accessors; a JSON round trip makes them plain data. */
function plain(value: unknown): Obj {
  return JSON.parse(JSON.stringify(value ?? {})) as Obj;
}

class ScimmyStore {
  readonly users = new Map<string, StoredResource>();
  readonly groups = new Map<string, StoredResource>();
  #clock = Date.UTC(2024, 0, 1);

  /** Deterministic, strictly increasing timestamps (one second apart, like the recorded host). */
  #now(): string {
    this.#clock += 1000;
    return new Date(this.#clock).toISOString();
  }

  userIds(): string[] {
    return [...this.users.keys()];
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  user(id: string): Obj | undefined {
    const rec = this.users.get(id);
    return rec && { id, ...structuredClone(rec.data) };
  }

  group(id: string): Obj | undefined {
    const rec = this.groups.get(id);
    return rec && { id, ...structuredClone(rec.data) };
  }

  memberIds(groupId: string): string[] {
    const members = this.groups.get(groupId)?.data.members;
    return Array.isArray(members) ? members.map((m) => String((m as Obj).value)) : [];
  }

  // ---- users

  renderUser(rec: StoredResource): Obj {
    const groups = [...this.groups.values()]
      .filter((g) => this.memberIds(g.id).includes(rec.id))
      .map((g) => ({ value: g.id, display: g.data.displayName, type: 'direct' }));
    return {
      ...structuredClone(rec.data),
      id: rec.id,
      ...(groups.length ? { groups } : {}),
      meta: { resourceType: 'User', created: rec.created, lastModified: rec.lastModified, version: `W/"${rec.version}"` },
    };
  }

  #checkUserName(data: Obj, selfId?: string): void {
    const userName = typeof data.userName === 'string' ? data.userName.toLowerCase() : undefined;
    if (userName === undefined) return;
    for (const rec of this.users.values()) {
      if (rec.id !== selfId && String(rec.data.userName).toLowerCase() === userName) {
        throw scimError(409, 'uniqueness', `userName ${String(data.userName)} already exists`);
      }
    }
  }

  saveUser(id: string | undefined, input: Obj): Obj {
    const { id: _id, meta: _meta, groups: _groups, ...data } = input;
    this.#checkUserName(data, id);
    return this.renderUser(this.#save(this.users, id, data));
  }

  deleteUser(id: string): void {
    this.#delete(this.users, id);
  }

  /** Creates (no id) or replaces the data of a resource in `map`; an unknown id is a 404. */
  #save(map: Map<string, StoredResource>, id: string | undefined, data: Obj): StoredResource {
    const now = this.#now();
    if (id === undefined) {
      const rec: StoredResource = { id: randomUUID(), data, created: now, lastModified: now, version: 1 };
      map.set(rec.id, rec);
      return rec;
    }
    const rec = map.get(id);
    if (!rec) throw scimError(404, null, `Resource ${id} not found`);
    Object.assign(rec, { data, lastModified: now, version: rec.version + 1 });
    return rec;
  }

  /** Deletes a resource from `map` and from the members of every group; an unknown id is a 404. */
  #delete(map: Map<string, StoredResource>, id: string): void {
    if (!map.delete(id)) throw scimError(404, null, `Resource ${id} not found`);
    for (const g of this.groups.values()) {
      if (this.memberIds(g.id).includes(id)) g.data.members = (g.data.members as Obj[]).filter((m) => m.value !== id);
    }
  }

  // ---- groups

  renderGroup(rec: StoredResource): Obj {
    const members = (Array.isArray(rec.data.members) ? (rec.data.members as Obj[]) : []).map((m) => {
      const value = String(m.value);
      const user = this.users.get(value);
      const group = this.groups.get(value);
      const display = user ? (user.data.displayName ?? user.data.userName) : group?.data.displayName;
      return { value, ...(display !== undefined ? { display } : {}), type: user ? 'User' : 'Group' };
    });
    return {
      ...structuredClone(rec.data),
      id: rec.id,
      members,
      meta: { resourceType: 'Group', created: rec.created, lastModified: rec.lastModified, version: `W/"${rec.version}"` },
    };
  }

  saveGroup(id: string | undefined, input: Obj): Obj {
    const { id: _id, meta: _meta, ...data } = input;
    // Referential integrity is the host's job in scimmy; the recorded host refused unknown ids.
    const members = Array.isArray(data.members) ? (data.members as Obj[]) : [];
    const unique = new Map<string, Obj>();
    for (const m of members) {
      const value = String(m.value);
      if (value === id) throw scimError(400, 'invalidValue', 'a group cannot be a member of itself');
      if (!this.users.has(value) && !this.groups.has(value)) throw scimError(400, 'invalidValue', `member ${value} does not exist`);
      unique.set(value, { value });
    }
    data.members = [...unique.values()];
    return this.renderGroup(this.#save(this.groups, id, data));
  }

  deleteGroup(id: string): void {
    this.#delete(this.groups, id);
  }

  // ---- seed

  seed(users: number, groups: number): void {
    const first = ['Hana', 'Lee', 'Zoë', 'José', 'Łukasz', 'Søren', "O'Brien", 'Amara', 'Ken', 'Priya'];
    const last = ['Walters', 'Nowak', 'Müller', 'García', 'Gupta', 'van der Berg', 'Nguyễn', 'Okafor', 'Tanaka', 'Smith'];
    for (let i = 0; i < users; i++) {
      const given = first[i % first.length];
      const family = last[Math.floor(i / first.length) % last.length];
      const local = `${given}.${family}${i}`
        .normalize('NFD')
        .replace(/[^A-Za-z0-9.]/g, '')
        .toLowerCase();
      const userName = i % 23 === 5 ? `${local[0].toUpperCase()}${local.slice(1)}@Example.test` : `${local}@example.test`;
      this.saveUser(undefined, {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
        externalId: `EXT-${100000 + i}`,
        userName,
        name: { givenName: given, familyName: family, formatted: `${given} ${family}` },
        displayName: `${given} ${family}`,
        title: ['Analyst', 'Engineer', 'Manager'][i % 3],
        active: i % 12 !== 7,
        emails: [{ value: userName.toLowerCase(), type: 'work', primary: true }],
        ...(i % 2 ? { phoneNumbers: [{ value: `+1-555-${1000 + i}`, type: 'work' }] } : {}),
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
          employeeNumber: String(1000 + i),
          department: ['Sales', 'Research'][i % 2],
        },
      });
    }
    const ids = this.userIds();
    for (let g = 0; g < groups; g++) {
      const members = ids
        .filter((_, i) => i % (groups + 1) === g)
        .slice(0, 12)
        .map((value) => ({ value }));
      this.saveGroup(undefined, {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        externalId: `GRP-${g}`,
        displayName: `Group ${g}`,
        members,
      });
    }
  }
}

// ---- scimmy resource handlers (declared once per process, data from the request context)

type ResourceLike = { id?: string; filter?: { match(values: Obj[]): Obj[] } };

function storeOf(ctx: unknown): ScimmyStore {
  if (!(ctx instanceof ScimmyStore)) throw scimError(500, null, 'No store in the request context');
  return ctx;
}

function listOrOne(resource: ResourceLike, records: Map<string, StoredResource>, render: (r: StoredResource) => Obj): Obj | Obj[] {
  if (resource.id !== undefined) {
    const rec = records.get(resource.id);
    if (!rec) throw scimError(404, null, `Resource ${resource.id} not found`);
    return render(rec);
  }
  const all = [...records.values()].map(render);
  return resource.filter ? resource.filter.match(all) : all;
}

let declared = false;

function declareResources(): void {
  if (declared) return;
  declared = true;
  // The generic handler types of scimmy's .d.ts don't fit a plain store; the shapes are checked at runtime.
  const Resources = SCIMMY.Resources as unknown as { declare(resource: unknown, config: Obj): unknown };
  Resources.declare(SCIMMY.Resources.User, {
    extensions: [{ schema: SCIMMY.Schemas.EnterpriseUser, required: false }],
    egress: (resource: ResourceLike, ctx: unknown) => {
      const store = storeOf(ctx);
      return listOrOne(resource, store.users, (r) => store.renderUser(r));
    },
    ingress: (resource: ResourceLike, instance: unknown, ctx: unknown) => storeOf(ctx).saveUser(resource.id, plain(instance)),
    degress: (resource: ResourceLike, ctx: unknown) => storeOf(ctx).deleteUser(resource.id as string),
  });
  Resources.declare(SCIMMY.Resources.Group, {
    egress: (resource: ResourceLike, ctx: unknown) => {
      const store = storeOf(ctx);
      return listOrOne(resource, store.groups, (r) => store.renderGroup(r));
    },
    ingress: (resource: ResourceLike, instance: unknown, ctx: unknown) => storeOf(ctx).saveGroup(resource.id, plain(instance)),
    degress: (resource: ResourceLike, ctx: unknown) => storeOf(ctx).deleteGroup(resource.id as string),
  });
}

export async function startScimmyServer(options: ScimmyServerOptions = {}): Promise<RunningScimmyServer> {
  declareResources();
  const token = options.token ?? `scimmy-${randomUUID()}`;
  const store = new ScimmyStore();
  store.seed(options.users ?? 0, options.groups ?? 0);

  const app = express();
  app.disable('x-powered-by');
  app.use(
    BASE_PATH,
    new SCIMMYRouters({
      type: 'bearer',
      docUri: 'https://example.com/roster/scimmy-interop',
      handler: (req: Request) => {
        if (req.header('authorization') !== `Bearer ${token}`) throw new Error('Authorization failed');
        return 'interop-client';
      },
      context: () => store,
    }) as unknown as express.Router,
  );
  // scimmy-routers has already answered; this only keeps express from logging 5xx stack traces.
  app.use((_err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!res.headersSent) next(_err);
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${BASE_PATH}`,
    token,
    store,
    stop: () => closeServer(server),
  };
}
