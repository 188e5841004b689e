// /scim/v2: Roster as a SCIM 2.0 service provider (RFC 7643/7644) for identity providers and HR systems.
// An encapsulated plugin: its own content type (application/scim+json), its own error body (RFC 7644
// 3.12), and bearer tokens of SCIM sources (config.auth 'scim', http/auth.ts). Discovery answers with
// or without a token. Every request of a source is logged for its page in the portal, without bodies.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { activationContextOf } from '../../accounts/index.ts';
import type { Deps } from '../../deps.ts';
import { storageProblem } from '../../db/errors.ts';
import {
  createScimGroup,
  createScimUser,
  deleteScimGroup,
  deleteScimUser,
  getScimGroup,
  getScimUser,
  listScimGroups,
  listScimUsers,
  patchScimGroup,
  patchScimUser,
  replaceScimGroup,
  replaceScimUser,
  checkRemoval,
  commitGuardrailPause,
  GuardrailPausedError,
  type Projection,
  type ScimContext,
  serviceProviderConfig,
  sourceActor,
  sourceBaseUrl,
  wholeList,
} from '../../inbound/index.ts';
import { resourceTypeDocuments, schemaDocuments, ScimRequestError, scimErrorBody } from '../../scim/index.ts';
import { AppError } from '../../shared/errors.ts';
import type { App } from '../common.ts';

export const SCIM_PREFIX = '/scim/v2';
const SCIM_TYPE = 'application/scim+json; charset=utf-8';

type Json = Record<string, unknown>;
type Query = Record<string, string | undefined>;

/** Any error as a SCIM error (status, scimType, detail), never with internals. */
function asScimError(err: unknown, request: FastifyRequest): ScimRequestError {
  if (err instanceof ScimRequestError) return err;
  if (err instanceof AppError) {
    const scimType = err.status === 409 ? 'uniqueness' : err.status === 400 ? 'invalidValue' : undefined;
    return new ScimRequestError(err.status, scimType, err.message);
  }
  const fe = err as FastifyError;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ScimRequestError(413, undefined, 'The request body is too large');
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new ScimRequestError(415, undefined, 'Send the body as application/scim+json (or application/json)');
  if (fe.statusCode === 429) return new ScimRequestError(429, undefined, 'Too many requests from this SCIM source; slow down and retry');
  if (fe.code?.startsWith('FST_ERR_CTP') || err instanceof SyntaxError)
    return new ScimRequestError(400, 'invalidSyntax', 'The request body is not valid JSON');
  const storage = storageProblem(err);
  if (storage) {
    request.log.error({ err }, 'the database cannot store anything');
    return new ScimRequestError(503, undefined, `Roster cannot store anything right now: ${storage}. Nothing of this request was saved.`);
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500)
    return new ScimRequestError(fe.statusCode, undefined, fe.message);
  request.log.error({ err }, 'SCIM request failed');
  return new ScimRequestError(500, undefined, 'Internal server error');
}

function send(reply: FastifyReply, status: number, body: Json): FastifyReply {
  const version = (body.meta as { version?: string } | undefined)?.version;
  if (version) reply.header('etag', version);
  return reply.code(status).type(SCIM_TYPE).send(JSON.stringify(body));
}

const projectionOf = (q: Query) => ({ attributes: q.attributes, excludedAttributes: q.excludedAttributes });
const ifMatchOf = (request: FastifyRequest) => {
  const v = request.headers['if-match'];
  return typeof v === 'string' ? v : undefined;
};

/** A list request's parameters from the query string, or from a POST /.search body (RFC 7644 3.4.3). */
function searchParams(body: unknown): Query {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ScimRequestError(400, 'invalidSyntax', 'The body of a search must be a SearchRequest object');
  const out: Query = {};
  for (const [k, v] of Object.entries(body)) {
    const key = ['filter', 'sortBy', 'sortOrder', 'startIndex', 'count', 'attributes', 'excludedAttributes'].find(
      (n) => n.toLowerCase() === k.toLowerCase(),
    );
    if (!key) continue;
    if (Array.isArray(v) && (key === 'attributes' || key === 'excludedAttributes')) out[key] = v.map(String).join(',');
    else if (typeof v === 'string' || typeof v === 'number') out[key] = String(v);
    else
      throw new ScimRequestError(
        400,
        'invalidValue',
        `${key} must be a string${key === 'count' || key === 'startIndex' ? ' or a number' : ''}`,
      );
  }
  return out;
}

/** The plugin's own instance (its parser, error handler and hooks are its own). */
type ScimApp = App;

const guardrailContextOf = (deps: Deps) => ({
  db: deps.database.db,
  clock: deps.clock,
  queue: deps.queue,
  publicUrl: deps.config.publicUrl,
});

/** The context of one source's request: the directory's, with the source as the actor. */
function contextOf(deps: Deps, request: FastifyRequest): ScimContext {
  const source = request.scimSource;
  if (!source) throw new ScimRequestError(401, undefined, 'Send the SCIM source token as Authorization: Bearer');
  return {
    db: deps.database.db,
    clock: deps.clock,
    changes: deps.changes,
    source,
    actor: { ...sourceActor(source), clientIp: request.ip },
    baseUrl: sourceBaseUrl(deps.config.publicUrl),
    activation: activationContextOf(deps),
    counts: deps.counts,
    beforeRemoval: async (db, userId, kind) => {
      const verdict = await checkRemoval({ ...guardrailContextOf(deps), db }, source, userId, kind);
      if (!verdict.allowed) throw verdict.error;
    },
  };
}

/** The plugin's content type, its RFC 7644 errors, and the log of each source's requests. */
function installProtocol(scim: ScimApp, deps: Deps): void {
  const parseJson = scim.getDefaultJsonParser('error', 'error');
  scim.addContentTypeParser('application/scim+json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    void parseJson(request, body as string, done);
  });
  scim.setErrorHandler(async (err, request, reply) => {
    const e = asScimError(err, request);
    if (e.status === 401) reply.header('www-authenticate', 'Bearer realm="Roster SCIM"');
    if (err instanceof GuardrailPausedError) {
      // The request's transaction rolled the pause back with everything else: it is written now.
      await commitGuardrailPause(guardrailContextOf(deps), err);
      reply.header('retry-after', String(err.retryAfterSeconds));
    }
    request.scimError = e;
    return reply
      .code(e.status)
      .type(SCIM_TYPE)
      .send(JSON.stringify(scimErrorBody(e)));
  });
  scim.setNotFoundHandler((request, reply) => {
    const e = new ScimRequestError(404, undefined, `No SCIM endpoint ${request.method} ${request.url.split('?')[0]}`);
    reply
      .code(404)
      .type(SCIM_TYPE)
      .send(JSON.stringify(scimErrorBody(e)));
  });
  // The log of the source's requests (its page in the portal): method, path, status, time, the SCIM
  // error if any. Never a body or a header.
  scim.addHook('onResponse', async (request, reply) => {
    const source = request.scimSource;
    if (!source) return;
    const e = request.scimError;
    deps.scimRequestLog.add({
      sourceId: source.id,
      organizationId: source.organizationId,
      at: deps.clock.now().toISOString(),
      method: request.method,
      path: request.url,
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime),
      scimType: e?.scimType,
      detail: e?.detail,
      resourceType: request.url.includes('/Groups') ? 'Group' : request.url.includes('/Users') ? 'User' : undefined,
      resourceId: (request.params as { id?: string } | undefined)?.id,
    });
  });
}

const discovery = { config: { auth: 'public' as const }, schema: { hide: true } };

function discoveryRoutes(scim: ScimApp, deps: Deps): void {
  const baseUrl = () => sourceBaseUrl(deps.config.publicUrl);
  const one = (kind: string, items: () => Json[]) => async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const found = items().find((d) => d.id === request.params.id);
    if (!found) throw new ScimRequestError(404, undefined, `No ${kind} ${JSON.stringify(request.params.id.slice(0, 100))}`);
    return send(reply, 200, found);
  };
  scim.get('/ServiceProviderConfig', discovery, async (_request, reply) => send(reply, 200, serviceProviderConfig(baseUrl())));
  scim.get('/ResourceTypes', discovery, async (_request, reply) => send(reply, 200, wholeList(resourceTypeDocuments(baseUrl()))));
  scim.get(
    '/ResourceTypes/:id',
    discovery,
    one('resource type', () => resourceTypeDocuments(baseUrl())),
  );
  scim.get('/Schemas', discovery, async (_request, reply) => send(reply, 200, wholeList(schemaDocuments(baseUrl()))));
  scim.get(
    '/Schemas/:id',
    discovery,
    one('schema', () => schemaDocuments(baseUrl())),
  );
}

/** What one kind of resource (Users, Groups) answers with. */
interface ResourceService {
  list(ctx: ScimContext, params: Query, projection: Projection): Promise<Json>;
  create(ctx: ScimContext, body: unknown): Promise<Json>;
  get(ctx: ScimContext, id: string, projection: Projection): Promise<Json>;
  replace(ctx: ScimContext, id: string, body: unknown, ifMatch: string | undefined): Promise<Json>;
  patch(ctx: ScimContext, id: string, body: unknown, ifMatch: string | undefined, projection: Projection): Promise<Json>;
  remove(ctx: ScimContext, id: string, ifMatch: string | undefined): Promise<void>;
}

const USERS: ResourceService = {
  list: listScimUsers,
  create: createScimUser,
  get: getScimUser,
  replace: replaceScimUser,
  patch: patchScimUser,
  remove: deleteScimUser,
};
const GROUPS: ResourceService = {
  list: listScimGroups,
  create: createScimGroup,
  get: getScimGroup,
  replace: replaceScimGroup,
  patch: patchScimGroup,
  remove: deleteScimGroup,
};

function resourceRoutes(scim: ScimApp, deps: Deps, path: '/Users' | '/Groups', service: ResourceService): void {
  const rateLimit = {
    max: (request: FastifyRequest) => request.scimSource?.settings.rateLimitPerSecond ?? 100,
    timeWindow: 1000,
    keyGenerator: (request: FastifyRequest) => `scim:${request.scimSource?.id ?? request.ip}`,
  };
  const options = { config: { auth: 'scim' as const, rateLimit }, schema: { hide: true } };
  const ctx = (request: FastifyRequest) => contextOf(deps, request);
  type WithId = { Params: { id: string }; Querystring: Query };
  type WithQuery = { Querystring: Query };
  scim.get<WithQuery>(path, options, async (request, reply) =>
    send(reply, 200, await service.list(ctx(request), request.query, projectionOf(request.query))),
  );
  scim.post(`${path}/.search`, options, async (request, reply) => {
    const q = searchParams(request.body);
    return send(reply, 200, await service.list(ctx(request), q, projectionOf(q)));
  });
  scim.post(path, options, async (request, reply) => {
    const created = await service.create(ctx(request), request.body);
    reply.header('location', (created.meta as { location: string }).location);
    return send(reply, 201, created);
  });
  scim.get<WithId>(`${path}/:id`, options, async (request, reply) =>
    send(reply, 200, await service.get(ctx(request), request.params.id, projectionOf(request.query))),
  );
  scim.put<WithId>(`${path}/:id`, options, async (request, reply) =>
    send(reply, 200, await service.replace(ctx(request), request.params.id, request.body, ifMatchOf(request))),
  );
  scim.patch<WithId>(`${path}/:id`, options, async (request, reply) =>
    send(reply, 200, await service.patch(ctx(request), request.params.id, request.body, ifMatchOf(request), projectionOf(request.query))),
  );
  scim.delete<WithId>(`${path}/:id`, options, async (request, reply) => {
    await service.remove(ctx(request), request.params.id, ifMatchOf(request));
    return reply.code(204).send();
  });
}

export function scimRoutes(app: App, deps: Deps): void {
  void app.register(
    async (scim) => {
      installProtocol(scim, deps);
      discoveryRoutes(scim, deps);
      resourceRoutes(scim, deps, '/Users', USERS);
      resourceRoutes(scim, deps, '/Groups', GROUPS);
      const unsupported = { config: { auth: 'scim' as const }, schema: { hide: true } };
      scim.all('/Me', unsupported, async () => {
        throw new ScimRequestError(501, undefined, 'Roster does not support /Me: a source acts for itself, not for a user');
      });
      scim.all('/Bulk', unsupported, async () => {
        throw new ScimRequestError(501, undefined, 'Roster does not support bulk operations (see /ServiceProviderConfig)');
      });
    },
    { prefix: SCIM_PREFIX },
  );
}
