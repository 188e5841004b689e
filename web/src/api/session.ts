// Who is signed in, what they may do, and which endpoints this server has.
import { useQuery } from '@tanstack/react-query';
import { client, data, errorOf, isApiError, setCsrfToken } from './client.ts';
import { sessionKeys } from './keys.ts';
import type { Me } from './types.ts';

export async function fetchMe(): Promise<Me | null> {
  try {
    const me = await data(client.GET('/api/v1/auth/me'));
    setCsrfToken(me.csrfToken);
    return me;
  } catch (err) {
    if (isApiError(err, 401)) return null;
    throw err;
  }
}

export function useMe() {
  return useQuery({ queryKey: sessionKeys.me, queryFn: fetchMe, staleTime: 5 * 60_000 });
}

/** read_only admins see the data but not the buttons that would be refused. */
export function useCanWrite(): boolean {
  const { data } = useMe();
  return data?.actor.role === 'admin';
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, unknown>>;
}

// The document itself is not one of its paths, so it is fetched without the typed client.
async function fetchDocument(): Promise<OpenApiDocument> {
  const res = await fetch('/api/v1/openapi.json', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as OpenApiDocument;
}

/**
 * Whether the server offers `method path` (OpenAPI path syntax, e.g. /api/v1/users/{id}/password).
 * Endpoints that land later (set password, activation email, sync status) appear without a portal release.
 */
export function useHasEndpoint(method: string, path: string): boolean {
  const { data } = useQuery({ queryKey: sessionKeys.openapi, queryFn: fetchDocument, staleTime: Infinity, gcTime: Infinity });
  return Boolean(data?.paths?.[path]?.[method.toLowerCase()]);
}
