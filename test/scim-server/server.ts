/**
 * The HTTP side: node:http on 127.0.0.1, routing, auth, latency, faults, rate limits and the
 * request log. The SCIM semantics live in resources.ts. Each request reads the live quirks, so
 * setQuirks() takes effect on the next request.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type AuthConfig, AuthState } from './auth.ts';
import { ScimHttpError, invalidSyntax, notFound, stackTraceText } from './errors.ts';
import { FaultPicker, MALFORMED_JSON, TokenBucket, WRONG_ENVELOPE, htmlPage, oversizedBody } from './faults.ts';
import { getField } from './filter.ts';
import type { ListParams } from './list.ts';
import { type FaultKind, type FaultRule, type Quirks, defaultQuirks, validateQuirks } from './quirks.ts';
import { type Reply, ScimResources, jsonReply } from './resources.ts';
import { ERROR_SCHEMA, resourceTypeDocuments, schemaDocuments } from './schema.ts';
import { ScimStore } from './store.ts';

type Obj = Record<string, unknown>;

export interface ScimServerOptions {
  /** Number of seeded users (default 0). */
  users?: number;
  /** Number of seeded groups (default 0), each with a few seeded members. */
  groups?: number;
  /** Members per seeded group (default: 0-25, varied). */
  membersPerGroup?: number;
  /** Seed for generated data, ids and the fault PRNG (default 1). */
  seed?: number;
  auth?: AuthConfig;
  /** Default '/scim/v2'. */
  basePath?: string;
  quirks?: Partial<Quirks>;
  /** Default 0 (any free port). */
  port?: number;
  /** Keep a request log (default true). Stats are counted either way. */
  logRequests?: boolean;
  /** Request log size; older entries are dropped (default 10,000). */
  maxLogEntries?: number;
  /** How the server waits out latency quirks (default a timer); tests pass their own to see and release each wait. */
  sleep?: (ms: number) => Promise<void>;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON, form fields for the token endpoint, the raw string if unparsable, or undefined. */
  body: unknown;
  /** 0 while in flight, and for hung or reset requests. */
  status: number;
  at: number;
  /** The request's number in arrival order, from 1 (the `requests` count of stats() once it arrived). */
  seq: number;
  durationMs?: number;
  fault?: FaultKind;
}

export interface ScimServerStats {
  requests: number;
  /** POST/PUT/PATCH/DELETE on /Users or /Groups answered with 2xx. */
  writes: number;
  byStatus: Record<number, number>;
  tooManyRequests: number;
  tokensIssued: number;
  faultsInjected: number;
  /** Requests arrived and not yet answered (or closed), now. */
  inFlight: number;
  /** The most requests in flight at once since the server started (overlap of a client's requests). */
  peakInFlight: number;
}

export interface RunningScimServer {
  url: string;
  baseUrl: string;
  tokenUrl: string;
  port: number;
  /** The live quirk settings (mutating it works too). */
  readonly quirks: Quirks;
  setQuirks(q: Partial<Quirks>): void;
  /** Back to the quirks the server was started with (defaults + options.quirks). */
  resetQuirks(): void;
  store: ScimStore;
  /** The last `maxLogEntries` requests, oldest first. */
  readonly requests: RequestLogEntry[];
  clearRequests(): void;
  stats(): ScimServerStats;
  setAuth(auth: AuthConfig): void;
  /** Expires every issued OAuth token now. */
  expireTokens(): void;
  stop(): Promise<void>;
}

const TOKEN_PATH = '/oauth/token';
const MAX_BODY = 64 * 1024 * 1024;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function flattenHeaders(h: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function readBody(req: IncomingMessage, max: number): Promise<{ text: string; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), size }));
    req.on('error', reject);
  });
}

class ScimServer {
  readonly store: ScimStore;
  readonly quirks: Quirks;
  readonly requests: RequestLogEntry[] = [];
  url = '';
  baseUrl = '';
  tokenUrl = '';
  port = 0;

  private readonly initialQuirks: Quirks;
  private readonly basePath: string;
  private readonly logRequests: boolean;
  private readonly maxLog: number;
  private readonly sleep: (ms: number) => Promise<void>;
  readonly auth: AuthState;
  private readonly resources: ScimResources;
  private readonly faults: FaultPicker;
  private bucket: TokenBucket | undefined;
  private readonly http: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private counters = { requests: 0, writes: 0, byStatus: {} as Record<number, number>, tooManyRequests: 0, faultsInjected: 0 };
  private inFlight = 0;
  private peakInFlight = 0;
  /** List requests seen since laterQuirks was set. */
  private listRequestsSeen = 0;

  constructor(opts: ScimServerOptions) {
    const initial = { ...defaultQuirks(), ...structuredClone(opts.quirks ?? {}) } as Quirks;
    validateQuirks(initial as unknown as Obj);
    this.initialQuirks = initial;
    this.quirks = structuredClone(initial);
    this.basePath = '/' + (opts.basePath ?? '/scim/v2').replace(/^\/+|\/+$/g, '');
    if (this.basePath === '/') this.basePath = '';
    this.logRequests = opts.logRequests ?? true;
    this.maxLog = opts.maxLogEntries ?? 10_000;
    this.sleep = opts.sleep ?? sleep;
    this.auth = new AuthState(opts.auth ?? { type: 'none' });
    const seed = opts.seed ?? 1;
    this.store = new ScimStore({
      seed,
      users: opts.users ?? 0,
      groups: opts.groups ?? 0,
      idStyle: initial.idStyle,
      membersPerGroup: opts.membersPerGroup,
    });
    this.faults = new FaultPicker(initial.faultSeed);
    this.resources = new ScimResources(this);
    this.bucket = initial.rateLimit ? new TokenBucket(initial.rateLimit) : undefined;
    this.http = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(err));
        }
      });
    });
    this.http.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.http.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
    this.baseUrl = this.url + this.basePath;
    this.tokenUrl = this.url + TOKEN_PATH;
    this.store.baseUrl = this.baseUrl;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
    const closed = new Promise<void>((r) => this.http.close(() => r()));
    for (const s of this.sockets) s.destroy();
    this.http.closeAllConnections();
    await closed;
  }

  setQuirks(partial: Partial<Quirks>): void {
    validateQuirks(partial as Obj);
    const copy = structuredClone(partial);
    Object.assign(this.quirks, copy);
    this.afterQuirkChange(Object.keys(copy));
  }

  resetQuirks(): void {
    Object.assign(this.quirks, structuredClone(this.initialQuirks));
    this.afterQuirkChange(Object.keys(this.quirks));
  }

  private afterQuirkChange(keys: string[]): void {
    if (keys.includes('rateLimit')) this.bucket = this.quirks.rateLimit ? new TokenBucket(this.quirks.rateLimit) : undefined;
    if (keys.includes('faultSeed')) this.faults.reseed(this.quirks.faultSeed);
    if (keys.includes('idStyle')) this.store.idStyle = this.quirks.idStyle;
    if (keys.includes('laterQuirks')) this.listRequestsSeen = 0;
  }

  /** Counts list requests; once laterQuirks' threshold has passed, its quirks take over (before this request is served). */
  private countListRequest(method: string, rel: string | undefined): void {
    const later = this.quirks.laterQuirks;
    if (!later || method !== 'GET' || rel === undefined || !/^\/(users|groups)\/?$/i.test(rel)) return;
    this.listRequestsSeen++;
    if (this.listRequestsSeen > later.afterListPages) this.setQuirks({ ...later.quirks, laterQuirks: null });
  }

  setAuth(auth: AuthConfig): void {
    this.auth.config = auth;
  }

  expireTokens(): void {
    this.auth.expireTokens();
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  stats(): ScimServerStats {
    const c = this.counters;
    return {
      requests: c.requests,
      writes: c.writes,
      byStatus: { ...c.byStatus },
      tooManyRequests: c.tooManyRequests,
      tokensIssued: this.auth.tokensIssued,
      faultsInjected: c.faultsInjected,
      inFlight: this.inFlight,
      peakInFlight: this.peakInFlight,
    };
  }

  // ------------------------------------------------------------------ request pipeline

  private log(entry: RequestLogEntry): void {
    if (!this.logRequests) return;
    this.requests.push(entry);
    // Trim in batches so the log stays one stable array without an O(n) shift per request.
    if (this.requests.length > this.maxLog + Math.max(1, Math.floor(this.maxLog / 10)))
      this.requests.splice(0, this.requests.length - this.maxLog);
  }

  private relPath(pathname: string): string | undefined {
    if (this.basePath === '') return pathname;
    if (pathname === this.basePath) return '/';
    return pathname.startsWith(this.basePath + '/') ? pathname.slice(this.basePath.length) : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: RequestLogEntry = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: flattenHeaders(req.headers),
      body: undefined,
      status: 0,
      at: started,
      seq: ++this.counters.requests,
    };
    this.log(entry);
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    res.once('close', () => this.inFlight--);
    const isToken = url.pathname === TOKEN_PATH;
    const rel = isToken ? undefined : this.relPath(url.pathname);
    this.countListRequest(method, rel);
    const q = this.quirks;

    const { text, size } = await readBody(req, q.maxPayloadBytes ?? MAX_BODY);
    entry.body = this.bodyForLog(text, req.headers['content-type']);
    const limit = q.maxPayloadBytes ?? MAX_BODY;

    const delay = q.latencyMs + (q.latencyJitterMs > 0 ? this.faults.random() * q.latencyJitterMs : 0);
    if (delay > 0) await this.sleep(delay);
    if (this.stopped) return;

    const rule =
      (rel !== undefined || isToken) && q.faults.length > 0
        ? this.faults.pick(q.faults, method, rel ?? '', isToken, TOKEN_PATH, url.searchParams)
        : undefined;
    if (rule && rule.kind !== 'slowDrip') {
      this.counters.faultsInjected++;
      entry.fault = rule.kind;
      this.applyFault(rule, res, entry);
      return;
    }

    let reply: Reply;
    let rateHeaders: Record<string, string> = {};
    try {
      if (size > limit) throw new ScimHttpError(413, undefined, `Request body of ${size} bytes exceeds the limit of ${limit} bytes`);
      if (rel !== undefined && this.bucket?.applies(method, rel)) {
        const d = this.bucket.take();
        if (q.rateLimitHeaders)
          rateHeaders = {
            'x-rate-limit-limit': String(d.limit),
            'x-rate-limit-remaining': String(d.remaining),
            'x-rate-limit-reset': String(d.resetSeconds),
          };
        if (!d.ok) {
          const h: Record<string, string> = {};
          if (q.retryAfterStyle === 'seconds') h['retry-after'] = String(d.resetSeconds);
          if (q.retryAfterStyle === 'httpDate') h['retry-after'] = new Date(Date.now() + d.resetSeconds * 1000).toUTCString();
          throw new ScimHttpError(429, undefined, 'Too many requests; slow down', h);
        }
      }
      if (isToken) reply = this.tokenEndpoint(method, req, text);
      else if (rel === undefined) reply = this.unknownEndpoint(url.pathname);
      else reply = this.route(method, rel, url, text, req);
    } catch (e) {
      reply = e instanceof ScimHttpError ? this.errorReply(e) : this.internalError(e);
    }
    Object.assign(reply.headers, rateHeaders);
    if (reply.delayMs && reply.delayMs > 0) await this.sleep(reply.delayMs);
    if (this.stopped) return;
    this.finish(entry, reply.status, rel);
    if (rule) {
      this.counters.faultsInjected++;
      entry.fault = rule.kind;
      this.drip(res, reply, rule);
      return;
    }
    if (reply.body !== undefined) reply.headers['content-length'] = String(Buffer.byteLength(reply.body));
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body);
  }

  private finish(entry: RequestLogEntry, status: number, rel: string | undefined): void {
    entry.status = status;
    entry.durationMs = Date.now() - entry.at;
    const c = this.counters;
    c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
    if (status === 429) c.tooManyRequests++;
    if (
      status >= 200 &&
      status < 300 &&
      WRITE_METHODS.has(entry.method) &&
      rel &&
      /^\/(users|groups)(\/|$)/i.test(rel) &&
      !/\/\.search$/i.test(rel)
    )
      c.writes++;
  }

  private bodyForLog(text: string, contentType: string | undefined): unknown {
    if (text === '') return undefined;
    if (/x-www-form-urlencoded/i.test(contentType ?? '')) return Object.fromEntries(new URLSearchParams(text));
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  private applyFault(rule: FaultRule, res: ServerResponse, entry: RequestLogEntry): void {
    const send = (status: number, headers: Record<string, string>, body: string) => {
      this.finish(entry, status, undefined);
      res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    };
    const json = (status: number, body: unknown, extra: Record<string, string> = {}) =>
      send(status, { 'content-type': this.contentType(), ...extra }, JSON.stringify(body));
    const retry: Record<string, string> = rule.retryAfter !== undefined ? { 'retry-after': String(rule.retryAfter) } : {};
    switch (rule.kind) {
      case 'reset':
        res.socket?.resetAndDestroy();
        return;
      case 'hang':
        return;
      case 'status500': {
        const r = this.errorReply(new ScimHttpError(500, undefined, 'Internal server error', retry));
        send(r.status, r.headers, r.body ?? '');
        return;
      }
      case 'status503': {
        const r = this.errorReply(new ScimHttpError(503, undefined, 'Service temporarily unavailable', retry));
        send(r.status, r.headers, r.body ?? '');
        return;
      }
      case 'status': {
        const status = rule.status ?? 502;
        const r = this.errorReply(new ScimHttpError(status, undefined, `Injected failure ${status}`, retry));
        send(r.status, r.headers, r.body ?? '');
        return;
      }
      case 'malformedJson':
        send(200, { 'content-type': this.contentType() }, MALFORMED_JSON);
        return;
      case 'htmlPage': {
        const status = rule.status ?? 502;
        send(status, { 'content-type': 'text/html; charset=utf-8', ...retry }, htmlPage(status));
        return;
      }
      case 'oversized':
        send(200, { 'content-type': this.contentType() }, oversizedBody(rule.bytes ?? 12 * 1024 * 1024));
        return;
      case 'wrongEnvelopeTypes':
        json(200, WRONG_ENVELOPE);
        return;
      case 'slowDrip':
        return;
    }
  }

  private drip(res: ServerResponse, reply: Reply, rule: FaultRule): void {
    const buf = Buffer.from(reply.body ?? '');
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(buf.length) });
    res.flushHeaders();
    const step = rule.dripBytes ?? 1;
    let pos = 0;
    const timer = setInterval(() => {
      if (res.destroyed || this.stopped) {
        clearInterval(timer);
        this.timers.delete(timer);
        return;
      }
      res.write(buf.subarray(pos, pos + step));
      pos += step;
      if (pos >= buf.length) {
        clearInterval(timer);
        this.timers.delete(timer);
        res.end();
      }
    }, rule.dripIntervalMs ?? 100);
    this.timers.add(timer);
  }

  // ------------------------------------------------------------------ replies

  private contentType(): string {
    return this.quirks.responseContentType ?? 'application/scim+json';
  }

  private json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
    return jsonReply(this.quirks, status, body, headers);
  }

  private errorReply(e: ScimHttpError): Reply {
    const q = this.quirks;
    let detail = e.message;
    if (e.status >= 500 && q.stackTraces && !detail.includes('Traceback')) detail = stackTraceText(detail, 'internal');
    const scimType = e.scimType ? { scimType: e.scimType } : {};
    let body: Obj;
    switch (q.errorStyle) {
      case 'scim11':
        body = { Errors: [{ description: detail, code: e.status }] };
        break;
      case 'integerStatus':
        body = { schemas: [ERROR_SCHEMA], status: e.status, ...scimType, detail };
        break;
      case 'noStatus':
        body = { schemas: [ERROR_SCHEMA], ...scimType, detail };
        break;
      default:
        body = { schemas: [ERROR_SCHEMA], status: String(e.status), ...scimType, detail };
    }
    return this.json(e.status, body, e.headers);
  }

  private internalError(e: unknown): Reply {
    const message = e instanceof Error ? e.message : String(e);
    console.error('[scim-server] internal error:', e);
    return this.errorReply(new ScimHttpError(500, undefined, `Internal server error: ${message}`));
  }

  private unknownEndpoint(path: string): Reply {
    if (this.quirks.unsupportedEndpointsEmpty404) return { status: 404, headers: {}, body: '' };
    return this.errorReply(notFound(`No SCIM endpoint at ${path}`));
  }

  private notImplemented(what: string): Reply {
    if (this.quirks.unsupportedEndpointsEmpty404) return { status: 404, headers: {}, body: '' };
    return this.errorReply(new ScimHttpError(501, undefined, `${what} is not supported`));
  }

  // ------------------------------------------------------------------ routing

  private tokenEndpoint(method: string, req: IncomingMessage, text: string): Reply {
    if (method !== 'POST')
      return {
        status: 405,
        headers: { allow: 'POST', 'content-type': 'application/json' },
        body: JSON.stringify({ error: 'invalid_request', error_description: 'Use POST' }),
      };
    const r = this.auth.issue(req.headers['content-type'], text, req.headers.authorization);
    return { status: r.status, headers: r.headers, body: JSON.stringify(r.body) };
  }

  private route(method: string, rel: string, url: URL, text: string, req: IncomingMessage): Reply {
    const q = this.quirks;
    let segments: string[];
    try {
      segments = rel.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw invalidSyntax('Malformed percent-encoding in the path');
    }
    const head = (segments[0] ?? '').toLowerCase();
    const discovery = head === 'serviceproviderconfig' || head === 'resourcetypes' || head === 'schemas';
    if (!(discovery && q.discoveryWithoutAuth)) {
      const a = this.auth.check(req.headers.authorization);
      if (!a.ok) throw new ScimHttpError(401, undefined, a.detail, { 'www-authenticate': a.challenge });
    }
    const body = (): unknown => {
      if (text.trim() === '') throw invalidSyntax('Request body is required');
      const ct = req.headers['content-type'];
      if (ct && !/json/i.test(ct)) throw new ScimHttpError(415, undefined, `Unsupported Content-Type '${ct}'; use application/scim+json`);
      try {
        return JSON.parse(text);
      } catch {
        throw invalidSyntax('Request body is not valid JSON');
      }
    };
    const allow = (methods: string): never => {
      throw new ScimHttpError(405, undefined, `Method ${method} is not allowed here`, { allow: methods });
    };

    if (discovery) {
      if (method !== 'GET') allow('GET');
      if (head === 'serviceproviderconfig' && segments.length === 1) return this.json(200, this.resources.serviceProviderConfig());
      if (head === 'resourcetypes')
        return this.resources.discoveryList(resourceTypeDocuments(this.baseUrl, !q.groupsUnsupported), segments[1], 'ResourceType');
      if (head === 'schemas')
        return this.resources.discoveryList(schemaDocuments(this.baseUrl, !q.groupsUnsupported, q.vendorExtension), segments[1], 'Schema');
      return this.unknownEndpoint(url.pathname);
    }
    if (head === 'bulk') return this.notImplemented('Bulk');
    if (head === 'me') return this.notImplemented('/Me');
    if (head === '.search') return this.notImplemented('Root-level /.search');
    if (head !== 'users' && head !== 'groups') return this.unknownEndpoint(url.pathname);
    if (head === 'groups' && q.groupsUnsupported) return this.unknownEndpoint(url.pathname);
    const isUser = head === 'users';

    if (segments.length === 1) {
      if (method === 'GET') return this.resources.list(isUser, this.paramsFromQuery(url.searchParams));
      if (method === 'POST') return isUser ? this.resources.createUser(body()) : this.resources.createGroup(body());
      return allow('GET, POST');
    }
    if (segments.length === 2 && segments[1] === '.search') {
      if (method !== 'POST') allow('POST');
      return this.resources.list(isUser, this.paramsFromSearch(body()));
    }
    if (segments.length !== 2) return this.unknownEndpoint(url.pathname);
    const id = segments[1];
    const attrs = {
      attributes: url.searchParams.get('attributes') ?? undefined,
      excluded: url.searchParams.get('excludedAttributes') ?? undefined,
    };
    const putAllowed = q.putUnsupported ? 'GET, PATCH, DELETE' : 'GET, PUT, PATCH, DELETE';
    switch (method) {
      case 'GET':
        return isUser ? this.resources.getUser(id, req, attrs) : this.resources.getGroup(id, req, attrs);
      case 'PUT':
        if (q.putUnsupported) allow(putAllowed);
        return isUser ? this.resources.replaceUser(id, body(), req) : this.resources.replaceGroup(id, body(), req);
      case 'PATCH':
        return isUser ? this.resources.patchUser(id, body(), req, attrs) : this.resources.patchGroup(id, body(), req, attrs);
      case 'DELETE':
        if (q.deleteRejectsAcceptHeader && /application\/scim\+json/i.test(req.headers.accept ?? '')) {
          throw invalidSyntax('DELETE does not accept an Accept header of application/scim+json');
        }
        return isUser ? this.resources.deleteUser(id, req) : this.resources.deleteGroup(id, req);
      default:
        return allow(putAllowed);
    }
  }

  private paramsFromQuery(sp: URLSearchParams): ListParams {
    const get = (k: string) => sp.get(k) ?? undefined;
    return {
      filter: get('filter'),
      sortBy: get('sortBy'),
      sortOrder: get('sortOrder'),
      startIndex: get('startIndex'),
      count: get('count'),
      cursor: sp.has('cursor') ? (sp.get('cursor') ?? '') : undefined,
      attributes: get('attributes'),
      excludedAttributes: get('excludedAttributes'),
    };
  }

  private paramsFromSearch(b: unknown): ListParams {
    if (!isObj(b)) throw invalidSyntax('SearchRequest body must be a JSON object');
    const str = (k: string): string | undefined => {
      const v = getField(b, k);
      return v === undefined || v === null ? undefined : String(v);
    };
    const list = (k: string): string | string[] | undefined => {
      const v = getField(b, k);
      return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v : undefined;
    };
    const cursor = getField(b, 'cursor');
    return {
      filter: str('filter'),
      sortBy: str('sortBy'),
      sortOrder: str('sortOrder'),
      startIndex: str('startIndex'),
      count: str('count'),
      cursor: cursor === undefined || cursor === null ? undefined : String(cursor),
      attributes: list('attributes'),
      excludedAttributes: list('excludedAttributes'),
    };
  }
}

export async function startScimServer(opts: ScimServerOptions = {}): Promise<RunningScimServer> {
  const s = new ScimServer(opts);
  await s.listen(opts.port ?? 0);
  return {
    url: s.url,
    baseUrl: s.baseUrl,
    tokenUrl: s.tokenUrl,
    port: s.port,
    get quirks() {
      return s.quirks;
    },
    setQuirks: (q) => s.setQuirks(q),
    resetQuirks: () => s.resetQuirks(),
    store: s.store,
    get requests() {
      return s.requests;
    },
    clearRequests: () => s.clearRequests(),
    stats: () => s.stats(),
    setAuth: (a) => s.setAuth(a),
    expireTokens: () => s.expireTokens(),
    stop: () => s.stop(),
  };
}
