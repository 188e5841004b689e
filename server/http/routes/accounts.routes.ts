// Account registration over HTTP. Admin routes: set a password, send activation emails. Public routes:
// the set-password page's two calls, and the user portal's sign-in and sign-out. User routes (the
// user's own session cookie, checked by the auth hook): the profile and the password change.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { getUser, userSchema } from '../../directory/index.ts';
import { actorOf, findUserSession, USER_COOKIE_PATH, USER_SESSION_COOKIE, userSessionOf } from '../auth.ts';
import { type App, errors, idParams, initiatedBySchema, routeGroups, routeOptions, uuidSchema } from '../common.ts';
import { DEFAULT_ORGANIZATION_ID } from '../../shared/actor.ts';
import { AppError } from '../../shared/errors.ts';
import { activationContextOf, completeActivation, inspectActivation, sendActivationEmail } from '../../accounts/index.ts';
import { BULK_MAX_IDS, createActivationBatch, getActivationBatch } from '../../accounts/index.ts';
import { PASSWORD_POLICY } from '../../auth/index.ts';
import { setPasswordByAdmin } from '../../accounts/index.ts';
import { changeOwnPassword, endUserSession, userLogin } from '../../accounts/index.ts';

const adminRoute = routeOptions('admin', ['users']);
const publicRoute = routeOptions('public', ['account']);
const userRoute = routeOptions('user', ['account']);

// Overlong input is refused here (400 naming the field); the policy's own 12-128 check gives the
// precise message, counting characters as a person does.
const passwordInput = z.string({ message: 'must be a string' }).min(1, 'must not be empty').max(1024, 'must be at most 1024 characters');
const tokenInput = z.string({ message: 'must be a string' }).min(1, 'must not be empty').max(200, 'must be at most 200 characters');

const policySchema = z.object({ minLength: z.number(), maxLength: z.number(), rules: z.array(z.string()) });
const skippedSchema = z.object({
  id: z.string(),
  reason: z.enum(['not_found', 'suspended', 'password_already_set', 'rate_limited']),
  message: z.string(),
});
const batchSchema = z.object({
  id: z.string(),
  status: z.enum(['queued', 'running', 'completed', 'failed']),
  total: z.number().int(),
  queued: z.number().int(),
  skippedCount: z.number().int(),
  skipped: z.array(skippedSchema).describe('Who was skipped and why (the first 1000; skippedCount is exact)'),
  initiatedBy: initiatedBySchema,
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().optional(),
});

const retryAfter = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs / 1000));

/** Per-IP limit for the public routes, answered like every other error. */
const perIp = (max: number, what: string) => ({
  max,
  timeWindow: '1 minute',
  errorResponseBuilder: (_req: FastifyRequest, c: { ttl: number }) =>
    new AppError('RATE_LIMITED', 429, `Too many ${what} from your network. Try again in ${retryAfter(c.ttl)} second(s).`, {
      retryAfterSeconds: retryAfter(c.ttl),
    }),
});

/**
 * Per-admin (or API key) limit on sending: floods of emails are refused before anything is written.
 * Counted in this process's memory; the per-user limit, in the database, holds across processes.
 */
const perAdmin = (max: number, minutes: number, what: string) => ({
  max,
  timeWindow: minutes * 60_000,
  keyGenerator: (req: FastifyRequest) => `${req.actor?.type}:${req.actor?.id}`,
  errorResponseBuilder: (_req: FastifyRequest, c: { ttl: number }) =>
    new AppError(
      'ACTIVATION_EMAIL_RATE_LIMITED',
      429,
      `Too many ${what}: at most ${max} in ${minutes} minutes per admin. Try again in ${retryAfter(c.ttl)} second(s).`,
      { retryAfterSeconds: retryAfter(c.ttl) },
    ),
});
const secureCookie = (deps: Deps, request: FastifyRequest) => deps.config.publicUrl.startsWith('https:') || request.protocol === 'https';
const clearUserCookie = (reply: FastifyReply) => reply.clearCookie(USER_SESSION_COOKIE, { path: USER_COOKIE_PATH });

export const accountRoutes = routeGroups(
  userActivationRoutes,
  bulkActivationRoutes,
  setPasswordPageRoutes,
  userSignInRoutes,
  userPortalRoutes,
);

/** Admin routes for one user: set his password, send him an activation email. */
function userActivationRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.post(
    '/api/v1/users/:id/password',
    adminRoute({
      description:
        "Sets the user's password (the password policy applies) and makes the password status ACTIVE. Ends " +
        "the user's portal sessions and voids his activation links.",
      params: idParams,
      body: z.object({ password: passwordInput }).strict(),
      response: { 200: userSchema },
    }),
    async (request) => setPasswordByAdmin({ db, clock: deps.clock }, actorOf(request), request.params.id, request.body.password),
  );

  app.post(
    '/api/v1/users/:id/activation-email',
    adminRoute(
      {
        description:
          'Emails the user a single-use link to set his password (valid ACTIVATION_LINK_TTL_HOURS, default 7 ' +
          'days); a newer email voids the older link. Refused for suspended users and users who already set a ' +
          'password; at most 3 per user per hour and one per minute.',
        params: idParams,
        body: z.object({}).strict().nullish(),
        response: {
          202: z.object({
            userId: z.string(),
            to: z.string(),
            expiresAt: z.string(),
            mailId: z.string().describe('The email in the outbox'),
          }),
        },
      },
      { rateLimit: perAdmin(30, 5, 'activation emails') },
    ),
    async (request, reply) =>
      reply.code(202).send(await sendActivationEmail(activationContextOf(deps), actorOf(request), request.params.id)),
  );
}

/** Admin routes: activation emails for many users, and following the batch. */
function bulkActivationRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.post(
    '/api/v1/users/activation-emails',
    adminRoute(
      {
        description:
          `Activation emails for a selection (ids, at most ${BULK_MAX_IDS}) or for every user matching a ` +
          `filter. Fewer than 100 users: done at once (200). Otherwise a background job (202): poll GET ` +
          `/api/v1/users/activation-emails/:id.`,
        body: z
          .object({
            ids: z.array(uuidSchema).min(1, 'must not be empty').max(BULK_MAX_IDS, `at most ${BULK_MAX_IDS}`).optional(),
            filter: z
              .object({
                passwordStatus: z.enum(['PENDING', 'EXPIRED']).default('PENDING'),
                state: z.enum(['STAGED', 'ACTIVE', 'SUSPENDED']).optional(),
                q: z.string().max(200).optional(),
              })
              .strict()
              .optional(),
          })
          .strict()
          .refine((v) => (v.ids === undefined) !== (v.filter === undefined), 'give either ids or filter, not both'),
        response: { 200: batchSchema, 202: batchSchema },
      },
      { rateLimit: perAdmin(10, 5, 'bulk activation email requests') },
    ),
    async (request, reply) => {
      const { ids, filter } = request.body;
      const input = ids ? { ids } : { filter: filter ?? { passwordStatus: 'PENDING' as const } };
      const { batch, inline } = await createActivationBatch({ ...activationContextOf(deps), queue: deps.queue }, actorOf(request), input);
      return reply.code(inline ? 200 : 202).send(batch);
    },
  );

  app.get('/api/v1/users/activation-emails/:id', adminRoute({ params: idParams, response: { 200: batchSchema } }), async (request) =>
    getActivationBatch({ db }, actorOf(request).organizationId, request.params.id),
  );
}

/** Public: the set-password page's calls. */
function setPasswordPageRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.get(
    '/api/v1/account/password-policy',
    {
      config: { auth: 'public' },
      schema: { tags: ['account'], response: { 200: policySchema } },
    },
    async () => PASSWORD_POLICY,
  );

  app.get(
    '/api/v1/account/activation',
    publicRoute(
      {
        description:
          'Who an activation link is for. Expired, used, replaced, forged or incomplete links, and links of ' +
          'deleted or suspended users, all get the same 410.',
        querystring: z.object({ token: tokenInput }).strict(),
        response: {
          200: z.object({
            username: z.string(),
            displayName: z.string(),
            email: z.string().describe('Masked, e.g. j•••e@example.com'),
            expiresAt: z.string(),
            passwordPolicy: policySchema,
          }),
          410: errors[400],
        },
      },
      { rateLimit: perIp(30, 'link checks') },
    ),
    async (request) => inspectActivation({ db, clock: deps.clock }, request.query.token),
  );

  app.post(
    '/api/v1/account/activation',
    publicRoute(
      {
        description:
          'Sets the password with an activation link: the policy applies, the link is used up, and the password status becomes ACTIVE.',
        body: z.object({ token: tokenInput, password: passwordInput, passwordConfirm: passwordInput }).strict(),
        response: { 200: z.object({ username: z.string(), passwordStatus: z.literal('ACTIVE') }), 410: errors[400] },
      },
      { rateLimit: perIp(10, 'password attempts') },
    ),
    async (request) => {
      const done = await completeActivation({ db, clock: deps.clock }, { ...request.body, clientIp: request.ip });
      return { username: done.username, passwordStatus: 'ACTIVE' as const };
    },
  );
}

/** Public: the user portal's sign-in and sign-out (sign-out works without a session). */
function userSignInRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.post(
    '/api/v1/account/login',
    publicRoute(
      {
        description:
          'A user signs in with his username or email. Unknown users, wrong passwords, suspended users and ' +
          'unfinished registrations get the same 401; 5 failures in 15 minutes lock the login for 15 minutes.',
        body: z
          .object({ login: z.string({ message: 'must be a string' }).trim().min(1, 'must not be empty').max(254), password: passwordInput })
          .strict(),
        response: { 200: z.object({ user: userSchema, expiresAt: z.string() }) },
      },
      { rateLimit: perIp(30, 'sign-in attempts') },
    ),
    async (request, reply) => {
      const result = await userLogin(deps, {
        organizationId: DEFAULT_ORGANIZATION_ID,
        login: request.body.login,
        password: request.body.password,
        clientIp: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        ttlMinutes: deps.config.userSessionTtlMinutes,
      });
      // No Expires: the cookie ends with the browser; the server ends the session sooner when idle.
      reply.setCookie(USER_SESSION_COOKIE, result.sessionToken, {
        httpOnly: true,
        sameSite: 'strict',
        secure: secureCookie(deps, request),
        path: USER_COOKIE_PATH,
      });
      return { user: result.user, expiresAt: result.expiresAt };
    },
  );

  app.post('/api/v1/account/logout', publicRoute({ response: { 204: z.undefined() } }), async (request, reply) => {
    const session = await findUserSession(request, deps);
    if (session) await endUserSession({ db }, session.sessionId);
    clearUserCookie(reply);
    return reply.code(204).send();
  });
}

/** User routes, behind the user's own session cookie: his profile and his password. */
function userPortalRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.get(
    '/api/v1/account/me',
    userRoute({ description: "The signed-in user's own directory profile.", response: { 200: z.object({ user: userSchema }) } }),
    async (request) => {
      const session = userSessionOf(request);
      return { user: await getUser({ db }, session.organizationId, session.userId) };
    },
  );

  app.post(
    '/api/v1/account/password',
    userRoute(
      {
        description: 'The signed-in user changes his password (the policy applies). His other sessions end.',
        body: z.object({ currentPassword: passwordInput, newPassword: passwordInput }).strict(),
        response: { 204: z.undefined() },
      },
      { rateLimit: perIp(10, 'password changes') },
    ),
    async (request, reply) => {
      const session = userSessionOf(request);
      await changeOwnPassword({ db, clock: deps.clock }, session, { ...request.body, clientIp: request.ip });
      return reply.code(204).send();
    },
  );
}
