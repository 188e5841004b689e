// Test helpers: tiny node:http servers on 127.0.0.1 that tests script request by request.
// Not used by production code.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: unknown;
}

export type Handler = (req: RecordedRequest, res: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

export interface TestServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Client source port of each request, to tell connections apart. */
  sockets: number[];
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const sockets: number[] = [];
  const server = http.createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on('data', (c: Buffer) => chunks.push(c));
    raw.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const parsed = new URL(raw.url ?? '/', 'http://127.0.0.1');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const rec: RecordedRequest = {
        method: raw.method ?? 'GET',
        url: raw.url ?? '/',
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: raw.headers,
        body,
        json,
      };
      requests.push(rec);
      sockets.push(raw.socket.remotePort ?? 0);
      Promise.resolve(handler(rec, res, raw)).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(599);
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    sockets,
    close: () => closeServer(server),
  };
}

/** Closes an HTTP server, ending its keep-alive connections instead of waiting for them. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/scim+json', ...headers });
  res.end(text);
}

export function listBody(resources: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults: resources.length,
    Resources: resources,
    ...extra,
  };
}

export function user(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id, userName: `${id}@example.test`, ...extra };
}

/** Options for a client against a test server: fast retries, no throttling surprises. */
export const FAST = {
  retries: { max: 3, baseDelayMs: 1, maxDelayMs: 5 },
  rateLimit: null,
  timeoutMs: 2000,
  paging: { discover: false },
} as const;

/** What a failed call threw, loosely typed so tests can check either error family. */
export interface Failure extends Error {
  code?: string;
  status?: number;
  scimType?: string;
  detail?: string;
  isNotFound?: boolean;
  retryable?: boolean;
  outcomeUnknown?: boolean;
  retryAfterMs?: number;
}

export async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (err) {
    return err as Failure;
  }
  throw new Error('expected a failure');
}
