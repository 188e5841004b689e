import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import type { App } from '../common.ts';
import type { Registry } from 'prom-client';

export function healthRoutes(app: App, deps: Deps, metrics: Registry): void {
  app.get(
    '/healthz',
    { config: { auth: 'public' }, schema: { hide: true, response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  // Ready = migrations done, the first admin from the environment created, the job queue started (see
  // server.ts) and the database answering now. Orchestrators and scripts wait for this before they sign in.
  app.get('/readyz', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const database = deps.database.dialect;
    try {
      await deps.database.ping();
    } catch {
      return reply.code(503).send({ status: 'unavailable', database, waitingFor: ['database'] });
    }
    const waitingFor = deps.readiness.waitingFor;
    if (waitingFor.length > 0) return reply.code(503).send({ status: 'starting', database, waitingFor });
    return { status: 'ready', database };
  });

  // Not public: scrape with a read_only API key (Authorization: Bearer).
  app.get('/metrics', { config: { auth: 'admin' }, schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', metrics.contentType);
    return metrics.metrics();
  });
}
