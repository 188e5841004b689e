// Shared zod pieces for routes.
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ERROR_CODE_LIST, ERROR_CODES, type ErrorCode } from '../shared/errors.ts';

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

export const idParams = z.object({ id: z.uuid({ message: 'must be a UUID' }) }).strict();

export const limitSchema = z.coerce.number().int().min(1).max(500).default(50);
export const cursorSchema = z.string().max(2048).optional();

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable(), total: z.number().int().optional() });

/** Query-string booleans: only the words true and false. */
export const queryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');
