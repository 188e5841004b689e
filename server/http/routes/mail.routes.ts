import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { actorOf } from '../auth.ts';
import { type App, idParams, listQuery, pageOf, routeOptions } from '../common.ts';
import { getOutboxMail, listOutbox } from '../../notifications/index.ts';

const adminRoute = routeOptions('admin', ['mail']);

const outboxMailSchema = z.object({
  id: z.string(),
  kind: z.string(),
  relatedId: z.string().optional(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().optional(),
  status: z.enum(['queued', 'sent', 'failed', 'stored']),
  attempts: z.number().int(),
  lastError: z.string().optional(),
  createdAt: z.string(),
  sentAt: z.string().optional(),
  attachments: z.array(z.object({ filename: z.string(), contentType: z.string(), size: z.number().int().optional() })),
});

export function mailRoutes(app: App, deps: Pick<Deps, 'database'>): void {
  const { db } = deps.database;

  app.get(
    '/api/v1/mail/outbox',
    adminRoute({
      description: "Every email Roster sent or stored, newest first. The HTML is Roster's own rendering; show it sandboxed.",
      querystring: listQuery({ to: z.string().max(320).optional() }),
      response: { 200: pageOf(outboxMailSchema) },
    }),
    async (request) => listOutbox({ db }, { ...request.query, organizationId: actorOf(request).organizationId }),
  );

  app.get('/api/v1/mail/outbox/:id', adminRoute({ params: idParams, response: { 200: outboxMailSchema } }), async (request) =>
    getOutboxMail({ db }, actorOf(request).organizationId, request.params.id),
  );
}
