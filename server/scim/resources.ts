// One user or group by id: read, create, replace, patch. Shared by both resource types; each
// answer is parsed by the type's own parser, and the odd answers of real servers are handled here:
// a 400 for an unknown id (T6), a create that names the new id only in Location, a PATCH or PUT
// that answers 204 or without the resource (C5).
import { idFromLocation, resourcePath, type CallOptions, type ScimCompat, type WriteOptions } from './client-options.ts';
import { ScimClientError, ScimError } from './errors.ts';
import type { HttpRequest, HttpResponse } from './http.ts';
import { isIdempotentPatch, patchOp } from './patch.ts';
import type { PatchOperation, ScimPatchOp } from './types.ts';

export type Endpoint = 'Users' | 'Groups';

/** What the operations need of the client. */
export interface ResourceContext {
  send(req: HttpRequest): Promise<HttpResponse>;
  baseUrl: string;
  compat: ScimCompat;
}

/** The JSON body of an answer that must have one. */
export function bodyOf(res: HttpResponse, what: string): unknown {
  if (res.json === undefined) throw new ScimClientError('NOT_SCIM', `The server answered without a ${what}.`, { status: res.status });
  return res.json;
}

export async function getResource<T>(
  ctx: ResourceContext,
  endpoint: Endpoint,
  id: string,
  parse: (raw: unknown) => T,
  options: CallOptions,
): Promise<T> {
  try {
    const res = await ctx.send({ method: 'GET', path: resourcePath(endpoint, id), signal: options.signal });
    const what = endpoint === 'Users' ? 'user' : 'group';
    const resource = parse(bodyOf(res, what)) as T & { id?: string };
    if (!resource.id)
      throw new ScimClientError('NOT_SCIM', `The server's answer is not a SCIM ${what}: it has no id.`, { status: res.status });
    return resource;
  } catch (err) {
    if (err instanceof ScimError && err.status === 400 && ctx.compat.notFoundOn400) {
      throw new ScimError(404, err.scimType, err.detail);
    }
    throw err;
  }
}

export async function createResource<T extends { id?: string }>(
  ctx: ResourceContext,
  endpoint: Endpoint,
  resource: T,
  parse: (raw: unknown) => T,
  options: CallOptions,
): Promise<T> {
  const res = await ctx.send({ method: 'POST', path: `/${endpoint}`, body: resource, signal: options.signal });
  if (res.json !== undefined) {
    const created = parse(res.json);
    if (created.id) return created;
  }
  // No id in the body (C1 has the reverse problem): the Location header may still carry it.
  const id = idFromLocation(res.headers.location, ctx.baseUrl);
  if (id) return getResource(ctx, endpoint, id, parse, options);
  throw new ScimClientError(
    'NOT_SCIM',
    'The server accepted the new resource but did not say its id; look it up before creating it again.',
    {
      outcomeUnknown: true,
      status: res.status,
    },
  );
}

export async function replaceResource<T extends { id?: string }>(
  ctx: ResourceContext,
  endpoint: Endpoint,
  id: string,
  resource: T,
  parse: (raw: unknown) => T,
  options: WriteOptions,
): Promise<T> {
  // meta is read-only; unknown extension blocks are kept as they were read (T11).
  const { meta: _meta, ...body } = resource as T & { meta?: unknown };
  const res = await ctx.send({ method: 'PUT', path: resourcePath(endpoint, id), body: { ...body, id }, signal: options.signal });
  if (res.json !== undefined) return parse(res.json);
  return getResource(ctx, endpoint, id, parse, options);
}

export async function patchResource<T>(
  ctx: ResourceContext,
  endpoint: Endpoint,
  id: string,
  operations: PatchOperation[] | ScimPatchOp,
  parse: (raw: unknown) => T,
  options: WriteOptions,
): Promise<T | undefined> {
  const body = Array.isArray(operations) ? patchOp(operations) : operations;
  if (!body.Operations.length) return options.returnResource ? getResource(ctx, endpoint, id, parse, options) : undefined;
  const path = resourcePath(endpoint, id);
  const res = await ctx.send({ method: 'PATCH', path, body, idempotent: isIdempotentPatch(body.Operations), signal: options.signal });
  if (res.json !== undefined && res.status !== 204) {
    try {
      const parsed = parse(res.json) as T & { id?: string };
      if (parsed.id) return parsed;
    } catch {
      // An odd body on a successful PATCH is not a failure; GET below if asked.
    }
  }
  return options.returnResource ? getResource(ctx, endpoint, id, parse, options) : undefined;
}
