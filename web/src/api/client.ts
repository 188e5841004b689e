// The one way the portal talks to Roster: same-origin fetch with the session cookie, JSON both ways,
// typed by the server's OpenAPI document (openapi.gen.ts), and the API's error body turned into an
// ApiError whose message the screens show as is.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './openapi.gen.ts';

export interface FieldProblem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** Field problems from a 400 VALIDATION_FAILED (or any details in that shape). */
  get problems(): FieldProblem[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.filter((d): d is FieldProblem => typeof d?.path === 'string' && typeof d?.message === 'string');
  }
}

// Sent alongside the JSON content type; either one satisfies the server's CSRF check.
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Query = Record<string, unknown>;

/** The query string of the set values (undefined, null and '' are left out). */
function queryString(query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  return params.toString();
}

export function withQuery(path: string, query?: Query): string {
  const s = queryString(query);
  return s ? `${path}?${s}` : path;
}

const NETWORK_MESSAGE = 'Roster did not answer. Check your network connection and that the server is running, then try again.';

/** The ApiError for an answer that is not 2xx: the API's error body, or the status when there is none. */
export async function errorOf(res: Response): Promise<ApiError> {
  let data: unknown;
  try {
    const text = await res.text();
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  const e = (data as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  return new ApiError(
    res.status,
    e?.code ?? `HTTP_${res.status}`,
    e?.message ?? `The server answered ${res.status} ${res.statusText}. Try again in a moment.`,
    e?.details,
  );
}

const conventions: Middleware = {
  onRequest({ request }) {
    request.headers.set('accept', 'application/json');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      // Even bodyless writes carry the JSON content type: it is the CSRF proof.
      request.headers.set('content-type', 'application/json');
      if (csrfToken) request.headers.set('x-csrf-token', csrfToken);
    }
    return request;
  },
  async onResponse({ response }) {
    if (!response.ok) throw await errorOf(response);
    return undefined;
  },
  onError({ error }) {
    if ((error as Error).name === 'AbortError' || error instanceof ApiError) return error as Error;
    return new ApiError(0, 'NETWORK', NETWORK_MESSAGE);
  },
};

/** Every call resolves with the answer's data or rejects with an ApiError (or the AbortError of its signal). */
export const client = createClient<paths>({ credentials: 'same-origin', querySerializer: queryString });
client.use(conventions);

type DataOf<R> = R extends { data: infer D } ? D : never;

/** The data of a call of `client` (its errors are thrown), e.g. `await data(client.GET('/api/v1/users'))`. */
export async function data<R extends { data?: unknown }>(call: Promise<R>): Promise<DataOf<R>> {
  return (await call).data as DataOf<R>;
}

/** The JSON answer of an endpoint that can also answer CSV (format=csv): the portal's calls ask for JSON. */
export function json<T>(answer: T | string): T {
  if (typeof answer === 'string') throw new ApiError(0, 'UNEXPECTED_ANSWER', 'Roster answered text where JSON was expected.');
  return answer;
}

export const isApiError = (err: unknown, status?: number): err is ApiError =>
  err instanceof ApiError && (status === undefined || err.status === status);
