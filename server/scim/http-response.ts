// What comes back from undici, made into an answer or a ScimClientError: the body read within its
// size cap and decoded (JSON whatever the Content-Type, T4; a web page named as such), and the
// network, TLS and timeout failures told apart (sent or not: whether a retry may repeat a change).
import { looksLikeHtml, ScimClientError, type ScimError } from './errors.ts';
import { abortError } from './limits.ts';

export const ERROR_BODY_LIMIT = 64 * 1024;
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

export class AttemptTimeout extends Error {}

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  return String(e?.code ?? e?.cause?.code ?? '');
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

export function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value !== undefined) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Drops a body we won't read; undici reports that as an error nobody needs to hear. */
export function discard(body: { on(event: 'error', fn: () => void): unknown; destroy(): void }): void {
  body.on('error', () => {});
  body.destroy();
}

/** Rejects when `signal` aborts even if `promise` never settles (undici can leave one pending). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
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

/** Streams the body, stopping past `limit`: too large is an error for 2xx, truncation for errors. */
export async function readBody(
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

export function decodeBody(text: string, status: number, host: string): { json: unknown; text: string } {
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

export function mapTransportError(
  err: unknown,
  ctx: { signal: AbortSignal; controller: AbortController; idempotent: boolean; host: string; timeoutMs: number },
): ScimClientError {
  if (ctx.signal.aborted) return abortError(ctx.signal);
  if (ctx.controller.signal.reason instanceof AttemptTimeout || /TIMEOUT/.test(errorCode(err))) {
    const notSent = errorCode(err) === 'UND_ERR_CONNECT_TIMEOUT';
    const unknown = !notSent && !ctx.idempotent;
    return new ScimClientError(
      'TIMEOUT',
      notSent
        ? `Connecting to ${ctx.host} timed out.`
        : `The server at ${ctx.host} did not answer within ${seconds(ctx.timeoutMs)}.` +
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

export function rateLimitedError(status: number, retryAfterMs: number | undefined, cause: ScimError): ScimClientError | ScimError {
  if (status !== 429) return cause;
  const wait = retryAfterMs === undefined ? '' : ` The server asked to wait ${seconds(retryAfterMs)}.`;
  return new ScimClientError('RATE_LIMITED', `The SCIM server is rate limiting requests.${wait}`, {
    retryable: true,
    retryAfterMs,
    status,
    cause,
  });
}
