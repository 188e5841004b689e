// Shared zod pieces for routes, and the options every route is registered with.
import type {
  FastifyBaseLogger,
  FastifyContextConfig,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ERROR_CODE_LIST, ERROR_CODES, type ErrorCode } from '../shared/errors.ts';
import type { RouteAuth } from './auth.ts';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** The error body's code: one of the catalogue in server/shared/errors.ts, listed with its status and meaning. */
const catalogueLine = (c: ErrorCode) => `- \`${c}\` (${ERROR_CODES[c].status}): ${ERROR_CODES[c].meaning}`;
const errorCodeSchema = z.enum(ERROR_CODE_LIST).meta({
  id: 'ErrorCode',
  description: `What went wrong, as a stable code:\n${ERROR_CODE_LIST.map(catalogueLine).join('\n')}`,
  'x-enum-descriptions': ERROR_CODE_LIST.map((c) => ERROR_CODES[c].meaning),
});

const errorSchema = z
  .object({ error: z.object({ code: errorCodeSchema, message: z.string(), details: z.unknown().optional() }) })
  .meta({ id: 'Error' });

/** Standard error responses, so the OpenAPI document lists them. */
export const errors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  429: errorSchema,
};

/** A route's schema before routeOptions adds the tags and the standard error responses. */
interface RouteSchema {
  description?: string;
  params?: z.ZodType;
  querystring?: z.ZodType;
  body?: z.ZodType;
  response: Record<number, z.ZodType>;
}

/**
 * The options of the routes one file serves to one kind of caller: who may call them (config.auth,
 * with any other config a route adds), their OpenAPI tags, and each route's schema with the standard
 * error responses.
 */
export const routeOptions =
  (auth: RouteAuth, tags: string[]) =>
  <S extends RouteSchema>(schema: S, config?: Omit<FastifyContextConfig, 'auth'>) => ({
    config: { auth, ...config },
    schema: { tags, ...schema, response: { ...schema.response, ...errors } },
  });

/** A route file's routes, registered group by group (each group a function of its own) in the order given. */
export const routeGroups =
  <D>(...groups: ((app: App, deps: D) => void)[]) =>
  (app: App, deps: D): void => {
    for (const group of groups) group(app, deps);
  };

export const uuidSchema = z.uuid({ message: 'must be a UUID' });
export const idParams = z.object({ id: uuidSchema }).strict();
/** The path parameters of an object under another one (/applications/:id/idm/syncs/:syncId): both UUIDs. */
export const nestedIdParams = <K extends string>(key: K) => idParams.extend({ [key]: uuidSchema } as Record<K, typeof uuidSchema>);

export const limitSchema = z.coerce.number().int().min(1).max(500).default(50);
export const cursorSchema = z.string().max(2048).optional();

/** A list's query string: the filters, then the page's size and the cursor it starts after. */
export const listQuery = <T extends z.ZodRawShape>(filters: T) =>
  z.object({ ...filters, limit: limitSchema, cursor: cursorSchema }).strict();

/** A keyset page: the items and the cursor of the next page (null on the last one). */
export const cursorPageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
/** A keyset page with the list's total, when the list counts it. */
export const pageOf = <T extends z.ZodType>(item: T) => cursorPageOf(item).extend({ total: z.number().int().optional() });
/** A list small enough to come whole: one page, no next cursor. */
export const wholeListOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.null() });

/** Who started a run or caused an event (an actor: admin, api_key, user or system), with the email when known. */
export { initiatedBySchema } from '../shared/actor.ts';

/** Query-string booleans: only the words true and false. */
export const queryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');
