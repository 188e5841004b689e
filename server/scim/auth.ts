// Authorization headers for the three credential kinds. OAuth 2.0 client credentials
// (RFC 6749 §4.4): one token request at a time shared by all callers, cached until shortly before
// `expires_in`, thrown away on a 401 so the next call fetches a fresh one.
import { redact, ScimClientError, ScimError } from './errors.ts';
import { abortError } from './limits.ts';
import { asInteger, asString, getCI, isRecord } from './util.ts';

export type ScimAuth =
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'oauth2_client_credentials'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string };

export interface AuthProvider {
  /** The Authorization header value for the next request. */
  header(signal?: AbortSignal): Promise<string>;
  /** After a 401 with `used`: true when fresh credentials are worth one more try. */
  invalidate(used: string): boolean;
  /** Everything that must never appear in a message or log line. */
  secrets(): string[];
}

export function staticAuth(auth: Extract<ScimAuth, { type: 'bearer' | 'basic' }>): AuthProvider {
  let header: string;
  let secrets: string[];
  if (auth.type === 'bearer') {
    if (!auth.token?.trim()) throw new ScimClientError('INVALID_CONFIG', 'The bearer token is empty.');
    if (/[\r\n]/.test(auth.token)) throw new ScimClientError('INVALID_CONFIG', 'The bearer token contains a line break.');
    header = `Bearer ${auth.token.trim()}`;
    secrets = [auth.token.trim(), header];
  } else {
    if (!auth.username || auth.username.includes(':'))
      throw new ScimClientError('INVALID_CONFIG', 'The user name is empty or contains ":".');
    const encoded = Buffer.from(`${auth.username}:${auth.password ?? ''}`, 'utf8').toString('base64');
    header = `Basic ${encoded}`;
    secrets = [auth.password, encoded].filter(Boolean);
  }
  return { header: async () => header, invalidate: () => false, secrets: () => secrets };
}

/** What the OAuth provider needs from the transport: one form POST, retried and size-capped. */
export type TokenPost = (
  url: URL,
  form: Record<string, string>,
  headers: Record<string, string>,
) => Promise<{ status: number; json: unknown }>;

interface Token {
  value: string;
  header: string;
  refreshAt: number;
}

/** Waits for `promise` but gives up as soon as `signal` aborts (the shared work goes on). */
function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

const formEncode = (s: string) => new URLSearchParams({ v: s }).toString().slice(2);

export class OAuthClientCredentials implements AuthProvider {
  readonly #config: Extract<ScimAuth, { type: 'oauth2_client_credentials' }>;
  readonly #tokenUrl: URL;
  readonly #post: TokenPost;
  readonly #now: () => number;
  #token: Token | undefined;
  #inflight: Promise<Token> | undefined;
  /** Client authentication that worked: HTTP basic first (RFC 6749 §2.3.1), else form fields. */
  #clientAuth: 'basic' | 'form' = 'basic';
  #issued: string[] = [];
  /** Token requests made, for tests and diagnostics. */
  tokenRequests = 0;

  constructor(
    config: Extract<ScimAuth, { type: 'oauth2_client_credentials' }>,
    tokenUrl: URL,
    post: TokenPost,
    now: () => number = Date.now,
  ) {
    if (!config.clientId) throw new ScimClientError('INVALID_CONFIG', 'The OAuth client id is empty.');
    if (!config.clientSecret) throw new ScimClientError('INVALID_CONFIG', 'The OAuth client secret is empty.');
    this.#config = config;
    this.#tokenUrl = tokenUrl;
    this.#post = post;
    this.#now = now;
  }

  async header(signal?: AbortSignal): Promise<string> {
    const token = this.#token;
    if (token && this.#now() < token.refreshAt) return token.header;
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    return (await raceAbort(this.#inflight, signal)).header;
  }

  invalidate(used: string): boolean {
    if (this.#token?.header === used) this.#token = undefined;
    return true;
  }

  secrets(): string[] {
    const { clientSecret, clientId } = this.#config;
    const basic = Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64');
    return [clientSecret, basic, ...this.#issued.slice(-4)];
  }

  async #fetch(): Promise<Token> {
    const first = this.#clientAuth;
    try {
      try {
        return await this.#request(first);
      } catch (err) {
        // Servers that want the credentials in the body answer 400/401 invalid_client to basic.
        if (first === 'basic' && err instanceof ScimError && (err.status === 400 || err.status === 401)) {
          const token = await this.#request('form');
          this.#clientAuth = 'form';
          return token;
        }
        throw err;
      }
    } catch (err) {
      if (!(err instanceof ScimError)) throw err;
      throw new ScimClientError(
        'AUTH_FAILED',
        redact(`The OAuth token endpoint refused to issue a token (HTTP ${err.status}): ${err.detail}`, this.secrets()),
        {
          status: err.status,
          retryable: err.status >= 500 || err.status === 429,
        },
      );
    }
  }

  async #request(clientAuth: 'basic' | 'form'): Promise<Token> {
    const { clientId, clientSecret, scope } = this.#config;
    const form: Record<string, string> = { grant_type: 'client_credentials' };
    if (scope) form.scope = scope;
    const headers: Record<string, string> = {};
    if (clientAuth === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
    } else {
      form.client_id = clientId;
      form.client_secret = clientSecret;
    }
    this.tokenRequests++;
    const started = this.#now();
    const { json } = await this.#post(this.#tokenUrl, form, headers);
    const body = isRecord(json) ? json : {};
    const value = asString(getCI(body, 'access_token'));
    if (!value || /[\r\n]/.test(value)) {
      throw new ScimClientError('AUTH_FAILED', 'The OAuth token endpoint answered without an access token.');
    }
    const type = asString(getCI(body, 'token_type'));
    if (type && type.toLowerCase() !== 'bearer') {
      throw new ScimClientError(
        'AUTH_FAILED',
        `The OAuth token endpoint issued a "${type.slice(0, 20)}" token; only bearer tokens are supported.`,
      );
    }
    // Without expires_in, keep it an hour: a 401 throws it away earlier if needed.
    const lifetimeMs = Math.max(1, asInteger(getCI(body, 'expires_in')) ?? 3600) * 1000;
    const margin = Math.min(60_000, lifetimeMs * 0.2);
    this.#issued.push(value);
    const token = { value, header: `Bearer ${value}`, refreshAt: started + lifetimeMs - margin };
    this.#token = token;
    return token;
  }
}
