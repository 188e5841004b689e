// Authentication and authorisation for every route, in one hook: each route says who may call it
// (config.auth: 'admin' | 'user' | 'public'), and one CSRF check covers both kinds of cookie session.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { resolveUserSession, type UserSession } from '../accounts/index.ts';
import { resolveApiKey, resolveSession } from '../auth/index.ts';
import { authenticateSource, type ScimSource } from '../inbound/index.ts';
import type { ScimRequestError } from '../scim/index.ts';
import type { Deps } from '../deps.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError } from '../shared/errors.ts';

/**
 * Who may call a route: admins (session cookie or API key), users (their own session cookie), SCIM
 * sources (their bearer token, on /scim/v2), anyone.
 */
export const ROUTE_AUTH = ['admin', 'user', 'scim', 'public'] as const;
export type RouteAuth = (typeof ROUTE_AUTH)[number];

export interface RouteEntry {
  method: string;
  url: string;
  auth: RouteAuth;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every route: registering a route without it fails. */
    auth?: RouteAuth;
    /** An admin route with a state-changing method that read_only admins may still call (logout). */
    allowReadOnly?: boolean;
    /** An admin route open to an admin who must enrol MFA before anything else (the organization requires it). */
    allowDuringMfaEnrolment?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | null;
    sessionId: string | null;
    csrfToken: string | null;
    /** A session that may only enrol MFA (the organization requires it). */
    mfaEnrolmentRequired: boolean;
    /** The signed-in user of a `user` route. */
    userSession: UserSession | null;
    /** The SCIM source of a `scim` route, once its token is checked. */
    scimSource: ScimSource | null;
    /** The SCIM error a `scim` route answered with, for the source's request log. */
    scimError: ScimRequestError | null;
  }
  interface FastifyInstance {
    /** Every route with its auth setting, for the test that walks them. */
    routeTable: RouteEntry[];
  }
}

export const SESSION_COOKIE = 'roster_session';
export const USER_SESSION_COOKIE = 'roster_user_session';
/** The user cookie goes only to the account API: admin routes never even receive it. */
export const USER_COOKIE_PATH = '/api/v1/account';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The authenticated actor of an admin route; throws 401 when there is none (the hook always sets one). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('UNAUTHENTICATED', 401, 'Sign in or send an API key');
  return request.actor;
}

/** The signed-in user of a `user` route; throws 401 when there is none (the hook always sets one). */
export function userSessionOf(request: FastifyRequest): UserSession {
  if (!request.userSession) throw new AppError('UNAUTHENTICATED', 401, 'Sign in to your account');
  return request.userSession;
}

/** The user session behind the request's user cookie, if any (signing out works without one). */
export async function findUserSession(request: FastifyRequest, deps: Deps): Promise<UserSession | undefined> {
  const token = request.cookies?.[USER_SESSION_COOKIE];
  const session = token ? await resolveUserSession(deps, token, deps.config.userSessionTtlMinutes) : undefined;
  return session && { ...session, actor: { ...session.actor, clientIp: request.ip } };
}

/**
 * Every route must say who may call it, so a forgotten setting cannot open a route: registration fails
 * without one. Call before any route or plugin registers routes.
 */
export function requireRouteAuth(app: FastifyInstance): void {
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    // The API's documentation is public, like the project's source.
    if (route.url.startsWith('/api/docs')) route.config = { ...route.config, auth: 'public' };
    const auth = route.config?.auth;
    if (!auth || !ROUTE_AUTH.includes(auth)) {
      throw new Error(`${String(route.method)} ${route.url}: config.auth must say who may call it (${ROUTE_AUTH.join(', ')})`);
    }
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url, auth });
  });
}

/** The origin a browser states for a request (Origin, else Referer's), or undefined when it states none. */
function statedOrigin(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (typeof origin === 'string') return origin;
  const referer = request.headers.referer;
  if (typeof referer !== 'string') return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/**
 * Defense in depth beside the content-type rule: a state-changing browser request must come from
 * Roster's own pages, that is from PUBLIC_URL or from the address the browser used to reach Roster (a
 * page on another site cannot choose the Host its request goes to, and SameSite=Strict cookies are not
 * sent cross-site). Requests that state no origin at all (non-browser clients) are left to the
 * content-type rule.
 */
function assertSameOrigin(request: FastifyRequest, trusted: string): void {
  const stated = statedOrigin(request);
  if (stated === undefined || stated === trusted || stated === `${request.protocol}://${request.host}`) return;
  throw new AppError(
    'CSRF_CHECK_FAILED',
    403,
    'This request comes from another site (Origin or Referer): state-changing requests must come from Roster itself',
  );
}

/**
 * The one CSRF rule for every state-changing request not made with an API key, whatever cookie it
 * carries (an admin's session, a user's, or none yet at sign-in): browsers can't send a JSON content
 * type cross-site without CORS, which Roster never allows. An admin session may send its CSRF token
 * instead.
 */
function assertJsonOrCsrfToken(request: FastifyRequest): void {
  if (/^application\/json\b/i.test(request.headers['content-type'] ?? '')) return;
  const expected = request.csrfToken;
  if (expected !== null && request.headers['x-csrf-token'] === expected) return;
  throw new AppError(
    'CSRF_CHECK_FAILED',
    403,
    expected === null
      ? 'State-changing requests must send Content-Type: application/json'
      : 'State-changing requests must send Content-Type: application/json or the X-CSRF-Token header',
  );
}

/** The token of `Authorization: Bearer <token>`, or undefined. */
const bearerToken = (request: FastifyRequest) => /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];

/** An admin route: an API key (Authorization: Bearer) or the admin session cookie. */
async function authenticateAdmin(request: FastifyRequest, deps: Deps): Promise<void> {
  const { db } = deps.database;
  const authz = request.headers.authorization;
  if (authz !== undefined) {
    const token = bearerToken(request);
    const actor = token ? await resolveApiKey({ db, clock: deps.clock }, token) : undefined;
    if (!actor) throw new AppError('UNAUTHENTICATED', 401, 'The API key is invalid or was revoked');
    request.actor = { ...actor, clientIp: request.ip };
    return;
  }
  const token = request.cookies?.[SESSION_COOKIE];
  const session = token ? await resolveSession({ db, clock: deps.clock }, token, deps.config.sessionTtlMinutes) : undefined;
  if (!session) throw new AppError('UNAUTHENTICATED', 401, 'Sign in or send an API key');
  request.actor = { ...session.actor, clientIp: request.ip };
  request.sessionId = session.sessionId;
  request.csrfToken = session.csrfToken;
  request.mfaEnrolmentRequired = session.mfaEnrolmentRequired;
  if (session.mfaEnrolmentRequired && !request.routeOptions.config?.allowDuringMfaEnrolment) {
    throw new AppError('MFA_ENROLMENT_REQUIRED', 403, 'This organization requires MFA for every admin: set up an authenticator app first');
  }
}

/** A user route: the user's own session cookie (an admin session is not one). */
async function authenticateUser(request: FastifyRequest, deps: Deps): Promise<void> {
  const session = await findUserSession(request, deps);
  if (!session) throw new AppError('UNAUTHENTICATED', 401, 'Sign in to your account');
  request.userSession = session;
}

/** A SCIM source's route: its bearer token. */
async function authenticateScimSource(request: FastifyRequest, deps: Deps): Promise<void> {
  const token = bearerToken(request);
  const source = token ? await authenticateSource({ db: deps.database.db }, token) : undefined;
  if (!source) throw new AppError('UNAUTHENTICATED', 401, 'Send the token of an active SCIM source as Authorization: Bearer');
  request.scimSource = source;
}

export function installAuth(app: FastifyInstance, deps: Deps): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionId', null);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('mfaEnrolmentRequired', false);
  app.decorateRequest('userSession', null);
  app.decorateRequest('scimSource', null);
  app.decorateRequest('scimError', null);

  const trusted = new URL(deps.config.publicUrl).origin;
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const config = request.routeOptions.config;
    const browserWrite = !SAFE_METHODS.has(request.method) && request.headers.authorization === undefined;
    // Before anything else, public routes included (sign-in, setup, account pages): a browser's write
    // from another site is refused whatever it authenticates with, except an API key.
    if (browserWrite) assertSameOrigin(request, trusted);
    if (request.routeOptions.url === undefined) return; // no route: the JSON 404
    if (config?.auth === 'admin') await authenticateAdmin(request, deps);
    else if (config?.auth === 'user') await authenticateUser(request, deps);
    else if (config?.auth === 'scim') await authenticateScimSource(request, deps);
    else if (config?.auth !== 'public') throw new AppError('FORBIDDEN', 403, 'This route says nobody may call it');
    if (browserWrite) assertJsonOrCsrfToken(request);
    if (config.auth === 'admin' && !SAFE_METHODS.has(request.method) && request.actor?.role !== 'admin' && !config.allowReadOnly) {
      throw new AppError('FORBIDDEN', 403, 'Your role is read_only: this action needs the admin role');
    }
  });
}
