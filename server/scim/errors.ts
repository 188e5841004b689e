// Two error families: ScimError is what the SCIM server said (status, scimType, detail);
// ScimClientError is what went wrong getting there (timeouts, unsafe URLs, garbage bodies...).
// Both messages are shown to admins, so they are built from plain words, sanitized server text
// and never a credential.
import { asInteger, asString, getCI, isRecord, truncate } from './util.ts';

export type ScimClientErrorCode =
  | 'TIMEOUT'
  | 'NETWORK'
  | 'TLS'
  | 'RESPONSE_TOO_LARGE'
  | 'INVALID_JSON'
  | 'NOT_SCIM'
  | 'UNSAFE_URL'
  | 'REDIRECT_REFUSED'
  | 'RATE_LIMITED'
  | 'ABORTED'
  | 'PAGINATION_LIMIT'
  | 'AUTH_FAILED'
  | 'INVALID_CONFIG'
  | 'INVALID_ARGUMENT';

export interface ScimClientErrorOptions {
  /** Another attempt later may succeed (timeouts, network, rate limits). */
  retryable?: boolean;
  /** The request may have reached the server and been applied (a POST that timed out). */
  outcomeUnknown?: boolean;
  retryAfterMs?: number;
  /** HTTP status when the problem came with a response (redirects, 429, garbage 200s). */
  status?: number;
  cause?: unknown;
}

export class ScimClientError extends Error {
  readonly code: ScimClientErrorCode;
  readonly retryable: boolean;
  readonly outcomeUnknown: boolean;
  readonly retryAfterMs?: number;
  readonly status?: number;
  constructor(code: ScimClientErrorCode, message: string, options: ScimClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ScimClientError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}

export class ScimError extends Error {
  readonly code = 'SCIM_ERROR';
  readonly status: number;
  readonly scimType?: string;
  /** Sanitized, short, plain text; safe to show an admin. */
  readonly detail: string;
  retryAfterMs?: number;
  constructor(status: number, scimType: string | undefined, detail: string) {
    super(`The SCIM server answered ${status}${scimType ? ` (${scimType})` : ''}: ${detail}`);
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
    this.detail = detail;
  }
  get isNotFound(): boolean {
    return this.status === 404;
  }
  get isConflict(): boolean {
    return this.status === 409;
  }
}

export function isScimError(err: unknown): err is ScimError {
  return err instanceof ScimError;
}

export function isScimClientError(err: unknown, code?: ScimClientErrorCode): err is ScimClientError {
  return err instanceof ScimClientError && (code === undefined || err.code === code);
}

const GENERIC: Record<number, string> = {
  400: 'the request was rejected as invalid',
  401: 'the credentials were rejected',
  403: 'access was refused',
  404: 'the resource was not found',
  405: 'this operation is not supported',
  409: 'the resource conflicts with an existing one',
  412: 'the resource changed since it was read',
  413: 'the request was too large',
  429: 'too many requests',
  500: 'the server had an internal error',
  501: 'this operation is not implemented',
  502: 'a gateway in front of the server failed',
  503: 'the service is unavailable',
  504: 'a gateway in front of the server timed out',
};

function genericStatusText(status: number): string {
  return GENERIC[status] ?? (status >= 500 ? 'the server failed' : `the request failed with HTTP ${status}`);
}

// Lines from which on the rest is a stack trace or framework dump (T7); we keep what came before.
const STACK_LINE = [
  /^\s*Traceback \(most recent call last\)/,
  /^\s*at\s+[\w$.<>[\]/\\-]+[\s(:]/,
  /^\s*File "[^"]*", line \d+/,
  /^\s*(Caused by|Stack ?trace|Backtrace)\b/i,
  /\.(java|py|js|mjs|cjs|ts|rb|go|cs|php|kt|scala):\d+/,
  /^\s*#\d+\s+\S/,
  /Exception in thread/,
  /^\s*\w+(\.\w+)+(Exception|Error):/,
];

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/\b(bearer|basic|digest|negotiate)\s+[A-Za-z0-9._~+/=-]{6,}/gi, '$1 [redacted]'],
  [
    new RegExp(
      String.raw`\b(authorization|proxy-authorization|x-api-key|api[-_]?key|access[-_]?token|refresh[-_]?token|id[-_]?token` +
        String.raw`|client[-_]?secret|password|passwd|secret|token)(\s*["']?\s*[:=]\s*["']?)([^\s"'&,;}]+)`,
      'gi',
    ),
    '$1$2[redacted]',
  ],
  [/eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, '[redacted]'],
  [/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1'],
];

/** Removes known secrets (exact strings) and anything that looks like a credential. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

function htmlToText(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1];
  const source = title?.trim() ? title : heading?.trim() ? heading : html;
  return source
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (whole, name: string) => {
      if (ENTITIES[name.toLowerCase()]) return ENTITIES[name.toLowerCase()];
      if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16) || 32);
      if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10) || 32);
      return whole;
    });
}

export function looksLikeHtml(text: string): boolean {
  return /^\s*(<!doctype html|<html|<head|<body|<\?xml)/i.test(text) || /<\/(html|body|p|div|h1|title)>/i.test(text);
}

export interface SanitizeOptions {
  maxLength?: number;
  secrets?: readonly string[];
}

/**
 * Turns server-provided text into a short plain sentence: HTML reduced to its title, stack traces
 * cut off, control characters and credentials removed. Empty when nothing useful is left.
 */
export function sanitizeServerText(raw: string, options: SanitizeOptions = {}): string {
  const maxLength = options.maxLength ?? 300;
  let text = raw.length > 20_000 ? raw.slice(0, 20_000) : raw;
  if (looksLikeHtml(text)) text = htmlToText(text);
  const kept: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (STACK_LINE.some((re) => re.test(line))) break;
    kept.push(line);
  }
  const plain = kept
    .join(' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return truncate(redact(plain, options.secrets), maxLength);
}

function pickDetail(body: Record<string, unknown>): { detail?: string; scimType?: string; status?: number } {
  // SCIM 1.1 (T2): {"Errors":[{"description": "...", "code": 400}]}
  const errors = getCI(body, 'Errors');
  if (Array.isArray(errors) && isRecord(errors[0])) {
    const first = errors[0];
    return {
      detail: asString(getCI(first, 'description')) ?? asString(getCI(first, 'detail')),
      status: asInteger(getCI(first, 'code')),
    };
  }
  const status = asInteger(getCI(body, 'status'));
  const scimType = asString(getCI(body, 'scimType'));
  const errorField = getCI(body, 'error');
  const nested = isRecord(errorField) ? errorField : undefined;
  const detail =
    asString(getCI(body, 'detail')) ??
    asString(getCI(body, 'error_description')) ??
    asString(getCI(body, 'message')) ??
    (nested ? (asString(getCI(nested, 'message')) ?? asString(getCI(nested, 'detail'))) : undefined) ??
    asString(errorField) ??
    asString(getCI(body, 'title'));
  return { detail, scimType, status };
}

/** True when a 2xx body is in fact an RFC 7644 error message (a few servers do that). */
export function isScimErrorBody(body: unknown): boolean {
  if (!isRecord(body)) return false;
  const schemas = getCI(body, 'schemas');
  return Array.isArray(schemas) && schemas.some((s) => typeof s === 'string' && s.toLowerCase().endsWith(':api:messages:2.0:error'));
}

/**
 * Builds a ScimError from any error answer: RFC body (status as string or integer, T1), no status
 * (T3: the HTTP status wins anyway), SCIM 1.1 `Errors` (T2), HTML or text pages (T4, T7).
 * `json` is the parsed body when it was JSON, `text` the raw body.
 */
export function parseScimError(httpStatus: number, json: unknown, text: string, options: SanitizeOptions = {}): ScimError {
  let detail = '';
  let scimType: string | undefined;
  let bodyStatus: number | undefined;
  if (isRecord(json)) {
    const picked = pickDetail(json);
    detail = picked.detail ? sanitizeServerText(picked.detail, options) : '';
    if (picked.scimType && /^[A-Za-z][A-Za-z0-9]{0,39}$/.test(picked.scimType)) scimType = picked.scimType;
    bodyStatus = picked.status;
  } else if (json === undefined && text.trim()) {
    detail = sanitizeServerText(text, { ...options, maxLength: Math.min(options.maxLength ?? 200, 200) });
  }
  const validBodyStatus = bodyStatus !== undefined && bodyStatus >= 400 && bodyStatus <= 599 ? bodyStatus : undefined;
  const status = httpStatus >= 400 ? httpStatus : (validBodyStatus ?? 500);
  return new ScimError(status, scimType, detail || genericStatusText(status));
}
