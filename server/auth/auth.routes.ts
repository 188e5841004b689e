import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { type App, errors, idParams } from '../http/common.ts';
import { actorOf, SESSION_COOKIE } from '../http/auth.ts';
import { DEFAULT_ORGANIZATION_ID } from '../shared/actor.ts';
import { changeOwnAdminPassword, resetAdminPassword } from './admin-passwords.service.ts';
import * as admins from './admins.service.ts';
import * as mfa from './mfa.service.ts';
import * as sessions from './sessions.service.ts';

/** The pending sign-in between password and second factor; sent only to the second step's route. */
export const MFA_PENDING_COOKIE = 'roster_mfa_pending';
const MFA_LOGIN_PATH = '/api/v1/auth/login/mfa';
const totpCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'must be the 6-digit code from your authenticator app');
const recoveryCode = z.string().trim().min(1).max(40);
/** Exactly one of a TOTP code and a recovery code. */
const secondFactorSchema = z
  .object({ code: totpCode.optional(), recoveryCode: recoveryCode.optional() })
  .strict()
  .refine((f) => (f.code === undefined) !== (f.recoveryCode === undefined), {
    message: 'send either code or recoveryCode',
    path: ['code'],
  });

const roleSchema = z.enum(['admin', 'read_only']);
const adminSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
  mfaEnabled: z.boolean(),
});
const emailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'must be a valid email address' }));
const newPasswordSchema = z.string().min(12, 'must be at least 12 characters').max(128, 'must be at most 128 characters');
const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});

export function authRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  const secureCookie = deps.config.publicUrl.startsWith('https:');

  const setSessionCookie = (
    request: { protocol: string },
    reply: { setCookie: (name: string, value: string, o: object) => unknown },
    token: string,
  ) =>
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: secureCookie || request.protocol === 'https',
      path: '/',
      expires: new Date(Date.now() + sessions.SESSION_ABSOLUTE_MAX_MS),
    });
  const signedIn = z.object({
    admin: adminSchema,
    csrfToken: z.string(),
    expiresAt: z.string(),
    mfaEnrolmentRequired: z.boolean().describe('The organization requires MFA and this admin has none: this session may only enrol'),
  });

  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        description:
          'Signs in with email and password. An admin with MFA gets `{mfaRequired: true}` and a short-lived pending cookie instead of a session: the code goes to POST /api/v1/auth/login/mfa.',
        body: z.object({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(1024) }).strict(),
        response: { 200: z.union([signedIn, z.object({ mfaRequired: z.literal(true), expiresAt: z.string() })]), ...errors },
      },
    },
    async (request, reply) => {
      const result = await admins.login(
        { db, clock: deps.clock },
        {
          organizationId: DEFAULT_ORGANIZATION_ID,
          email: request.body.email,
          password: request.body.password,
          clientIp: request.ip,
          userAgent: request.headers['user-agent'] ?? null,
          sessionTtlMinutes: deps.config.sessionTtlMinutes,
        },
      );
      if ('mfaRequired' in result) {
        reply.setCookie(MFA_PENDING_COOKIE, result.challengeToken, {
          httpOnly: true,
          sameSite: 'strict',
          secure: secureCookie || request.protocol === 'https',
          path: MFA_LOGIN_PATH,
          expires: new Date(result.expiresAt),
        });
        return { mfaRequired: true as const, expiresAt: result.expiresAt };
      }
      setSessionCookie(request, reply, result.sessionToken);
      return {
        admin: result.admin,
        csrfToken: result.csrfToken,
        expiresAt: result.expiresAt,
        mfaEnrolmentRequired: result.mfaEnrolmentRequired,
      };
    },
  );

  app.post(
    MFA_LOGIN_PATH,
    {
      config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        description:
          'The second step of an MFA sign-in: the pending cookie from POST /api/v1/auth/login and a code from the authenticator app (or a recovery code, each usable once).',
        body: secondFactorSchema,
        response: { 200: signedIn, ...errors },
      },
    },
    async (request, reply) => {
      const challengeToken = request.cookies?.[MFA_PENDING_COOKIE];
      if (!challengeToken) throw mfa.challengeExpired();
      const result = await mfa.completeMfaLogin(
        { db, clock: deps.clock, secretKey: deps.secretKey },
        {
          challengeToken,
          code: request.body.code,
          recoveryCode: request.body.recoveryCode,
          clientIp: request.ip,
          userAgent: request.headers['user-agent'] ?? null,
          sessionTtlMinutes: deps.config.sessionTtlMinutes,
        },
      );
      reply.clearCookie(MFA_PENDING_COOKIE, { path: MFA_LOGIN_PATH });
      setSessionCookie(request, reply, result.sessionToken);
      return {
        admin: result.admin,
        csrfToken: result.csrfToken,
        expiresAt: result.expiresAt,
        mfaEnrolmentRequired: result.mfaEnrolmentRequired,
      };
    },
  );

  app.post(
    '/api/v1/auth/mfa/totp',
    {
      config: { allowReadOnly: true, allowDuringMfaEnrolment: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        description:
          'Starts enrolling an authenticator app for the signed-in admin: a new secret (also as an otpauth:// URI for a QR code) and 10 recovery codes, shown once. Not active until POST /api/v1/auth/mfa/totp/verify confirms a code; starting again replaces an unconfirmed enrolment.',
        response: { 200: z.object({ secret: z.string(), otpauthUrl: z.string(), recoveryCodes: z.array(z.string()) }), ...errors },
      },
    },
    async (request) => mfa.startTotpEnrolment({ db, clock: deps.clock, secretKey: deps.secretKey }, actorOf(request)),
  );

  app.post(
    '/api/v1/auth/mfa/totp/verify',
    {
      config: { allowReadOnly: true, allowDuringMfaEnrolment: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        description:
          "Confirms the enrolment with a code from the authenticator app: MFA is on from now, and the admin's other sessions end.",
        body: z.object({ code: totpCode }).strict(),
        response: { 200: z.object({ admin: adminSchema }), ...errors },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await mfa.confirmTotpEnrolment(
        { db, clock: deps.clock, secretKey: deps.secretKey },
        actor,
        { sessionId: request.sessionId },
        request.body.code,
      );
      return { admin: await admins.getAdmin({ db }, actor.organizationId, actor.id!) };
    },
  );

  app.delete(
    '/api/v1/auth/mfa/totp',
    {
      config: { allowReadOnly: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        description: "Removes the signed-in admin's MFA, with a current code or a recovery code.",
        body: secondFactorSchema,
        response: { 204: z.undefined(), ...errors },
      },
    },
    async (request, reply) => {
      await mfa.disableTotp({ db, clock: deps.clock, secretKey: deps.secretKey }, actorOf(request), request.body);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/api/v1/admins/:id/mfa',
    {
      schema: {
        tags: ['admins'],
        description:
          "Removes another admin's MFA (a lost phone): that admin's sessions end; he signs in with his password and enrols again.",
        params: idParams,
        response: { 204: z.undefined(), ...errors },
      },
    },
    async (request, reply) => {
      await mfa.resetAdminMfa({ db }, actorOf(request), { id: request.params.id });
      return reply.code(204).send();
    },
  );

  const settingsSchema = z.object({
    requireAdminMfa: z.boolean().describe('Admins without MFA can only enrol until they have it. API keys are unaffected.'),
  });
  app.get(
    '/api/v1/organization/settings',
    {
      schema: { tags: ['organization'], response: { 200: settingsSchema, ...errors } },
    },
    async (request) => mfa.getOrganizationSettings({ db }, actorOf(request).organizationId),
  );

  app.patch(
    '/api/v1/organization/settings',
    {
      schema: { tags: ['organization'], body: settingsSchema.partial().strict(), response: { 200: settingsSchema, ...errors } },
    },
    async (request) => mfa.updateOrganizationSettings({ db }, actorOf(request), request.body),
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { allowReadOnly: true, allowDuringMfaEnrolment: true },
      schema: { tags: ['auth'], response: { 204: z.undefined(), ...errors } },
    },
    async (request, reply) => {
      if (request.sessionId) await sessions.endSession({ db }, request.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      config: { allowDuringMfaEnrolment: true },
      schema: {
        tags: ['auth'],
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
          ...errors,
        },
      },
    },
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

  // First-admin setup with the one-time link printed at start-up.
  app.get(
    '/api/v1/setup',
    {
      config: { public: true },
      schema: { tags: ['auth'], response: { 200: z.object({ needsSetup: z.boolean() }) } },
    },
    async () => ({ needsSetup: (await admins.countAdmins({ db }, DEFAULT_ORGANIZATION_ID)) === 0 }),
  );

  app.post(
    '/api/v1/setup',
    {
      config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        body: z
          .object({
            token: z.string().min(1).max(200),
            email: emailSchema,
            password: newPasswordSchema,
            name: z.string().trim().max(200).optional(),
          })
          .strict(),
        response: { 201: z.object({ admin: adminSchema }), ...errors },
      },
    },
    async (request, reply) => {
      const { token, ...input } = request.body;
      const admin = await admins.completeSetup({ db, clock: deps.clock }, token, input);
      return reply.code(201).send({ admin });
    },
  );

  app.get(
    '/api/v1/admins',
    { schema: { tags: ['admins'], response: { 200: z.object({ items: z.array(adminSchema), nextCursor: z.null() }), ...errors } } },
    async (request) => ({
      items: await admins.listAdmins({ db }, actorOf(request).organizationId),
      nextCursor: null,
    }),
  );

  app.post(
    '/api/v1/admins',
    {
      schema: {
        tags: ['admins'],
        body: z
          .object({
            email: emailSchema,
            password: newPasswordSchema,
            name: z.string().trim().max(200).optional(),
            role: roleSchema.default('admin'),
          })
          .strict(),
        response: { 201: adminSchema, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await admins.createAdmin({ db, clock: deps.clock }, actorOf(request), request.body)),
  );

  app.post(
    '/api/v1/auth/password',
    {
      config: { allowReadOnly: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        description: "Changes the signed-in admin's own password (the current one first). The admin's other sessions end; this one stays.",
        body: z.object({ currentPassword: z.string().min(1).max(1024), newPassword: newPasswordSchema }).strict(),
        response: { 204: z.undefined(), ...errors },
      },
    },
    async (request, reply) => {
      await changeOwnAdminPassword({ db, clock: deps.clock }, actorOf(request), { sessionId: request.sessionId }, request.body);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/admins/:id/password',
    {
      schema: {
        tags: ['admins'],
        description: "Sets another admin's password (for an admin who lost it); all of that admin's sessions end.",
        params: idParams,
        body: z.object({ password: newPasswordSchema }).strict(),
        response: { 204: z.undefined(), ...errors },
      },
    },
    async (request, reply) => {
      await resetAdminPassword({ db, clock: deps.clock }, actorOf(request), { id: request.params.id }, request.body.password);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/api/v1/admins/:id',
    {
      schema: {
        tags: ['admins'],
        description: 'Deletes the admin and revokes every API key that admin created (each revocation is an Insights event).',
        params: idParams,
        response: { 204: z.undefined(), ...errors },
      },
    },
    async (request, reply) => {
      await admins.deleteAdmin({ db }, actorOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/api-keys',
    { schema: { tags: ['api-keys'], response: { 200: z.object({ items: z.array(apiKeySchema), nextCursor: z.null() }), ...errors } } },
    async (request) => ({
      items: await sessions.listApiKeys({ db }, actorOf(request).organizationId),
      nextCursor: null,
    }),
  );

  app.post(
    '/api/v1/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        body: z.object({ name: z.string().trim().min(1).max(100), role: roleSchema }).strict(),
        response: { 201: apiKeySchema.extend({ key: z.string().describe('Shown once; store it now') }), ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await sessions.createApiKey({ db, clock: deps.clock }, actorOf(request), request.body)),
  );

  app.delete(
    '/api/v1/api-keys/:id',
    { schema: { tags: ['api-keys'], params: idParams, response: { 204: z.undefined(), ...errors } } },
    async (request, reply) => {
      await sessions.deleteApiKey({ db }, actorOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
}
