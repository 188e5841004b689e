// The transport: one undici Agent (keep-alive, safe connector) per client, requests throttled by
// the shared semaphore and token bucket, every attempt bounded in time and size, retries with
// backoff and full jitter, redirects refused, error bodies turned into ScimError. It knows
// nothing about SCIM resources; client.ts does.
import { Agent } from 'undici';
import type { AuthProvider } from './auth.ts';
import { isScimErrorBody, parseScimError, redact, ScimClientError } from './errors.ts';
import {
  AttemptTimeout,
  decodeBody,
  discard,
  ERROR_BODY_LIMIT,
  flattenHeaders,
  mapTransportError,
  raceAbort,
  rateLimitedError,
  readBody,
} from './http-response.ts';
import { abortError, type RateLimiter, type Semaphore, sleep } from './limits.ts';
import { isIdempotentMethod, isRetryableStatus, parseRetryAfter, rateLimitPause, retryDelay, type RetryOptions } from './retry.ts';
import { createSafeConnector, describeUrl, type NetworkPolicy, type ResolveFunction } from './url-safety.ts';

export interface ScimLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: ScimLogger = { debug() {}, info() {}, warn() {} };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Path below the base URL, already encoded (`/Users/a%26b`). */
  path?: string;
  /** An absolute URL instead of base + path (the OAuth token endpoint). */
  url?: URL;
  /** Sent in this order; `undefined` values are left out, '' is sent (`cursor=`). */
  query?: Array<[string, string | number | undefined]>;
  body?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Overrides the method's idempotency for retry decisions (a replace-only PATCH is). */
  idempotent?: boolean;
  /** false: a 500 fails at once (a filter a server can't parse, F6), 502/503/504/429 still retry. */
  retryInternalErrors?: boolean;
  /** Leave out Accept (T5: servers refusing DELETE with Accept). */
  omitAccept?: boolean;
  /** false for the token endpoint: no Authorization, no shared throttling. */
  authenticate?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body whatever the Content-Type (T4); undefined when empty or not JSON. */
  json: unknown;
  text: string;
  attempts: number;
}

export interface TransportOptions {
  baseUrl: URL;
  auth: AuthProvider;
  headers: Record<string, string>;
  timeoutMs: number;
  maxResponseBytes: number;
  retry: Required<RetryOptions>;
  rateLimiter?: RateLimiter;
  semaphore: Semaphore;
  userAgent: string;
  logger: ScimLogger;
  allowInsecureHttp: boolean;
  network: NetworkPolicy;
  resolve?: ResolveFunction;
  random?: () => number;
}

/** Counters for observability (tests of quirky servers, diagnostics); never reset. */
export interface TransportMetrics {
  /** HTTP attempts made, retries included. */
  attempts: number;
  /** Waits before another attempt (backoff or Retry-After). */
  retries: number;
  /** Fresh credentials fetched after a 401. */
  authRefreshes: number;
  /** Answers per HTTP status. */
  statuses: Record<number, number>;
  /** Failures without an answer, per ScimClientError code. */
  failures: Record<string, number>;
}

// What an HTTP header value may hold here: printable ASCII and tabs. undici refuses other values
// (UND_ERR_INVALID_ARG) but keeps the connection slot it had taken: a few such requests exhaust the
// pool and every later one hangs, whatever its timeout. So they are never handed to undici.
const SENDABLE_HEADER_VALUE = /^[\t\x20-\x7e]*$/;

/** The configuration error for a header value that cannot be sent (never retried; names no value). */
function checkHeaderValues(headers: Record<string, string>, configured: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (SENDABLE_HEADER_VALUE.test(value)) continue;
    const what =
      name === 'authorization' ? 'The token or credentials' : name in configured ? `The value of the header ${name}` : `The header ${name}`;
    throw new ScimClientError(
      'INVALID_CONFIG',
      `${what} contains characters that cannot be sent in an HTTP header (only printable ASCII): ` +
        "correct it in the integration's configuration.",
    );
  }
}

function buildQuery(query: HttpRequest['query']): string {
  const parts = (query ?? [])
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** One request being sent, with what its retries depend on. */
interface Call {
  req: HttpRequest;
  signal: AbortSignal;
  idempotent: boolean;
  authenticate: boolean;
}

export class HttpTransport {
  readonly #o: TransportOptions;
  readonly #agent: Agent;
  readonly #closed = new AbortController();
  readonly metrics: TransportMetrics = { attempts: 0, retries: 0, authRefreshes: 0, statuses: {}, failures: {} };

  constructor(options: TransportOptions) {
    this.#o = options;
    this.#agent = new Agent({
      connect: createSafeConnector({
        allowInsecureHttp: options.allowInsecureHttp,
        network: options.network,
        resolve: options.resolve,
        connectTimeoutMs: Math.min(10_000, options.timeoutMs),
      }),
      connections: Math.max(options.semaphore.max, 4),
    });
  }

  get closed(): boolean {
    return this.#closed.signal.aborted;
  }

  /** Secrets known now (tokens change), for redaction. */
  secrets(): string[] {
    return [...this.#o.auth.secrets(), ...Object.values(this.#o.headers)];
  }

  redact(text: string): string {
    return redact(text, this.secrets());
  }

  async close(): Promise<void> {
    if (!this.#closed.signal.aborted) this.#closed.abort(new ScimClientError('ABORTED', 'The SCIM client was closed.'));
    await this.#agent.destroy().catch(() => {});
  }

  /** Sends with retries; resolves only with a 2xx, otherwise throws ScimError or ScimClientError. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    // AbortSignal.any holds its sources weakly: the client's long-lived signal collects no listener per request.
    return this.#send(req, req.signal ? AbortSignal.any([req.signal, this.#closed.signal]) : this.#closed.signal);
  }

  async #send(req: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
    const call: Call = {
      req,
      signal,
      idempotent: req.idempotent ?? isIdempotentMethod(req.method),
      authenticate: req.authenticate !== false,
    };
    let refreshedAuth = false;
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw abortError(signal);
      const authHeader = call.authenticate ? await this.#o.auth.header(signal) : undefined;
      const outcome = await this.#throttledAttempt(call, authHeader);
      if (outcome instanceof ScimClientError) {
        await this.#waitAfterFailure(call, outcome, attempt);
        continue;
      }
      outcome.attempts = attempt + 1;
      const pause = rateLimitPause(outcome.headers);
      if (pause !== undefined && call.authenticate) {
        this.#o.rateLimiter?.pauseUntil(Math.min(pause, Date.now() + this.#o.retry.maxRetryAfterMs));
      }
      if (outcome.status >= 200 && outcome.status < 300) {
        if (isScimErrorBody(outcome.json)) throw parseScimError(outcome.status, outcome.json, outcome.text, { secrets: this.secrets() });
        return outcome;
      }
      if (outcome.status === 401 && authHeader && !refreshedAuth && this.#o.auth.invalidate(authHeader)) {
        refreshedAuth = true;
        this.metrics.authRefreshes++;
        attempt--;
        continue;
      }
      await this.#waitAfterStatus(call, outcome, attempt);
    }
  }

  /** One attempt within the shared limits; a ScimClientError is returned, not thrown, for the retry decision. */
  async #throttledAttempt(call: Call, authHeader: string | undefined): Promise<HttpResponse | ScimClientError> {
    let release: (() => void) | undefined;
    try {
      if (call.authenticate) {
        release = await this.#o.semaphore.acquire(call.signal);
        await this.#o.rateLimiter?.acquire(call.signal);
      }
      this.metrics.attempts++;
      const res = await this.#attempt(call.req, authHeader, call.signal, call.idempotent);
      this.metrics.statuses[res.status] = (this.metrics.statuses[res.status] ?? 0) + 1;
      return res;
    } catch (err) {
      if (!(err instanceof ScimClientError)) throw err;
      this.metrics.failures[err.code] = (this.metrics.failures[err.code] ?? 0) + 1;
      return err;
    } finally {
      release?.();
    }
  }

  /** Waits before the next attempt after a failure without an answer, or throws it when it is final. */
  async #waitAfterFailure(call: Call, failure: ScimClientError, attempt: number): Promise<void> {
    const { retry } = this.#o;
    if (failure.code === 'ABORTED' || !failure.retryable || attempt >= retry.max) throw failure;
    if (failure.outcomeUnknown && !call.idempotent) throw failure;
    const delay = retryDelay(attempt, retry, this.#o.random);
    this.metrics.retries++;
    this.#o.logger.warn('SCIM request failed; retrying', {
      method: call.req.method,
      path: this.#logPath(call.req),
      code: failure.code,
      attempt: attempt + 1,
      delayMs: delay,
    });
    await sleep(delay, call.signal);
  }

  /** Waits before the next attempt after an error status (as long as Retry-After asks), or throws the error. */
  async #waitAfterStatus(call: Call, response: HttpResponse, attempt: number): Promise<void> {
    const { retry } = this.#o;
    const { status } = response;
    const error = parseScimError(status, response.json, response.text, { secrets: this.secrets() });
    const retryAfter = parseRetryAfter(response.headers['retry-after']) ?? (status === 429 ? this.#untilReset(response) : undefined);
    error.retryAfterMs = retryAfter;
    const retryable = isRetryableStatus(status, call.idempotent) && !(status === 500 && call.req.retryInternalErrors === false);
    if (retryable && retryAfter !== undefined && retryAfter > retry.maxRetryAfterMs) throw rateLimitedError(status, retryAfter, error);
    if (!retryable || attempt >= retry.max) {
      if (status === 429) throw rateLimitedError(429, retryAfter, error);
      throw error;
    }
    const delay = retryDelay(attempt, retry, this.#o.random, retryAfter);
    if (retryAfter !== undefined && call.authenticate) this.#o.rateLimiter?.pauseUntil(Date.now() + retryAfter);
    this.metrics.retries++;
    this.#o.logger.warn('SCIM server asked to retry', {
      method: call.req.method,
      path: this.#logPath(call.req),
      status,
      attempt: attempt + 1,
      delayMs: delay,
    });
    await sleep(delay, call.signal);
  }

  #untilReset(res: HttpResponse): number | undefined {
    const at = rateLimitPause({ ...res.headers, 'x-rate-limit-remaining': '0' });
    return at === undefined ? undefined : Math.max(0, at - Date.now());
  }

  /** Base path without a trailing slash ('' for a host root), so paths join as `/scim/v2/Users`. */
  get #basePath(): string {
    return this.#o.baseUrl.pathname.replace(/\/+$/, '');
  }

  #target(req: HttpRequest): URL {
    if (req.url) return new URL(req.url);
    return new URL(`${this.#o.baseUrl.origin}${this.#basePath}${req.path ?? ''}`);
  }

  #logPath(req: HttpRequest): string {
    return req.url ? describeUrl(req.url.href) : `${this.#basePath}${req.path ?? ''}`;
  }

  async #attempt(req: HttpRequest, authHeader: string | undefined, signal: AbortSignal, idempotent: boolean): Promise<HttpResponse> {
    const target = this.#target(req);
    const host = target.host;
    // The configured extra headers are for the SCIM service only, never for another URL (the OAuth token endpoint).
    const headers: Record<string, string> = { ...(req.url ? {} : this.#o.headers), 'user-agent': this.#o.userAgent, ...req.headers };
    if (!req.omitAccept) headers.accept = 'application/scim+json, application/json';
    if (authHeader) headers.authorization = authHeader;
    let body: string | undefined;
    if (req.form) {
      body = new URLSearchParams(req.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.accept = 'application/json';
    } else if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/scim+json';
    }
    checkHeaderValues(headers, this.#o.headers);
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new AttemptTimeout()), this.#o.timeoutMs);
    const started = Date.now();
    try {
      const pending = this.#agent.request({
        origin: target.origin,
        path: `${target.pathname}${buildQuery(req.query)}`,
        method: req.method,
        headers,
        body,
        signal: controller.signal,
        headersTimeout: this.#o.timeoutMs,
        bodyTimeout: this.#o.timeoutMs,
      });
      // The attempt ends at its timeout or abort even if undici never settles the request.
      pending.catch(() => {});
      const res = await raceAbort(pending, controller.signal);
      const resHeaders = flattenHeaders(res.headers);
      if (res.statusCode >= 300 && res.statusCode < 400) {
        discard(res.body);
        const where = resHeaders.location ? ` to ${this.redact(describeUrl(resHeaders.location, target))}` : '';
        throw new ScimClientError(
          'REDIRECT_REFUSED',
          `The server at ${host} answered with a redirect${where}. Redirects are not followed; check the configured URL.`,
          { status: res.statusCode },
        );
      }
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      const text = await readBody(res.body, resHeaders, ok ? this.#o.maxResponseBytes : ERROR_BODY_LIMIT, ok, host);
      this.#o.logger.debug('SCIM request', {
        method: req.method,
        path: this.#logPath(req),
        status: res.statusCode,
        ms: Date.now() - started,
      });
      return { status: res.statusCode, headers: resHeaders, ...decodeBody(text, res.statusCode, host), attempts: 1 };
    } catch (err) {
      throw mapTransportError(err, { signal, controller, idempotent, host, timeoutMs: this.#o.timeoutMs });
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }
}
