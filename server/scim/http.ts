// The transport: one undici Agent (keep-alive, safe connector) per client, requests throttled by
// the shared semaphore and token bucket, every attempt bounded in time and size, retries with
// backoff and full jitter, redirects refused, error bodies turned into ScimError. It knows
// nothing about SCIM resources; client.ts does.
import { Agent } from 'undici';
import type { AuthProvider } from './auth.ts';
import { isScimErrorBody, looksLikeHtml, parseScimError, redact, ScimClientError, ScimError } from './errors.ts';
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

const ERROR_BODY_LIMIT = 64 * 1024;
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|HOSTNAME_MISMATCH|ERR_OSSL)/;

class AttemptTimeout extends Error {}

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  return String(e?.code ?? e?.cause?.code ?? '');
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value !== undefined) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Drops a body we won't read; undici reports that as an error nobody needs to hear. */
function discard(body: { on(event: 'error', fn: () => void): unknown; destroy(): void }): void {
  body.on('error', () => {});
  body.destroy();
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
      `${what} contains characters that cannot be sent in an HTTP header (only printable ASCII): correct it in the integration's configuration.`,
    );
  }
}

/** Rejects when `signal` aborts even if `promise` never settles (undici can leave one pending). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function buildQuery(query: HttpRequest['query']): string {
  const parts = (query ?? [])
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
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
    const idempotent = req.idempotent ?? isIdempotentMethod(req.method);
    const authenticate = req.authenticate !== false;
    const { retry, logger } = this.#o;
    let refreshedAuth = false;
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw abortError(signal);
      const authHeader = authenticate ? await this.#o.auth.header(signal) : undefined;
      let release: (() => void) | undefined;
      let res: HttpResponse | undefined;
      let failure: ScimClientError | undefined;
      try {
        if (authenticate) {
          release = await this.#o.semaphore.acquire(signal);
          await this.#o.rateLimiter?.acquire(signal);
        }
        this.metrics.attempts++;
        res = await this.#attempt(req, authHeader, signal, idempotent);
        res.attempts = attempt + 1;
        this.metrics.statuses[res.status] = (this.metrics.statuses[res.status] ?? 0) + 1;
      } catch (err) {
        if (!(err instanceof ScimClientError)) throw err;
        failure = err;
        this.metrics.failures[err.code] = (this.metrics.failures[err.code] ?? 0) + 1;
      } finally {
        release?.();
      }

      if (failure) {
        if (failure.code === 'ABORTED' || !failure.retryable || attempt >= retry.max) throw failure;
        if (failure.outcomeUnknown && !idempotent) throw failure;
        const delay = retryDelay(attempt, retry, this.#o.random);
        this.metrics.retries++;
        logger.warn('SCIM request failed; retrying', {
          method: req.method,
          path: this.#logPath(req),
          code: failure.code,
          attempt: attempt + 1,
          delayMs: delay,
        });
        await sleep(delay, signal);
        continue;
      }

      const response = res as HttpResponse;
      const pause = rateLimitPause(response.headers);
      if (pause !== undefined && authenticate) this.#o.rateLimiter?.pauseUntil(Math.min(pause, Date.now() + retry.maxRetryAfterMs));
      if (response.status >= 200 && response.status < 300) {
        if (isScimErrorBody(response.json))
          throw parseScimError(response.status, response.json, response.text, { secrets: this.secrets() });
        return response;
      }
      if (response.status === 401 && authHeader && !refreshedAuth && this.#o.auth.invalidate(authHeader)) {
        refreshedAuth = true;
        this.metrics.authRefreshes++;
        attempt--;
        continue;
      }
      const error = parseScimError(response.status, response.json, response.text, { secrets: this.secrets() });
      const retryAfter =
        parseRetryAfter(response.headers['retry-after']) ?? (response.status === 429 ? this.#untilReset(response) : undefined);
      error.retryAfterMs = retryAfter;
      const retryable = isRetryableStatus(response.status, idempotent) && !(response.status === 500 && req.retryInternalErrors === false);
      if (retryable && retryAfter !== undefined && retryAfter > retry.maxRetryAfterMs)
        throw this.#rateLimited(response.status, retryAfter, error);
      if (!retryable || attempt >= retry.max) {
        if (response.status === 429) throw this.#rateLimited(429, retryAfter, error);
        throw error;
      }
      const delay = retryDelay(attempt, retry, this.#o.random, retryAfter);
      if (retryAfter !== undefined && authenticate) this.#o.rateLimiter?.pauseUntil(Date.now() + retryAfter);
      this.metrics.retries++;
      logger.warn('SCIM server asked to retry', {
        method: req.method,
        path: this.#logPath(req),
        status: response.status,
        attempt: attempt + 1,
        delayMs: delay,
      });
      await sleep(delay, signal);
    }
  }

  #untilReset(res: HttpResponse): number | undefined {
    const at = rateLimitPause({ ...res.headers, 'x-rate-limit-remaining': '0' });
    return at === undefined ? undefined : Math.max(0, at - Date.now());
  }

  #rateLimited(status: number, retryAfterMs: number | undefined, cause: ScimError): ScimClientError | ScimError {
    if (status !== 429) return cause;
    const wait = retryAfterMs === undefined ? '' : ` The server asked to wait ${seconds(retryAfterMs)}.`;
    return new ScimClientError('RATE_LIMITED', `The SCIM server is rate limiting requests.${wait}`, {
      retryable: true,
      retryAfterMs,
      status,
      cause,
    });
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
      const text = await this.#read(res.body, resHeaders, ok ? this.#o.maxResponseBytes : ERROR_BODY_LIMIT, ok, host);
      this.#o.logger.debug('SCIM request', {
        method: req.method,
        path: this.#logPath(req),
        status: res.statusCode,
        ms: Date.now() - started,
      });
      return { status: res.statusCode, headers: resHeaders, ...this.#decode(text, res.statusCode, host), attempts: 1 };
    } catch (err) {
      throw this.#mapError(err, { signal, controller, idempotent, host, method: req.method });
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Streams the body, stopping past `limit`: too large is an error for 2xx, truncation for errors. */
  async #read(
    body: AsyncIterable<Buffer> & Parameters<typeof discard>[0],
    headers: Record<string, string>,
    limit: number,
    strict: boolean,
    host: string,
  ): Promise<string> {
    const tooLarge = () =>
      new ScimClientError('RESPONSE_TOO_LARGE', `The answer from ${host} is larger than the allowed ${Math.round(limit / 1024)} KiB.`);
    const declared = Number(headers['content-length']);
    if (strict && Number.isFinite(declared) && declared > limit) {
      discard(body);
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.length;
      if (size > limit) {
        discard(body);
        if (strict) throw tooLarge();
        chunks.push(chunk.subarray(0, chunk.length - (size - limit)));
        break;
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
  }

  #decode(text: string, status: number, host: string): { json: unknown; text: string } {
    if (!text.trim()) return { json: undefined, text };
    try {
      return { json: JSON.parse(text), text };
    } catch {
      if (status < 200 || status >= 300) return { json: undefined, text };
      if (looksLikeHtml(text)) {
        throw new ScimClientError('NOT_SCIM', `The server at ${host} answered with a web page instead of SCIM data; check the base URL.`, {
          status,
        });
      }
      throw new ScimClientError('INVALID_JSON', `The server at ${host} answered with data that is not valid JSON.`, { status });
    }
  }

  #mapError(
    err: unknown,
    ctx: { signal: AbortSignal; controller: AbortController; idempotent: boolean; host: string; method: string },
  ): ScimClientError {
    if (ctx.signal.aborted) return abortError(ctx.signal);
    if (ctx.controller.signal.reason instanceof AttemptTimeout || /TIMEOUT/.test(errorCode(err))) {
      const notSent = errorCode(err) === 'UND_ERR_CONNECT_TIMEOUT';
      const unknown = !notSent && !ctx.idempotent;
      return new ScimClientError(
        'TIMEOUT',
        notSent
          ? `Connecting to ${ctx.host} timed out.`
          : `The server at ${ctx.host} did not answer within ${seconds(this.#o.timeoutMs)}.` +
              (unknown ? ' The request may still have been applied; look the resource up before trying again.' : ''),
        { retryable: true, outcomeUnknown: unknown, cause: err },
      );
    }
    if (err instanceof ScimClientError) return err;
    const code = errorCode(err);
    if (code === 'UND_ERR_INVALID_ARG') {
      return new ScimClientError(
        'INVALID_CONFIG',
        `The request to ${ctx.host} could not be built from the integration's configuration; check its URL, token and headers.`,
        { cause: err },
      );
    }
    if (TLS_CODES.test(code) || /certificate|ssl|tls/i.test(String((err as Error)?.message ?? ''))) {
      return new ScimClientError('TLS', `The secure connection to ${ctx.host} failed (${code || 'TLS error'}); check its certificate.`, {
        cause: err,
      });
    }
    const notSent = NOT_SENT.has(code);
    const words: Record<string, string> = {
      ECONNREFUSED: 'connection refused',
      ENOTFOUND: 'host name not found',
      EAI_AGAIN: 'name lookup failed',
      ECONNRESET: 'connection reset',
      EHOSTUNREACH: 'host unreachable',
      ENETUNREACH: 'network unreachable',
      UND_ERR_SOCKET: 'connection closed',
    };
    const unknown = !notSent && !ctx.idempotent;
    return new ScimClientError(
      'NETWORK',
      `Could not reach ${ctx.host} (${words[code] ?? (code || 'network error')}).` +
        (unknown ? ' The request may still have been applied; look the resource up before trying again.' : ''),
      { retryable: code !== 'ENOTFOUND', outcomeUnknown: unknown, cause: err },
    );
  }
}
