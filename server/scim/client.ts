// ScimClient: SCIM operations over the transport. Resource URLs are always the configured base
// plus the encoded id (T9, C2), never meta.location; answers are parsed tolerantly; writes are
// strict. One client per integration target; close() stops everything it started.
import pkg from '../../package.json' with { type: 'json' };
import { OAuthClientCredentials, staticAuth, type AuthProvider } from './auth.ts';
import {
  checkHeaders,
  resourcePath,
  type CallOptions,
  type ListGroupsOptions,
  type ListOptions,
  type ScimClientOptions,
  type ScimCompat,
  type ScimPagingDefaults,
  type WriteOptions,
} from './client-options.ts';
import { ScimClientError, ScimError } from './errors.ts';
import { and, filterValue } from './filter.ts';
import { HttpTransport, silentLogger, type HttpRequest, type HttpResponse, type ScimLogger, type TransportMetrics } from './http.ts';
import { RateLimiter, Semaphore } from './limits.ts';
import { lookupUser, type LookupAttribute, type LookupOptions, type LookupResult } from './lookup.ts';
import type { PageRequest } from './pager.ts';
import { ScimListing } from './paging.ts';
import * as parsing from './parse.ts';
import { buildMemberPatches } from './patch.ts';
import { bodyOf, createResource, getResource, patchResource, replaceResource, type ResourceContext } from './resources.ts';
import { DEFAULT_RETRY } from './retry.ts';
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
import { normalizeBaseUrl, STRICT_NETWORK } from './url-safety.ts';

export const SCIM_USER_AGENT = `Roster-SCIM/${pkg.version}`;

export class ScimClient {
  readonly baseUrl: string;
  readonly rateLimiter?: RateLimiter;
  readonly semaphore: Semaphore;
  readonly #http: HttpTransport;
  readonly #auth: AuthProvider;
  readonly #logger: ScimLogger;
  readonly #paging: ScimPagingDefaults;
  readonly #compat: ScimCompat;
  readonly #resources: ResourceContext;
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
    this.#resources = { send: (req) => this.#send(req), baseUrl: this.baseUrl, compat: this.#compat };
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
    const spc = parsing.parseServiceProviderConfig(bodyOf(res, 'service provider configuration'));
    this.#spc = Promise.resolve(spc);
    return spc;
  }

  async getResourceTypes(options: CallOptions = {}): Promise<ScimResourceType[]> {
    const res = await this.#send({ method: 'GET', path: '/ResourceTypes', signal: options.signal });
    return parsing.parseListOrArray(bodyOf(res, 'resource type list'), parsing.parseResourceType);
  }

  async getSchemas(options: CallOptions = {}): Promise<ScimSchema[]> {
    const res = await this.#send({ method: 'GET', path: '/Schemas', signal: options.signal });
    return parsing.parseListOrArray(bodyOf(res, 'schema list'), parsing.parseSchema);
  }

  // ---- lists -------------------------------------------------------------------------------

  listUsers(options: ListOptions = {}): ScimListing<ScimUser> {
    return this.#listing('Users', parsing.parseUser, options);
  }

  listGroups(options: ListGroupsOptions = {}): ScimListing<ScimGroup> {
    const excluded = options.includeMembers ? options.excludedAttributes : [...new Set([...(options.excludedAttributes ?? []), 'members'])];
    return this.#listing('Groups', parsing.parseGroup, { ...options, excludedAttributes: excluded?.length ? excluded : undefined });
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
      parallelPages: this.#parallelPages(options.parallelPages ?? paging.parallelPages),
    });
  }

  /** Pages requested at once: what was asked for, within the concurrency every request of this client shares. */
  #parallelPages(asked: number | undefined): number {
    if (asked !== undefined && !(Number.isInteger(asked) && asked >= 1)) {
      throw new ScimClientError('INVALID_ARGUMENT', 'parallelPages must be a whole number of at least 1.');
    }
    return Math.min(asked ?? this.semaphore.max, this.semaphore.max);
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
    return parsing.parseListResponse(bodyOf(res, 'list response'), parse);
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
    return getResource(this.#resources, 'Users', id, parsing.parseUser, options);
  }

  getGroup(id: string, options: CallOptions = {}): Promise<ScimGroup> {
    return getResource(this.#resources, 'Groups', id, parsing.parseGroup, options);
  }

  createUser(user: ScimUser, options: CallOptions = {}): Promise<ScimUser> {
    return createResource(this.#resources, 'Users', user, parsing.parseUser, options);
  }

  createGroup(group: ScimGroup, options: CallOptions = {}): Promise<ScimGroup> {
    return createResource(this.#resources, 'Groups', group, parsing.parseGroup, options);
  }

  replaceUser(id: string, user: ScimUser, options: WriteOptions = {}): Promise<ScimUser> {
    return replaceResource(this.#resources, 'Users', id, user, parsing.parseUser, options);
  }

  replaceGroup(id: string, group: ScimGroup, options: WriteOptions = {}): Promise<ScimGroup> {
    return replaceResource(this.#resources, 'Groups', id, group, parsing.parseGroup, options);
  }

  /** PATCH; resolves to the resource when the server returned it (or `returnResource`), else undefined (C5). */
  patchUser(id: string, operations: PatchOperation[] | ScimPatchOp, options: WriteOptions = {}): Promise<ScimUser | undefined> {
    return patchResource(this.#resources, 'Users', id, operations, parsing.parseUser, options);
  }

  patchGroup(id: string, operations: PatchOperation[] | ScimPatchOp, options: WriteOptions = {}): Promise<ScimGroup | undefined> {
    return patchResource(this.#resources, 'Groups', id, operations, parsing.parseGroup, options);
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
          this.#listPage('Users', parsing.parseUser, { mode: 'index', startIndex: 1, count: 10 }, { filter }, signal, {
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
