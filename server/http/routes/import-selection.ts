// What the import routes share (users and groups alike): the selection a run takes (remoteIds or all),
// its answer (200 with every result when it ran within the request, else 202), and who may read an
// application's list again (refresh).
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { type ImportResult, type ImportRun, MAX_SELECTION, resultSchema, runSchema } from '../../imports/index.ts';
import type { Actor } from '../../shared/actor.ts';
import { AppError, badRequest } from '../../shared/errors.ts';
import { errors } from '../common.ts';

export const remoteIdSchema = z.string().min(1).max(1024);

/** The body's selection: remoteIds (at most MAX_SELECTION `nouns`) or all: true. */
export const selectionShape = (noun: 'users' | 'groups') => ({
  remoteIds: z.array(remoteIdSchema).max(MAX_SELECTION, `at most ${MAX_SELECTION} ${noun}; use all: true for more`).optional(),
  all: z.literal(true, { message: 'must be true (or leave it out and send remoteIds)' }).optional(),
});

/** Exactly one of remoteIds and all (400 naming the body otherwise). */
export function selectionOf(body: { remoteIds?: string[]; all?: true }): { all: true } | { remoteIds: string[] } {
  if (body.remoteIds !== undefined && body.all === undefined) return { remoteIds: body.remoteIds };
  if (body.all !== undefined && body.remoteIds === undefined) return { all: body.all };
  throw badRequest('VALIDATION_FAILED', 'Send either remoteIds or all: true', [
    { path: 'body', message: 'exactly one of remoteIds and all is required' },
  ]);
}

/** The answers of a route that starts a run. */
export const runStartResponses = {
  200: z.object({ run: runSchema.extend({ results: z.array(resultSchema) }) }),
  202: z.object({ run: runSchema }),
  502: errors[400],
};

export function sendStartedRun(reply: FastifyReply, created: { run: ImportRun; results?: ImportResult[] }) {
  if (created.results) return reply.code(200).send({ run: { ...created.run, results: created.results } });
  return reply.code(202).send({ run: created.run });
}

/**
 * Whether to read the application's list again: only on a first page, and only for admins (a new read
 * costs the application, and its rate limit, a full listing): 403 naming querystring.refresh otherwise.
 */
export function refreshOf(actor: Actor, refresh: boolean | undefined, cursor: string | undefined): boolean {
  if (refresh === true && actor.role !== 'admin') {
    throw new AppError('FORBIDDEN', 403, 'Your role is read_only: refreshing the preview needs the admin role', [
      { path: 'querystring.refresh', message: 'needs the admin role' },
    ]);
  }
  return refresh === true && !cursor;
}
