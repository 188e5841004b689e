// The OpenAPI document (generated from the routes' zod schemas), its UI at /api/docs, and the JSON at
// /api/v1/openapi.json. Schemas registered with an id (the error body, the error-code catalogue) become
// components that every route refers to.
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { SESSION_COOKIE, USER_SESSION_COOKIE } from './auth.ts';
import type { App } from './common.ts';

const API_VERSION = '1.0.0';

/** Each operation names the credentials its route takes (config.auth): the document's default is the admin's. */
const withRouteSecurity: typeof jsonSchemaTransform = (input) => {
  const out = jsonSchemaTransform(input);
  const auth = input.route.config?.auth;
  if (auth === 'public') return { ...out, schema: { ...out.schema, security: [] } };
  if (auth === 'user') return { ...out, schema: { ...out.schema, security: [{ userSession: [] }] } };
  return out;
};

export async function registerOpenApi(app: App): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Roster REST API', version: API_VERSION, description: 'Identity directory with SCIM 2.0 identity management.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key created at POST /api/v1/api-keys' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          userSession: { type: 'apiKey', in: 'cookie', name: USER_SESSION_COOKIE, description: "A user's own session (the account API)" },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: withRouteSecurity,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true, uiConfig: { deepLinking: true } });
}

export function openApiRoutes(app: App): void {
  app.get('/api/v1/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());
}
