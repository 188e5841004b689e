// Who is signed in, what they may do, and which endpoints this server has.
import { useQuery } from '@tanstack/react-query';
import { api, isApiError, setCsrfToken } from './client.ts';
import type { Me } from './types.ts';

export const meKey = ['me'] as const;

export async function fetchMe(): Promise<Me | null> {
  try {
    const me = await api.get<Me>('/api/v1/auth/me');
    setCsrfToken(me.csrfToken);
    return me;
  } catch (err) {
    if (isApiError(err, 401)) return null;
    throw err;
  }
}

export function useMe() {
  return useQuery({ queryKey: meKey, queryFn: fetchMe, staleTime: 5 * 60_000 });
}

/** read_only admins see the data but not the buttons that would be refused. */
export function useCanWrite(): boolean {
  const { data } = useMe();
  return data?.actor.role === 'admin';
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, unknown>>;
}

/**
 * Whether the server offers `method path` (OpenAPI path syntax, e.g. /api/v1/users/{id}/password).
 * Endpoints that land later (set password, activation email, sync status) appear without a portal release.
 */
export function useHasEndpoint(method: string, path: string): boolean {
  const { data } = useQuery({
    queryKey: ['openapi'],
    queryFn: () => api.get<OpenApiDocument>('/api/v1/openapi.json'),
    staleTime: Infinity,
    gcTime: Infinity,
  });
  return Boolean(data?.paths?.[path]?.[method.toLowerCase()]);
}
