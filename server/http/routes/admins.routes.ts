// Managing admins, API keys and the organization's settings (admin routes).
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { type App, idParams, routeGroups, routeOptions, wholeListOf } from '../common.ts';
import { actorOf } from '../auth.ts';
import { resetAdminPassword } from '../../auth/index.ts';
import * as admins from '../../auth/index.ts';
import * as mfa from '../../auth/index.ts';
import * as sessions from '../../auth/index.ts';
import { adminSchema, apiKeySchema, emailSchema, newPasswordSchema, roleSchema } from './auth.schemas.ts';

const adminsRoute = routeOptions('admin', ['admins']);
const apiKeysRoute = routeOptions('admin', ['api-keys']);
const organizationRoute = routeOptions('admin', ['organization']);

const settingsSchema = z.object({
  requireAdminMfa: z.boolean().describe('Admins without MFA can only enrol until they have it. API keys are unaffected.'),
});

export const adminRoutes = routeGroups(adminAccountRoutes, apiKeyRoutes, organizationRoutes);

/** The admins of the organization: list, create, delete, and a new password or no MFA for one who lost his password or phone. */
function adminAccountRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.get('/api/v1/admins', adminsRoute({ response: { 200: wholeListOf(adminSchema) } }), async (request) => ({
    items: await admins.listAdmins({ db }, actorOf(request).organizationId),
    nextCursor: null,
  }));

  app.post(
    '/api/v1/admins',
    adminsRoute({
      body: z
        .object({
          email: emailSchema,
          password: newPasswordSchema,
          name: z.string().trim().max(200).optional(),
          role: roleSchema.default('admin'),
        })
        .strict(),
      response: { 201: adminSchema },
    }),
    async (request, reply) => reply.code(201).send(await admins.createAdmin({ db, clock: deps.clock }, actorOf(request), request.body)),
  );

  app.delete(
    '/api/v1/admins/:id',
    adminsRoute({
      description: 'Deletes the admin and revokes every API key that admin created (each revocation is an Insights event).',
      params: idParams,
      response: { 204: z.undefined() },
    }),
    async (request, reply) => {
      await admins.deleteAdmin({ db, clock: deps.clock }, actorOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/admins/:id/password',
    adminsRoute({
      description: "Sets another admin's password (for an admin who lost it); all of that admin's sessions end.",
      params: idParams,
      body: z.object({ password: newPasswordSchema }).strict(),
      response: { 204: z.undefined() },
    }),
    async (request, reply) => {
      await resetAdminPassword({ db, clock: deps.clock }, actorOf(request), { id: request.params.id }, request.body.password);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/api/v1/admins/:id/mfa',
    adminsRoute({
      description: "Removes another admin's MFA (a lost phone): that admin's sessions end; he signs in with his password and enrols again.",
      params: idParams,
      response: { 204: z.undefined() },
    }),
    async (request, reply) => {
      await mfa.resetAdminMfa({ db, clock: deps.clock }, actorOf(request), { id: request.params.id });
      return reply.code(204).send();
    },
  );
}

/** API keys: list, create (the key is shown once), revoke. */
function apiKeyRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.get('/api/v1/api-keys', apiKeysRoute({ response: { 200: wholeListOf(apiKeySchema) } }), async (request) => ({
    items: await sessions.listApiKeys({ db }, actorOf(request).organizationId),
    nextCursor: null,
  }));

  app.post(
    '/api/v1/api-keys',
    apiKeysRoute({
      body: z.object({ name: z.string().trim().min(1).max(100), role: roleSchema }).strict(),
      response: { 201: apiKeySchema.extend({ key: z.string().describe('Shown once; store it now') }) },
    }),
    async (request, reply) => reply.code(201).send(await sessions.createApiKey({ db, clock: deps.clock }, actorOf(request), request.body)),
  );

  app.delete('/api/v1/api-keys/:id', apiKeysRoute({ params: idParams, response: { 204: z.undefined() } }), async (request, reply) => {
    await sessions.deleteApiKey({ db, clock: deps.clock }, actorOf(request), request.params.id);
    return reply.code(204).send();
  });
}

/** The organization's settings (the MFA rule). */
function organizationRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.get('/api/v1/organization/settings', organizationRoute({ response: { 200: settingsSchema } }), async (request) =>
    mfa.getOrganizationSettings({ db }, actorOf(request).organizationId),
  );

  app.patch(
    '/api/v1/organization/settings',
    organizationRoute({ body: settingsSchema.partial().strict(), response: { 200: settingsSchema } }),
    async (request) => mfa.updateOrganizationSettings({ db, clock: deps.clock }, actorOf(request), request.body),
  );
}
