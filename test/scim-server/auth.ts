/**
 * Credentials for the SCIM endpoints (none, static bearer, HTTP basic, OAuth2 client credentials)
 * and the token endpoint. Tokens are random and expire after tokenTtlSeconds; issuances are
 * counted so tests can assert that a client caches its token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export type AuthConfig =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'oauth2'; clientId: string; clientSecret: string; tokenTtlSeconds?: number; scope?: string };

export type AuthCheck = { ok: true } | { ok: false; detail: string; challenge: string };

export interface TokenReply {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function decodeBasic(header: string | undefined): [string, string] | undefined {
  const m = /^Basic\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : [text.slice(0, colon), text.slice(colon + 1)];
}

export class AuthState {
  config: AuthConfig;
  tokensIssued = 0;
  private tokens = new Map<string, number>();

  constructor(config: AuthConfig) {
    this.config = config;
  }

  check(authorization: string | undefined, now = Date.now()): AuthCheck {
    const c = this.config;
    if (c.type === 'none') return { ok: true };
    if (c.type === 'basic') {
      const pair = decodeBasic(authorization);
      if (!pair) return { ok: false, detail: 'Authorization header with Basic credentials is required', challenge: 'Basic realm="scim"' };
      if (!same(pair[0], c.username) || !same(pair[1], c.password))
        return { ok: false, detail: 'Invalid username or password', challenge: 'Basic realm="scim"' };
      return { ok: true };
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return { ok: false, detail: 'Authorization header with a Bearer token is required', challenge: 'Bearer realm="scim"' };
    if (c.type === 'bearer') {
      return same(m[1], c.token)
        ? { ok: true }
        : { ok: false, detail: 'Invalid bearer token', challenge: 'Bearer realm="scim", error="invalid_token"' };
    }
    const expires = this.tokens.get(m[1]);
    if (expires === undefined)
      return { ok: false, detail: 'Invalid access token', challenge: 'Bearer realm="scim", error="invalid_token"' };
    if (expires <= now) {
      return {
        ok: false,
        detail: 'The access token expired',
        challenge: 'Bearer realm="scim", error="invalid_token", error_description="The access token expired"',
      };
    }
    return { ok: true };
  }

  /** Forces every issued token to be expired (tests of refresh-on-401). */
  expireTokens(): void {
    for (const t of this.tokens.keys()) this.tokens.set(t, 0);
  }

  /** POST tokenUrl: RFC 6749 §4.4 client credentials, client auth by HTTP basic or form fields. */
  issue(contentType: string | undefined, rawBody: string, authorization: string | undefined, now = Date.now()): TokenReply {
    const noStore = { 'cache-control': 'no-store', pragma: 'no-cache', 'content-type': 'application/json' };
    const fail = (status: number, error: string, description: string, extra: Record<string, string> = {}): TokenReply => ({
      status,
      headers: { ...noStore, ...extra },
      body: { error, error_description: description },
    });
    const c = this.config;
    if (c.type !== 'oauth2') return fail(400, 'unsupported_grant_type', 'This server is not configured for OAuth2');
    if (!/^application\/x-www-form-urlencoded/i.test(contentType ?? ''))
      return fail(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    const form = new URLSearchParams(rawBody);
    if (form.get('grant_type') !== 'client_credentials')
      return fail(400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported');
    let id = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    const basic = decodeBasic(authorization);
    if (basic) {
      // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
      id = decodeURIComponent(basic[0].replace(/\+/g, ' '));
      secret = decodeURIComponent(basic[1].replace(/\+/g, ' '));
    }
    if (id === undefined || secret === undefined || !same(id, c.clientId) || !same(secret, c.clientSecret)) {
      return fail(401, 'invalid_client', 'Client authentication failed', { 'www-authenticate': 'Basic realm="oauth"' });
    }
    const requested = form.get('scope');
    if (requested && c.scope) {
      const allowed = new Set(c.scope.split(/\s+/));
      if (!requested.split(/\s+/).every((s) => allowed.has(s))) return fail(400, 'invalid_scope', `Scope must be within '${c.scope}'`);
    }
    const ttl = c.tokenTtlSeconds ?? 3600;
    const token = randomBytes(24).toString('base64url');
    if (this.tokens.size > 1000) for (const [t, exp] of this.tokens) if (exp <= now) this.tokens.delete(t);
    this.tokens.set(token, now + ttl * 1000);
    this.tokensIssued++;
    return {
      status: 200,
      headers: noStore,
      body: {
        access_token: token,
        token_type: 'Bearer',
        expires_in: ttl,
        ...(requested || c.scope ? { scope: requested || c.scope } : {}),
      },
    };
  }

  schemes(tokenUrl: string): Record<string, unknown>[] {
    switch (this.config.type) {
      case 'bearer':
        return [
          {
            type: 'oauthbearertoken',
            name: 'OAuth Bearer Token',
            description: 'Static bearer token in the Authorization header',
            specUri: 'https://www.rfc-editor.org/info/rfc6750',
            primary: true,
          },
        ];
      case 'basic':
        return [
          {
            type: 'httpbasic',
            name: 'HTTP Basic',
            description: 'HTTP Basic authentication',
            specUri: 'https://www.rfc-editor.org/info/rfc7617',
            primary: true,
          },
        ];
      case 'oauth2':
        return [
          {
            type: 'oauth2',
            name: 'OAuth 2.0 client credentials',
            description: `Client credentials grant at ${tokenUrl}`,
            specUri: 'https://www.rfc-editor.org/info/rfc6749',
            documentationUri: tokenUrl,
            primary: true,
          },
        ];
      default:
        return [];
    }
  }
}
