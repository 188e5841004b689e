// Account registration over HTTP. Admin side (behind the admin auth hook): set a password, send
// activation emails. Public side (config.public: the admin hook lets them through): the set-password
// page's two calls and the user portal, which checks its own session cookie.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { getUser, userSchema } from '../directory/index.ts';
import { actorOf } from '../http/auth.ts';
import { type App, errors, idParams } from '../http/common.ts';
import { DEFAULT_ORGANIZATION_ID } from '../shared/actor.ts';
import { AppError } from '../shared/errors.ts';
import { type ActivationContext, completeActivation, inspectActivation, sendActivationEmail } from './activation.service.ts';
import { activationContextOf } from './activation.job.ts';
import { BULK_MAX_IDS, createActivationBatch, getActivationBatch } from './batches.service.ts';
import { PASSWORD_POLICY } from '../auth/index.ts';
import { setPasswordByAdmin } from './passwords.service.ts';
import { changeOwnPassword, endUserSession, resolveUserSession, type UserSession, userLogin } from './user-sessions.service.ts';

export const USER_SESSION_COOKIE = 'roster_user_session';
/** The user cookie goes only to the account API: admin routes never even receive it. */
const USER_COOKIE_PATH = '/api/v1/account';

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
  initiatedBy: z.object({ type: z.string(), id: z.string().nullable(), email: z.string().optional() }),
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

/** Browsers can't send a JSON content type cross-site without CORS, which Roster never allows. */
async function jsonOnly(request: FastifyRequest): Promise<void> {
  if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
    throw new AppError('CSRF_CHECK_FAILED', 403, 'State-changing requests must send Content-Type: application/json');
  }
}

export function accountRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  const activation = (): ActivationContext => activationContextOf(deps);
  const secure = (request: FastifyRequest) => deps.config.publicUrl.startsWith('https:') || request.protocol === 'https';

  async function requireUser(request: FastifyRequest): Promise<UserSession> {
    const token = request.cookies?.[USER_SESSION_COOKIE];
    const session = token ? await resolveUserSession({ db, clock: deps.clock }, token, deps.config.userSessionTtlMinutes) : undefined;
    if (!session) throw new AppError('UNAUTHENTICATED', 401, 'Sign in to your account');
    return { ...session, actor: { ...session.actor, clientIp: request.ip } };
  }
  const clearUserCookie = (reply: FastifyReply) => reply.clearCookie(USER_SESSION_COOKIE, { path: USER_COOKIE_PATH });

  // Admin side

  app.post(
    '/api/v1/users/:id/password',
    {
      schema: {
        tags: ['users'],
        description:
          "Sets the user's password (the password policy applies) and makes the password status ACTIVE. Ends the user's portal sessions and voids his activation links.",
        params: idParams,
        body: z.object({ password: passwordInput }).strict(),
        response: { 200: userSchema, ...errors },
      },
    },
    async (request) => setPasswordByAdmin({ db, clock: deps.clock }, actorOf(request), request.params.id, request.body.password),
  );

  app.post(
    '/api/v1/users/:id/activation-email',
    {
      config: { rateLimit: perAdmin(30, 5, 'activation emails') },
      schema: {
        tags: ['users'],
        description:
          'Emails the user a single-use link to set his password (valid ACTIVATION_LINK_TTL_HOURS, default 7 days); a newer email voids the older link. Refused for suspended users and users who already set a password; at most 3 per user per hour and one per minute.',
        params: idParams,
        body: z.object({}).strict().nullish(),
        response: {
          202: z.object({
            userId: z.string(),
            to: z.string(),
            expiresAt: z.string(),
            mailId: z.string().describe('The email in the outbox'),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => reply.code(202).send(await sendActivationEmail(activation(), actorOf(request), request.params.id)),
  );

  app.post(
    '/api/v1/users/activation-emails',
    {
      config: { rateLimit: perAdmin(10, 5, 'bulk activation email requests') },
      schema: {
        tags: ['users'],
        description: `Activation emails for a selection (ids, at most ${BULK_MAX_IDS}) or for every user matching a filter. Fewer than 100 users: done at once (200). Otherwise a background job (202): poll GET /api/v1/users/activation-emails/:id.`,
        body: z
          .object({
            ids: z
              .array(z.uuid({ message: 'must be a UUID' }))
              .min(1, 'must not be empty')
              .max(BULK_MAX_IDS, `at most ${BULK_MAX_IDS}`)
              .optional(),
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
        response: { 200: batchSchema, 202: batchSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { ids, filter } = request.body;
      const input = ids ? { ids } : { filter: filter ?? { passwordStatus: 'PENDING' as const } };
      const { batch, inline } = await createActivationBatch({ ...activation(), queue: deps.queue }, actorOf(request), input);
      return reply.code(inline ? 200 : 202).send(batch);
    },
  );

  app.get(
    '/api/v1/users/activation-emails/:id',
    {
      schema: { tags: ['users'], params: idParams, response: { 200: batchSchema, ...errors } },
    },
    async (request) => getActivationBatch({ db }, actorOf(request).organizationId, request.params.id),
  );

  // Public: the set-password page

  app.get(
    '/api/v1/account/password-policy',
    {
      config: { public: true },
      schema: { tags: ['account'], response: { 200: policySchema } },
    },
    async () => PASSWORD_POLICY,
  );

  app.get(
    '/api/v1/account/activation',
    {
      config: { public: true, rateLimit: perIp(30, 'link checks') },
      schema: {
        tags: ['account'],
        description:
          'Who an activation link is for. Expired, used, replaced, forged or incomplete links, and links of deleted or suspended users, all get the same 410.',
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
          ...errors,
        },
      },
    },
    async (request) => inspectActivation({ db, clock: deps.clock }, request.query.token),
  );

  app.post(
    '/api/v1/account/activation',
    {
      config: { public: true, rateLimit: perIp(10, 'password attempts') },
      onRequest: jsonOnly,
      schema: {
        tags: ['account'],
        description:
          'Sets the password with an activation link: the policy applies, the link is used up, and the password status becomes ACTIVE.',
        body: z.object({ token: tokenInput, password: passwordInput, passwordConfirm: passwordInput }).strict(),
        response: { 200: z.object({ username: z.string(), passwordStatus: z.literal('ACTIVE') }), 410: errors[400], ...errors },
      },
    },
    async (request) => {
      const done = await completeActivation({ db, clock: deps.clock }, { ...request.body, clientIp: request.ip });
      return { username: done.username, passwordStatus: 'ACTIVE' as const };
    },
  );

  // Public: the user portal, behind its own session cookie

  app.post(
    '/api/v1/account/login',
    {
      config: { public: true, rateLimit: perIp(30, 'sign-in attempts') },
      onRequest: jsonOnly,
      schema: {
        tags: ['account'],
        description:
          'A user signs in with his username or email. Unknown users, wrong passwords, suspended users and unfinished registrations get the same 401; 5 failures in 15 minutes lock the login for 15 minutes.',
        body: z
          .object({ login: z.string({ message: 'must be a string' }).trim().min(1, 'must not be empty').max(254), password: passwordInput })
          .strict(),
        response: { 200: z.object({ user: userSchema, expiresAt: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const result = await userLogin(
        { db, clock: deps.clock },
        {
          organizationId: DEFAULT_ORGANIZATION_ID,
          login: request.body.login,
          password: request.body.password,
          clientIp: request.ip,
          userAgent: request.headers['user-agent'] ?? null,
          ttlMinutes: deps.config.userSessionTtlMinutes,
        },
      );
      // No Expires: the cookie ends with the browser; the server ends the session sooner when idle.
      reply.setCookie(USER_SESSION_COOKIE, result.sessionToken, {
        httpOnly: true,
        sameSite: 'strict',
        secure: secure(request),
        path: USER_COOKIE_PATH,
      });
      return { user: result.user, expiresAt: result.expiresAt };
    },
  );

  app.get(
    '/api/v1/account/me',
    {
      config: { public: true },
      schema: {
        tags: ['account'],
        description: "The signed-in user's own directory profile.",
        response: { 200: z.object({ user: userSchema }), ...errors },
      },
    },
    async (request) => {
      const session = await requireUser(request);
      return { user: await getUser({ db }, session.organizationId, session.userId) };
    },
  );

  app.post(
    '/api/v1/account/password',
    {
      config: { public: true, rateLimit: perIp(10, 'password changes') },
      onRequest: jsonOnly,
      schema: {
        tags: ['account'],
        description: 'The signed-in user changes his password (the policy applies). His other sessions end.',
        body: z.object({ currentPassword: passwordInput, newPassword: passwordInput }).strict(),
        response: { 204: z.undefined(), ...errors },
      },
    },
    async (request, reply) => {
      const session = await requireUser(request);
      await changeOwnPassword({ db, clock: deps.clock }, session, { ...request.body, clientIp: request.ip });
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/account/logout',
    {
      config: { public: true },
      onRequest: jsonOnly,
      schema: { tags: ['account'], response: { 204: z.undefined(), ...errors } },
    },
    async (request, reply) => {
      const session = await requireUser(request).catch(() => undefined);
      if (session) await endUserSession({ db }, session.sessionId);
      clearUserCookie(reply);
      return reply.code(204).send();
    },
  );
}
