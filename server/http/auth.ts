// Authentication and authorisation for every route: session cookie or API key, roles, CSRF.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { resolveApiKey, resolveSession } from '../auth/index.ts';
import type { Actor } from '../shared/actor.ts';
import { AppError } from '../shared/errors.ts';
import type { Deps } from '../deps.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** No authentication at all (login, health, public account pages). */
    public?: boolean;
    /** A state-changing route that read_only admins may still call (logout). */
    allowReadOnly?: boolean;
    /** Open to an admin who must enrol MFA before anything else (the organization requires it). */
    allowDuringMfaEnrolment?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | null;
    sessionId: string | null;
    csrfToken: string | null;
    /** A session that may only enrol MFA (the organization requires it). */
    mfaEnrolmentRequired: boolean;
  }
}

export const SESSION_COOKIE = 'roster_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The authenticated actor of a request; throws 401 when there is none (routes behind the hook always have one). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('UNAUTHENTICATED', 401, 'Sign in or send an API key');
  return request.actor;
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
export function assertSameOrigin(request: FastifyRequest, trusted: string): void {
  const stated = statedOrigin(request);
  if (stated === undefined || stated === trusted || stated === `${request.protocol}://${request.host}`) return;
  throw new AppError(
    'CSRF_CHECK_FAILED',
    403,
    'This request comes from another site (Origin or Referer): state-changing requests must come from Roster itself',
  );
}

export function installAuth(app: FastifyInstance, deps: Deps): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionId', null);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('mfaEnrolmentRequired', false);

  const trusted = new URL(deps.config.publicUrl).origin;
  app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    const config = request.routeOptions.config;
    // Before anything else, public routes included (sign-in, setup, account pages): a browser's write
    // from another site is refused whatever it authenticates with, except an API key.
    if (!SAFE_METHODS.has(request.method) && request.headers.authorization === undefined) assertSameOrigin(request, trusted);
    if (request.routeOptions.url === undefined || config?.public) return;
    const { db } = deps.database;

    const authz = request.headers.authorization;
    if (authz !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authz);
      const actor = m ? await resolveApiKey({ db, clock: deps.clock }, m[1]) : undefined;
      if (!actor) throw new AppError('UNAUTHENTICATED', 401, 'The API key is invalid or was revoked');
      request.actor = { ...actor, clientIp: request.ip };
    } else {
      const token = request.cookies?.[SESSION_COOKIE];
      const session = token ? await resolveSession({ db, clock: deps.clock }, token, deps.config.sessionTtlMinutes) : undefined;
      if (!session) throw new AppError('UNAUTHENTICATED', 401, 'Sign in or send an API key');
      request.actor = { ...session.actor, clientIp: request.ip };
      request.sessionId = session.sessionId;
      request.csrfToken = session.csrfToken;
      request.mfaEnrolmentRequired = session.mfaEnrolmentRequired;
      if (session.mfaEnrolmentRequired && !config?.allowDuringMfaEnrolment) {
        throw new AppError(
          'MFA_ENROLMENT_REQUIRED',
          403,
          'This organization requires MFA for every admin: set up an authenticator app first',
        );
      }
      // Browsers can't send a JSON content type cross-site without CORS, which Roster never allows.
      if (!SAFE_METHODS.has(request.method)) {
        const ct = request.headers['content-type'] ?? '';
        const token = request.headers['x-csrf-token'];
        if (!/^application\/json\b/i.test(ct) && token !== session.csrfToken) {
          throw new AppError(
            'CSRF_CHECK_FAILED',
            403,
            'State-changing requests must send Content-Type: application/json or the X-CSRF-Token header',
          );
        }
      }
    }
    if (!SAFE_METHODS.has(request.method) && request.actor.role !== 'admin' && !config?.allowReadOnly) {
      throw new AppError('FORBIDDEN', 403, 'Your role is read_only: this action needs the admin role');
    }
  });
}
