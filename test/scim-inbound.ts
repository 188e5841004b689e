// A SCIM source of a test app and requests as it: the bearer token, application/scim+json.
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.ts';

export interface TestSource {
  id: string;
  token: string;
  baseUrl: string;
  /** A request to /scim/v2 + path as this source. */
  scim: (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<LightMyRequestResponse>;
}

export async function createSource(
  t: Pick<TestApp, 'admin' | 'app'>,
  name: string,
  settings: Record<string, unknown> = {},
): Promise<TestSource> {
  const r = await t.admin({ method: 'POST', url: '/api/v1/scim-sources', payload: { name, settings } });
  if (r.statusCode !== 201) throw new Error(`creating the SCIM source failed: ${r.statusCode} ${r.body}`);
  const { id, token, baseUrl } = r.json() as { id: string; token: string; baseUrl: string };
  return {
    id,
    token,
    baseUrl,
    scim: (method, path, body, headers = {}) =>
      t.app.inject({
        method,
        url: `/scim/v2${path}`,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      }),
  };
}

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A SCIM User body as identity providers send it. */
export function scimUser(userName: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    userName,
    name: { givenName: 'Ada', familyName: userName },
    emails: [{ value: `${userName.toLowerCase()}@example.com`, type: 'work', primary: true }],
    active: true,
    ...over,
  };
}
