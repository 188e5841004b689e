import { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { App } from './common.ts';
import type { Registry } from 'prom-client';

export function healthRoutes(app: App, deps: Deps, metrics: Registry): void {
  app.get('/healthz', { config: { public: true }, schema: { hide: true, response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    try {
      await deps.database.ping();
      return { status: 'ready', database: deps.database.dialect };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: deps.database.dialect });
    }
  });

  // Not public: scrape with a read_only API key (Authorization: Bearer).
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', metrics.contentType);
    return metrics.metrics();
  });
}
