// ScimClient: SCIM operations over the transport. Resource URLs are always the configured base
// plus the encoded id (T9, C2), never meta.location; answers are parsed tolerantly; writes are
// strict. One client per integration target; close() stops everything it started.
import pkg from '../../package.json' with { type: 'json' };
import { OAuthClientCredentials, staticAuth, type AuthProvider, type ScimAuth } from './auth.ts';
import { ScimClientError, ScimError } from './errors.ts';
import { HttpTransport, silentLogger, type HttpRequest, type HttpResponse, type ScimLogger, type TransportMetrics } from './http.ts';
import { RateLimiter, Semaphore, type RateLimitOptions } from './limits.ts';
import { lookupUser, type LookupAttribute, type LookupOptions, type LookupResult } from './lookup.ts';
import { ScimListing, type PageRequest, type PagingMode } from './paging.ts';
import { and, filterValue } from './filter.ts';
import { buildMemberPatches, isIdempotentPatch, patchOp } from './patch.ts';
import {
  parseGroup,
  parseListOrArray,
  parseListResponse,
  parseResourceType,
  parseSchema,
  parseServiceProviderConfig,
  parseUser,
} from './parse.ts';
import { DEFAULT_RETRY, type RetryOptions } from './retry.ts';
import type {
  PatchOperation,
  ScimGroup,
  ScimListResponse,
  ScimPatchOp,
  ScimResourceType,
  ScimSchema,
  ScimUser,
  ServiceProviderConfig,
} from './types.ts';
import { type NetworkPolicy, normalizeBaseUrl, type ResolveFunction, STRICT_NETWORK } from './url-safety.ts';

export const SCIM_USER_AGENT = `Roster-SCIM/${pkg.version}`;

export interface ScimCompat {
  /** Member changes per PATCH (G1). Default 100. */
  memberChunkSize?: number;
  /** How members are removed: RFC value filter (default) or Entra-style value list. */
  memberRemoveStyle?: 'filter' | 'value';
  /** Send DELETE without Accept (T5). Also learnt automatically after a 400. */
  deleteWithoutAccept?: boolean;
  /** The server answers 400 for an unknown id (T6): treat it as 404 on GET by id. */
  notFoundOn400?: boolean;
}

export interface ScimPagingDefaults {
  pageSize?: number;
  mode?: 'auto' | PagingMode;
  maxPages?: number;
  maxResources?: number;
  deadlineMs?: number;
  /** Read ServiceProviderConfig once to learn cursor support and max page size. Default true. */
  discover?: boolean;
}

export interface ScimClientOptions {
  baseUrl: string;
  auth: ScimAuth;
  /** Extra headers sent on every request (never Authorization). Their values are redacted. */
  headers?: Record<string, string>;
  /** Whole attempt, connect to last body byte (also against slow-drip bodies). Default 30 s. */
  timeoutMs?: number;
  /** Default 16 MiB. */
  maxResponseBytes?: number;
  /** Token bucket, or a shared RateLimiter; null for none. Default 10/s, burst 20. */
  rateLimit?: RateLimitOptions | RateLimiter | null;
  /** Parallel requests, or a shared Semaphore. Default 4 (R3). */
  concurrency?: number | Semaphore;
  retries?: Partial<RetryOptions>;
  /** What the operator lets the client reach (private addresses, plain http); STRICT_NETWORK when left out. */
  network?: NetworkPolicy;
  /** Plain http to any allowed address, where the network policy allows http at all. */
  allowInsecureHttp?: boolean;
  userAgent?: string;
  logger?: ScimLogger;
  paging?: ScimPagingDefaults;
  compat?: ScimCompat;
  /** DNS resolver for connections (split-horizon DNS, tests). Addresses are still checked. */
  resolve?: ResolveFunction;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface ListOptions extends CallOptions {
  filter?: string;
  attributes?: string[];
  excludedAttributes?: string[];
  sortBy?: string;
  sortOrder?: 'ascending' | 'descending';
  pageSize?: number;
  mode?: 'auto' | PagingMode;
  maxPages?: number;
  maxResources?: number;
  deadlineMs?: number;
}

export interface ListGroupsOptions extends ListOptions {
  /** Members are left out of group lists by default (P18); fetch a group for its members. */
  includeMembers?: boolean;
}

export interface WriteOptions extends CallOptions {
  /** After a 204 (C5) or an answer without the resource, GET it. */
  returnResource?: boolean;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED_HEADERS = new Set(['authorization', 'host', 'content-length', 'transfer-encoding', 'connection', 'content-type', 'accept']);

function checkHeaders(headers: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new ScimClientError('INVALID_CONFIG', `The header "${name.slice(0, 40)}" cannot be configured.`);
    }
    if (typeof value !== 'string' || /[\r\n\0]/.test(value))
      throw new ScimClientError('INVALID_CONFIG', `The header "${name}" has an invalid value.`);
    out[name.toLowerCase()] = value;
  }
  return out;
}

/** `/Users/<id>` with the id percent-encoded; ids are opaque strings (T9). */
export function resourcePath(endpoint: 'Users' | 'Groups', id: string): string {
  if (typeof id !== 'string' || id === '') throw new ScimClientError('INVALID_ARGUMENT', 'A resource id is required.');
  // Dot segments would be resolved away by URL handling and address another resource.
  if (/^(\.|%2e){1,2}$/i.test(id)) throw new ScimClientError('INVALID_ARGUMENT', 'The resource id is not usable in a URL.');
  return `/${endpoint}/${encodeURIComponent(id)}`;
}

function idFromLocation(location: string | undefined, base: string): string | undefined {
  if (!location) return undefined;
  try {
    const last = new URL(location, base).pathname.split('/').filter(Boolean).pop();
    return last ? decodeURIComponent(last) : undefined;
  } catch {
    return undefined;
  }
}

export class ScimClient {
  readonly baseUrl: string;
  readonly rateLimiter?: RateLimiter;
  readonly semaphore: Semaphore;
  readonly #http: HttpTransport;
  readonly #auth: AuthProvider;
  readonly #logger: ScimLogger;
  readonly #paging: ScimPagingDefaults;
  readonly #compat: ScimCompat;
  #deleteWithoutAccept: boolean;
  #spc: Promise<ServiceProviderConfig | null> | undefined;

  constructor(options: ScimClientOptions) {
    const policy = { allowInsecureHttp: options.allowInsecureHttp === true, network: options.network ?? STRICT_NETWORK };
    const base = normalizeBaseUrl(options.baseUrl, policy);
    this.baseUrl = base.href.replace(/\/$/, '');
    this.#logger = options.logger ?? silentLogger;
    this.#paging = options.paging ?? {};
    this.#compat = options.compat ?? {};
    this.#deleteWithoutAccept = this.#compat.deleteWithoutAccept === true;
    const rate = options.rateLimit === undefined ? { requestsPerSecond: 10, burst: 20 } : options.rateLimit;
    this.rateLimiter = rate === null ? undefined : rate instanceof RateLimiter ? rate : new RateLimiter(rate);
    const concurrency = options.concurrency ?? 4;
    this.semaphore = concurrency instanceof Semaphore ? concurrency : new Semaphore(concurrency);
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (!(timeoutMs > 0)) throw new ScimClientError('INVALID_CONFIG', 'timeoutMs must be greater than 0.');
    const auth = options.auth;
    if (!auth || typeof auth !== 'object') throw new ScimClientError('INVALID_CONFIG', 'Credentials are required.');
    if (auth.type === 'oauth2_client_credentials') {
      const tokenUrl = normalizeBaseUrl(auth.tokenUrl, policy, 'OAuth token URL', true);
      this.#auth = new OAuthClientCredentials(auth, tokenUrl, (url, form, headers) => this.#postToken(url, form, headers));
    } else if (auth.type === 'bearer' || auth.type === 'basic') {
      this.#auth = staticAuth(auth);
    } else {
      throw new ScimClientError('INVALID_CONFIG', 'Unknown authentication type.');
    }
    this.#http = new HttpTransport({
      baseUrl: base,
      auth: this.#auth,
      headers: checkHeaders(options.headers),
      timeoutMs,
      maxResponseBytes: options.maxResponseBytes ?? 16 * 1024 * 1024,
      retry: { ...DEFAULT_RETRY, ...options.retries },
      rateLimiter: this.rateLimiter,
      semaphore: this.semaphore,
      userAgent: options.userAgent ?? SCIM_USER_AGENT,
      logger: this.#logger,
      allowInsecureHttp: policy.allowInsecureHttp,
      network: policy.network,
      resolve: options.resolve,
    });
  }

  /** Stops every wait and request of this client and closes its connections. */
  close(): Promise<void> {
    return this.#http.close();
  }

  /** Request counters so far (attempts, retries, statuses, failures by code). */
  get metrics(): TransportMetrics {
    return structuredClone(this.#http.metrics);
  }

  /** Removes this client's credentials from a text (for callers logging server output). */
  redact(text: string): string {
    return this.#http.redact(text);
  }

  // ---- discovery ---------------------------------------------------------------------------

  async getServiceProviderConfig(options: CallOptions = {}): Promise<ServiceProviderConfig> {
    let res: HttpResponse;
    try {
      res = await this.#send({ method: 'GET', path: '/ServiceProviderConfig', signal: options.signal });
    } catch (err) {
      // SCIM 1.1 servers (Slack v1) use the plural.
      if (!(err instanceof ScimError) || err.status !== 404) throw err;
      res = await this.#send({ method: 'GET', path: '/ServiceProviderConfigs', signal: options.signal });
    }
    const spc = parseServiceProviderConfig(this.#json(res, 'service provider configuration'));
    this.#spc = Promise.resolve(spc);
    return spc;
  }

  async getResourceTypes(options: CallOptions = {}): Promise<ScimResourceType[]> {
    const res = await this.#send({ method: 'GET', path: '/ResourceTypes', signal: options.signal });
    return parseListOrArray(this.#json(res, 'resource type list'), parseResourceType);
  }

  async getSchemas(options: CallOptions = {}): Promise<ScimSchema[]> {
    const res = await this.#send({ method: 'GET', path: '/Schemas', signal: options.signal });
    return parseListOrArray(this.#json(res, 'schema list'), parseSchema);
  }

  // ---- lists -------------------------------------------------------------------------------

  listUsers(options: ListOptions = {}): ScimListing<ScimUser> {
    return this.#listing('Users', parseUser, options);
  }

  listGroups(options: ListGroupsOptions = {}): ScimListing<ScimGroup> {
    const excluded = options.includeMembers ? options.excludedAttributes : [...new Set([...(options.excludedAttributes ?? []), 'members'])];
    return this.#listing('Groups', parseGroup, { ...options, excludedAttributes: excluded?.length ? excluded : undefined });
  }

  #listing<T extends { id?: string }>(endpoint: 'Users' | 'Groups', parse: (raw: unknown) => T, options: ListOptions): ScimListing<T> {
    let excluded = options.excludedAttributes;
    let pagesOk = 0;
    const fetchPage = async (page: PageRequest, signal?: AbortSignal): Promise<ScimListResponse<T>> => {
      try {
        const list = await this.#listPage(endpoint, parse, page, { ...options, excludedAttributes: excluded }, signal);
        pagesOk++;
        return list;
      } catch (err) {
        // Servers without excludedAttributes (AWS) refuse it: list once more without (P18).
        if (pagesOk > 0 || !excluded?.length || !(err instanceof ScimError) || err.status !== 400 || err.scimType === 'invalidFilter')
          throw err;
        this.#logger.info('SCIM server refused excludedAttributes; listing without it', { endpoint });
        excluded = undefined;
        const list = await this.#listPage(endpoint, parse, page, { ...options, excludedAttributes: undefined }, signal);
        pagesOk++;
        return list;
      }
    };
    const paging = this.#paging;
    return new ScimListing<T>(fetchPage, {
      pageSize: options.pageSize ?? paging.pageSize,
      mode: options.mode ?? paging.mode,
      maxPages: options.maxPages ?? paging.maxPages,
      maxResources: options.maxResources ?? paging.maxResources,
      deadlineMs: options.deadlineMs ?? paging.deadlineMs,
      signal: options.signal,
      logger: this.#logger,
      prepare: paging.discover === false ? undefined : (signal) => this.#pagingHints(signal),
    });
  }

  async #listPage<T>(
    endpoint: 'Users' | 'Groups',
    parse: (raw: unknown) => T,
    page: PageRequest,
    options: ListOptions,
    signal?: AbortSignal,
    extra: Partial<HttpRequest> = {},
  ): Promise<ScimListResponse<T>> {
    const keyset = page.mode === 'keyset';
    const afterId = keyset && page.afterId !== undefined ? `id gt ${filterValue(page.afterId)}` : undefined;
    const filter = options.filter && afterId ? and(options.filter, afterId) : (afterId ?? options.filter);
    // The same parameters in the same order on every page; only the position moves (RFC 9865).
    const query: HttpRequest['query'] = [
      ['filter', filter],
      ['startIndex', page.mode === 'cursor' ? undefined : page.startIndex],
      ['cursor', page.mode === 'cursor' ? (page.cursor ?? '') : undefined],
      ['count', page.count],
      ['attributes', options.attributes?.join(',') || undefined],
      ['excludedAttributes', options.excludedAttributes?.join(',') || undefined],
      ['sortBy', keyset ? 'id' : options.sortBy],
      ['sortOrder', keyset ? 'ascending' : options.sortBy ? options.sortOrder : undefined],
    ];
    const res = await this.#send({ method: 'GET', path: `/${endpoint}`, query, signal, ...extra });
    return parseListResponse(this.#json(res, 'list response'), parse);
  }

  async #pagingHints(signal?: AbortSignal): Promise<{ preferCursor?: boolean; maxPageSize?: number }> {
    this.#spc ??= this.getServiceProviderConfig({ signal }).catch((err: unknown) => {
      if (err instanceof ScimClientError && err.code === 'ABORTED') this.#spc = undefined;
      this.#logger.debug('ServiceProviderConfig unavailable; paging without it');
      return null;
    });
    const spc = await this.#spc;
    const p = spc?.pagination;
    if (!p) return {};
    return {
      preferCursor: p.cursor === true && (p.defaultPaginationMethod === 'cursor' || p.index === false),
      maxPageSize: p.maxPageSize && p.maxPageSize > 0 ? p.maxPageSize : undefined,
    };
  }

  // ---- users and groups --------------------------------------------------------------------

  getUser(id: string, options: CallOptions = {}): Promise<ScimUser> {
    return this.#get('Users', id, parseUser, options);
  }

  getGroup(id: string, options: CallOptions = {}): Promise<ScimGroup> {
    return this.#get('Groups', id, parseGroup, options);
  }

  createUser(user: ScimUser, options: CallOptions = {}): Promise<ScimUser> {
    return this.#create('Users', user, parseUser, options);
  }

  createGroup(group: ScimGroup, options: CallOptions = {}): Promise<ScimGroup> {
    return this.#create('Groups', group, parseGroup, options);
  }

  replaceUser(id: string, user: ScimUser, options: WriteOptions = {}): Promise<ScimUser> {
    return this.#replace('Users', id, user, parseUser, options);
  }

  replaceGroup(id: string, group: ScimGroup, options: WriteOptions = {}): Promise<ScimGroup> {
    return this.#replace('Groups', id, group, parseGroup, options);
  }

  /** PATCH; resolves to the resource when the server returned it (or `returnResource`), else undefined (C5). */
  patchUser(id: string, operations: PatchOperation[] | ScimPatchOp, options: WriteOptions = {}): Promise<ScimUser | undefined> {
    return this.#patch('Users', id, operations, parseUser, options);
  }

  patchGroup(id: string, operations: PatchOperation[] | ScimPatchOp, options: WriteOptions = {}): Promise<ScimGroup | undefined> {
    return this.#patch('Groups', id, operations, parseGroup, options);
  }

  deleteUser(id: string, options: CallOptions = {}): Promise<void> {
    return this.#delete('Users', id, options);
  }

  deleteGroup(id: string, options: CallOptions = {}): Promise<void> {
    return this.#delete('Groups', id, options);
  }

  /** Adds members in chunks (G1), add operations only (G2). Resolves to the PATCH count. */
  async addGroupMembers(groupId: string, memberIds: readonly string[], options: CallOptions = {}): Promise<number> {
    return this.#members(groupId, memberIds, [], options);
  }

  async removeGroupMembers(groupId: string, memberIds: readonly string[], options: CallOptions = {}): Promise<number> {
    return this.#members(groupId, [], memberIds, options);
  }

  async #members(groupId: string, add: readonly string[], remove: readonly string[], options: CallOptions): Promise<number> {
    const path = resourcePath('Groups', groupId);
    const patches = buildMemberPatches(add, remove, {
      chunkSize: this.#compat.memberChunkSize,
      removeStyle: this.#compat.memberRemoveStyle,
    });
    for (const body of patches) {
      await this.#send({ method: 'PATCH', path, body, idempotent: true, signal: options.signal });
    }
    return patches.length;
  }

  // ---- lookups -----------------------------------------------------------------------------

  lookupUser(attribute: LookupAttribute, value: string, options: LookupOptions = {}): Promise<LookupResult> {
    return lookupUser(
      {
        query: (filter, signal) =>
          this.#listPage('Users', parseUser, { mode: 'index', startIndex: 1, count: 10 }, { filter }, signal, {
            retryInternalErrors: false,
          }),
        scan: (signal) => this.listUsers({ signal }),
      },
      attribute,
      value,
      options,
    );
  }

  async findUserByUserName(userName: string, options: LookupOptions = {}): Promise<ScimUser | null> {
    return (await this.lookupUser('userName', userName, options)).user;
  }

  async findUserByExternalId(externalId: string, options: LookupOptions = {}): Promise<ScimUser | null> {
    return (await this.lookupUser('externalId', externalId, options)).user;
  }

  async findUserByEmail(email: string, options: LookupOptions = {}): Promise<ScimUser | null> {
    return (await this.lookupUser('email', email, options)).user;
  }

  // ---- internals ---------------------------------------------------------------------------

  #send(req: HttpRequest): Promise<HttpResponse> {
    return this.#http.send(req);
  }

  async #postToken(url: URL, form: Record<string, string>, headers: Record<string, string>) {
    const res = await this.#http.send({ method: 'POST', url, form, headers, authenticate: false, idempotent: true });
    return { status: res.status, json: res.json };
  }

  #json(res: HttpResponse, what: string): unknown {
    if (res.json === undefined) throw new ScimClientError('NOT_SCIM', `The server answered without a ${what}.`, { status: res.status });
    return res.json;
  }

  async #get<T>(endpoint: 'Users' | 'Groups', id: string, parse: (raw: unknown) => T, options: CallOptions): Promise<T> {
    try {
      const res = await this.#send({ method: 'GET', path: resourcePath(endpoint, id), signal: options.signal });
      const what = endpoint === 'Users' ? 'user' : 'group';
      const resource = parse(this.#json(res, what)) as T & { id?: string };
      if (!resource.id)
        throw new ScimClientError('NOT_SCIM', `The server's answer is not a SCIM ${what}: it has no id.`, { status: res.status });
      return resource;
    } catch (err) {
      if (err instanceof ScimError && err.status === 400 && this.#compat.notFoundOn400) {
        throw new ScimError(404, err.scimType, err.detail);
      }
      throw err;
    }
  }

  async #create<T extends { id?: string }>(
    endpoint: 'Users' | 'Groups',
    resource: T,
    parse: (raw: unknown) => T,
    options: CallOptions,
  ): Promise<T> {
    const res = await this.#send({ method: 'POST', path: `/${endpoint}`, body: resource, signal: options.signal });
    if (res.json !== undefined) {
      const created = parse(res.json);
      if (created.id) return created;
    }
    // No id in the body (C1 has the reverse problem): the Location header may still carry it.
    const id = idFromLocation(res.headers.location, this.baseUrl);
    if (id) return this.#get(endpoint, id, parse, options);
    throw new ScimClientError(
      'NOT_SCIM',
      'The server accepted the new resource but did not say its id; look it up before creating it again.',
      {
        outcomeUnknown: true,
        status: res.status,
      },
    );
  }

  async #replace<T extends { id?: string }>(
    endpoint: 'Users' | 'Groups',
    id: string,
    resource: T,
    parse: (raw: unknown) => T,
    options: WriteOptions,
  ): Promise<T> {
    // meta is read-only; unknown extension blocks are kept as they were read (T11).
    const { meta: _meta, ...body } = resource as T & { meta?: unknown };
    const res = await this.#send({ method: 'PUT', path: resourcePath(endpoint, id), body: { ...body, id }, signal: options.signal });
    if (res.json !== undefined) return parse(res.json);
    return this.#get(endpoint, id, parse, options);
  }

  async #patch<T>(
    endpoint: 'Users' | 'Groups',
    id: string,
    operations: PatchOperation[] | ScimPatchOp,
    parse: (raw: unknown) => T,
    options: WriteOptions,
  ): Promise<T | undefined> {
    const body = Array.isArray(operations) ? patchOp(operations) : operations;
    if (!body.Operations.length) return options.returnResource ? this.#get(endpoint, id, parse, options) : undefined;
    const path = resourcePath(endpoint, id);
    const res = await this.#send({ method: 'PATCH', path, body, idempotent: isIdempotentPatch(body.Operations), signal: options.signal });
    if (res.json !== undefined && res.status !== 204) {
      try {
        const parsed = parse(res.json) as T & { id?: string };
        if (parsed.id) return parsed;
      } catch {
        // An odd body on a successful PATCH is not a failure; GET below if asked.
      }
    }
    return options.returnResource ? this.#get(endpoint, id, parse, options) : undefined;
  }

  async #delete(endpoint: 'Users' | 'Groups', id: string, options: CallOptions): Promise<void> {
    const path = resourcePath(endpoint, id);
    try {
      await this.#send({ method: 'DELETE', path, omitAccept: this.#deleteWithoutAccept, signal: options.signal });
    } catch (err) {
      // T5: some servers answer 400 to a DELETE that carries Accept; once more without it.
      if (!(err instanceof ScimError) || err.status !== 400 || this.#deleteWithoutAccept) throw err;
      await this.#send({ method: 'DELETE', path, omitAccept: true, signal: options.signal });
      this.#deleteWithoutAccept = true;
      this.#logger.info('SCIM server needs DELETE without Accept; remembered for this client');
    }
  }
}
