// What a ScimClient is made with and what its calls take, and the checks on what an admin
// configured (extra headers) or a caller passed (resource ids).
import { ScimClientError } from './errors.ts';
import type { PagingMode } from './pager.ts';
import type { RateLimiter, RateLimitOptions, Semaphore } from './limits.ts';
import type { ScimLogger } from './http.ts';
import type { RetryOptions } from './retry.ts';
import type { NetworkPolicy, ResolveFunction } from './url-safety.ts';
import type { ScimAuth } from './auth.ts';

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
  /**
   * Index pages requested at once after the first one (paging-parallel.ts). Default: the client's
   * concurrency; never more. 1 reads one page after another.
   */
  parallelPages?: number;
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
  /** Overrides ScimPagingDefaults.parallelPages for this listing. */
  parallelPages?: number;
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

export function checkHeaders(headers: Record<string, string> = {}): Record<string, string> {
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

export function idFromLocation(location: string | undefined, base: string): string | undefined {
  if (!location) return undefined;
  try {
    const last = new URL(location, base).pathname.split('/').filter(Boolean).pop();
    return last ? decodeURIComponent(last) : undefined;
  } catch {
    return undefined;
  }
}
