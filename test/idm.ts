// Helpers for tests that connect an application to the project's test SCIM server.
import type { TestApp } from './app.ts';
import type { RunningScimServer } from './scim-server/index.ts';

export const SCIM_TOKEN = 'test-scim-token-abcdef';

/** Creates an application whose integration points at the test server (configured, not activated). */
export async function connectApplication(
  t: TestApp,
  scim: RunningScimServer,
  name: string,
  settings: Record<string, unknown> = {},
): Promise<string> {
  const app = await t.admin({ method: 'POST', url: '/api/v1/applications', payload: { name } });
  if (app.statusCode !== 201) throw new Error(`create application: ${app.body}`);
  const id = app.json().id as string;
  const put = await t.admin({
    method: 'PUT',
    url: `/api/v1/applications/${id}/idm`,
    payload: {
      baseUrl: scim.baseUrl,
      auth: { type: 'bearer', token: SCIM_TOKEN },
      settings: { rateLimitPerSecond: 10_000, rateLimitBurst: 10_000, ...settings },
    },
  });
  if (put.statusCode !== 200) throw new Error(`configure integration: ${put.body}`);
  return id;
}

/** Polls until check() returns a value (not undefined), or fails after timeoutMs. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
