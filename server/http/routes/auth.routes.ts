// Admins' sign-in (password, then the second factor), session, own password and MFA, and the
// first-admin setup.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { type App, routeGroups, routeOptions } from '../common.ts';
import { actorOf, SESSION_COOKIE } from '../auth.ts';
import { DEFAULT_ORGANIZATION_ID } from '../../shared/actor.ts';
import { changeOwnAdminPassword } from '../../auth/index.ts';
import * as admins from '../../auth/index.ts';
import * as mfa from '../../auth/index.ts';
import * as sessions from '../../auth/index.ts';
import {
  adminSchema,
  emailSchema,
  MFA_LOGIN_PATH,
  MFA_PENDING_COOKIE,
  newPasswordSchema,
  roleSchema,
  secondFactorSchema,
  totpCode,
} from './auth.schemas.ts';

const publicRoute = routeOptions('public', ['auth']);
const adminRoute = routeOptions('admin', ['auth']);

const signedIn = z.object({
  admin: adminSchema,
  csrfToken: z.string(),
  expiresAt: z.string(),
  mfaEnrolmentRequired: z.boolean().describe('The organization requires MFA and this admin has none: this session may only enrol'),
});

interface SignedIn extends z.infer<typeof signedIn> {
  sessionToken: string;
}

/** At most max requests a minute from one client address (the rate-limit plugin's default key). */
const perMinute = (max: number) => ({ max, timeWindow: '1 minute' });

const secureCookie = (deps: Deps, request: FastifyRequest) => deps.config.publicUrl.startsWith('https:') || request.protocol === 'https';

/** Sets the session cookie of a completed sign-in and answers with what the portal needs. */
function startSession(deps: Deps, request: FastifyRequest, reply: FastifyReply, result: SignedIn) {
  reply.setCookie(SESSION_COOKIE, result.sessionToken, {
    httpOnly: true,
    sameSite: 'strict',
    secure: secureCookie(deps, request),
    path: '/',
    expires: new Date(Date.now() + sessions.SESSION_ABSOLUTE_MAX_MS),
  });
  const { admin, csrfToken, expiresAt, mfaEnrolmentRequired } = result;
  return { admin, csrfToken, expiresAt, mfaEnrolmentRequired };
}

export const authRoutes = routeGroups(passwordSignInRoute, secondFactorSignInRoute, sessionRoutes, ownMfaRoutes, setupRoutes);

/** The first sign-in step: a session, or (the admin has MFA) a pending cookie for the second step. */
function passwordSignInRoute(app: App, deps: Deps): void {
  app.post(
    '/api/v1/auth/login',
    publicRoute(
      {
        description:
          'Signs in with email and password. An admin with MFA gets `{mfaRequired: true}` and a short-lived ' +
          'pending cookie instead of a session: the code goes to POST /api/v1/auth/login/mfa.',
        body: z.object({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(1024) }).strict(),
        response: { 200: z.union([signedIn, z.object({ mfaRequired: z.literal(true), expiresAt: z.string() })]) },
      },
      { rateLimit: perMinute(30) },
    ),
    async (request, reply) => {
      const result = await admins.login(deps, {
        organizationId: DEFAULT_ORGANIZATION_ID,
        email: request.body.email,
        password: request.body.password,
        clientIp: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        sessionTtlMinutes: deps.config.sessionTtlMinutes,
      });
      if ('mfaRequired' in result) {
        reply.setCookie(MFA_PENDING_COOKIE, result.challengeToken, {
          httpOnly: true,
          sameSite: 'strict',
          secure: secureCookie(deps, request),
          path: MFA_LOGIN_PATH,
          expires: new Date(result.expiresAt),
        });
        return { mfaRequired: true as const, expiresAt: result.expiresAt };
      }
      return startSession(deps, request, reply, result);
    },
  );
}

/** The second sign-in step: the pending cookie and a code give the session. */
function secondFactorSignInRoute(app: App, deps: Deps): void {
  app.post(
    MFA_LOGIN_PATH,
    publicRoute(
      {
        description:
          'The second step of an MFA sign-in: the pending cookie from POST /api/v1/auth/login and a code from ' +
          'the authenticator app (or a recovery code, each usable once).',
        body: secondFactorSchema,
        response: { 200: signedIn },
      },
      { rateLimit: perMinute(30) },
    ),
    async (request, reply) => {
      const challengeToken = request.cookies?.[MFA_PENDING_COOKIE];
      if (!challengeToken) throw mfa.challengeExpired();
      const result = await mfa.completeMfaLogin(deps, {
        challengeToken,
        code: request.body.code,
        recoveryCode: request.body.recoveryCode,
        clientIp: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        sessionTtlMinutes: deps.config.sessionTtlMinutes,
      });
      reply.clearCookie(MFA_PENDING_COOKIE, { path: MFA_LOGIN_PATH });
      return startSession(deps, request, reply, result);
    },
  );
}

/** The signed-in admin's session: who he is, signing out, his own password. */
function sessionRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.post(
    '/api/v1/auth/logout',
    adminRoute({ response: { 204: z.undefined() } }, { allowReadOnly: true, allowDuringMfaEnrolment: true }),
    async (request, reply) => {
      if (request.sessionId) await sessions.endSession({ db }, request.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/auth/me',
    adminRoute(
      {
        response: {
          200: z.object({
            actor: z.object({
              type: z.string(),
              id: z.string().nullable(),
              email: z.string().nullable().optional(),
              role: roleSchema.optional(),
            }),
            admin: adminSchema.optional(),
            csrfToken: z.string().nullable(),
            mfaEnrolmentRequired: z.boolean(),
          }),
        },
      },
      { allowDuringMfaEnrolment: true },
    ),
    async (request) => {
      const actor = actorOf(request);
      const admin = actor.type === 'admin' && actor.id ? await admins.getAdmin({ db }, actor.organizationId, actor.id) : undefined;
      return {
        actor: { type: actor.type, id: actor.id, email: actor.email ?? null, role: actor.role },
        admin,
        csrfToken: request.csrfToken,
        mfaEnrolmentRequired: request.mfaEnrolmentRequired,
      };
    },
  );

  app.post(
    '/api/v1/auth/password',
    adminRoute(
      {
        description: "Changes the signed-in admin's own password (the current one first). The admin's other sessions end; this one stays.",
        body: z.object({ currentPassword: z.string().min(1).max(1024), newPassword: newPasswordSchema }).strict(),
        response: { 204: z.undefined() },
      },
      { allowReadOnly: true, rateLimit: perMinute(10) },
    ),
    async (request, reply) => {
      await changeOwnAdminPassword({ db, clock: deps.clock }, actorOf(request), { sessionId: request.sessionId }, request.body);
      return reply.code(204).send();
    },
  );
}

/** The signed-in admin's own authenticator app: enrol, confirm, remove. */
function ownMfaRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  // Enrolling is the one thing an admin who must enrol may do; read_only admins enrol too.
  const enrolment = { allowReadOnly: true, allowDuringMfaEnrolment: true, rateLimit: perMinute(10) };
  app.post(
    '/api/v1/auth/mfa/totp',
    adminRoute(
      {
        description:
          'Starts enrolling an authenticator app for the signed-in admin: a new secret (also as an otpauth:// ' +
          'URI for a QR code) and 10 recovery codes, shown once. Not active until POST ' +
          '/api/v1/auth/mfa/totp/verify confirms a code; starting again replaces an unconfirmed enrolment.',
        response: { 200: z.object({ secret: z.string(), otpauthUrl: z.string(), recoveryCodes: z.array(z.string()) }) },
      },
      enrolment,
    ),
    async (request) => mfa.startTotpEnrolment(deps, actorOf(request)),
  );

  app.post(
    '/api/v1/auth/mfa/totp/verify',
    adminRoute(
      {
        description:
          "Confirms the enrolment with a code from the authenticator app: MFA is on from now, and the admin's other sessions end.",
        body: z.object({ code: totpCode }).strict(),
        response: { 200: z.object({ admin: adminSchema }) },
      },
      enrolment,
    ),
    async (request) => {
      const actor = actorOf(request);
      await mfa.confirmTotpEnrolment(deps, actor, { sessionId: request.sessionId }, request.body.code);
      return { admin: await admins.getAdmin({ db }, actor.organizationId, actor.id!) };
    },
  );

  app.delete(
    '/api/v1/auth/mfa/totp',
    adminRoute(
      {
        description: "Removes the signed-in admin's MFA, with a current code or a recovery code.",
        body: secondFactorSchema,
        response: { 204: z.undefined() },
      },
      { allowReadOnly: true, rateLimit: perMinute(10) },
    ),
    async (request, reply) => {
      await mfa.disableTotp(deps, actorOf(request), request.body);
      return reply.code(204).send();
    },
  );
}

/** First-admin setup with the one-time link printed at start-up. */
function setupRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.get(
    '/api/v1/setup',
    {
      config: { auth: 'public' },
      schema: { tags: ['auth'], response: { 200: z.object({ needsSetup: z.boolean() }) } },
    },
    async () => ({ needsSetup: (await admins.countAdmins({ db }, DEFAULT_ORGANIZATION_ID)) === 0 }),
  );

  app.post(
    '/api/v1/setup',
    publicRoute(
      {
        body: z
          .object({
            token: z.string().min(1).max(200),
            email: emailSchema,
            password: newPasswordSchema,
            name: z.string().trim().max(200).optional(),
          })
          .strict(),
        response: { 201: z.object({ admin: adminSchema }) },
      },
      { rateLimit: perMinute(10) },
    ),
    async (request, reply) => {
      const { token, ...input } = request.body;
      const admin = await admins.completeSetup({ db, clock: deps.clock }, token, input);
      return reply.code(201).send({ admin });
    },
  );
}
