// A plain HTTP server per test with a handler the test writes, and ScimClients of it, for the SCIM
// transport's tests: everything a test starts is closed after it.
import { afterEach } from 'vitest';
import type { ScimClientOptions, ScimLogger } from '../server/scim/index.ts';
import { ScimClient } from '../server/scim/index.ts';
import { FAST, startServer, type Handler, type TestServer } from './scim-fixtures.ts';
import { TEST_NETWORK } from './network.ts';

export function httpHarness() {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanup.length) await (cleanup.pop() as () => Promise<void>)();
  });
  const serve = async (handler: Handler): Promise<TestServer> => {
    const server = await startServer(handler);
    cleanup.push(() => server.close());
    return server;
  };
  const client = (server: TestServer | string, options: Partial<ScimClientOptions> = {}): ScimClient => {
    const c = new ScimClient({
      network: TEST_NETWORK,
      baseUrl: typeof server === 'string' ? server : `${server.url}/scim/v2/`,
      auth: { type: 'bearer', token: 'tok-SECRET-123' },
      ...FAST,
      ...options,
    });
    cleanup.push(() => c.close());
    return c;
  };
  return { serve, client, cleanup };
}

/** A logger that keeps every line as `level message {fields}`. */
export function capture(): ScimLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn') };
}

/** A handler that never answers. */
export const never: Handler = () => {};
