// buildApp(deps): the Fastify instance with every route, not listening. Tests drive it with inject().
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Deps } from './deps.ts';
import { installAuth, requireRouteAuth } from './http/auth.ts';
import type { App } from './http/common.ts';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandling } from './http/errors.ts';
import { registerOpenApi } from './http/openapi.ts';
import { registerRoutes } from './http/routes/index.ts';
import { newId } from './shared/ids.ts';

/** A hop count believes that many proxies from our side (the function form: Fastify's types lack numbers). */
function trustProxyOption(trust: Deps['config']['trustProxy']) {
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;
}

export async function buildApp(deps: Deps): Promise<App> {
  const app = createFastify(deps);
  const metrics = installMetrics(app);
  await registerPlugins(app, deps);
  installAuth(app, deps);
  registerRoutes(app, deps, metrics);
  await app.ready();
  return app;
}

/** The Fastify instance with the route table, request ids, zod and the JSON parser; no plugin, no route. */
function createFastify(deps: Deps): App {
  const app: App = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimitBytes,
    trustProxy: trustProxyOption(deps.config.trustProxy),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : newId();
    },
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // The router's own refusals (a path parameter over maxParamLength, a malformed URL) and the HTTP
    // parser's (headers too large, a client timeout) answer with the same error body as every route.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();

  // Every route must say who may call it (config.auth); the route table lists them for the tests.
  requireRouteAuth(app);

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // JSON bodies: prototype-poisoning keys are refused, and an empty body is allowed (CSRF rule: the
  // portal sends Content-Type: application/json on every write, even bodyless ones).
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    void defaultJson(request, body as string, done);
  });

  installErrorHandling(app);
  return app;
}

/** Prometheus metrics: the process's defaults and the duration of every request by route and status. */
function installMetrics(app: App): Registry {
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const httpDuration = new Histogram({
    name: 'roster_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metrics],
  });
  app.addHook('onResponse', async (request, reply) => {
    httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  return metrics;
}

/** Cookies, security headers, rate limits, and the OpenAPI document with its UI (http/openapi.ts). */
async function registerPlugins(app: App, deps: Deps): Promise<void> {
  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        // Helmet's default would send browsers to https for every asset, so a portal served over plain
        // http on any name but localhost loaded no script at all.
        upgradeInsecureRequests: deps.config.publicUrl.startsWith('https:') ? [] : null,
      },
    },
  });
  await app.register(fastifyRateLimit, { global: false });
  await registerOpenApi(app);
}
