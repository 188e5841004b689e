// Maps every error to one JSON body: { error: { code, message, details } }. Never leaks internals.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { storageProblem } from '../db/errors.ts';
import { AppError, type ErrorCode, type FieldProblem } from '../shared/errors.ts';

interface ZodValidationEntry {
  instancePath: string;
  message: string;
  keyword: string;
  params?: { keys?: string[] };
}

function problemsOf(context: string, entries: ZodValidationEntry[]): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of entries) {
    const base = [context, ...e.instancePath.split('/').filter(Boolean)].join('.');
    if (e.keyword === 'unrecognized_keys' && e.params?.keys?.length) {
      for (const k of e.params.keys) out.push({ path: `${base}.${k}`, message: 'unknown field' });
    } else {
      out.push({ path: base, message: e.message });
    }
  }
  return out;
}

function errorBody(code: ErrorCode, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.error({ err }, 'request failed');
      return reply.code(err.status).send(errorBody(err.code, err.message, err.details));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const ctx = (err as FastifyError).validationContext ?? 'body';
      const problems = problemsOf(ctx, (err as FastifyError).validation as unknown as ZodValidationEntry[]);
      const message = `Invalid ${ctx}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`;
      return reply.code(400).send(errorBody('VALIDATION_FAILED', message, problems));
    }
    const fe = err as FastifyError;
    if (isResponseSerializationError(fe as never)) {
      request.log.error({ err }, 'response did not match its schema');
      return reply.code(500).send(errorBody('INTERNAL', 'Internal server error'));
    }
    const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
    if (status >= 400 && status < 500) {
      const code =
        fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'BODY_TOO_LARGE'
          : fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'UNSUPPORTED_MEDIA_TYPE'
            : status === 429
              ? 'RATE_LIMITED'
              : fe.code?.startsWith('FST_ERR_CTP') || fe instanceof SyntaxError
                ? 'MALFORMED_BODY'
                : 'BAD_REQUEST';
      const message = code === 'MALFORMED_BODY' ? `Request body is not valid JSON: ${fe.message}` : fe.message;
      return reply.code(status).send(errorBody(code, message));
    }
    const storage = storageProblem(err);
    if (storage) {
      request.log.error({ err }, 'the database cannot store anything');
      return reply
        .code(503)
        .send(errorBody('STORAGE_UNAVAILABLE', `Roster cannot store anything right now: ${storage}. Nothing of this request was saved.`));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody('INTERNAL', 'Internal server error'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody('ROUTE_NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`));
  });
}

/** Fastify's `frameworkErrors`: the router refused the URL before any route or hook ran. */
export function frameworkErrorHandler(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    reply.code(414).send(errorBody('URI_TOO_LONG', 'A path parameter of this URL is too long'));
  } else if (err.code === 'FST_ERR_BAD_URL') {
    reply.code(400).send(errorBody('BAD_URL', 'The URL is malformed'));
  } else {
    reply.code(400).send(errorBody('BAD_REQUEST', 'The request could not be routed'));
  }
}

const CLIENT_ERRORS: Record<string, [number, ErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'The request line or headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'The request took too long to arrive'],
};

/** Node's `clientError`: the HTTP parser refused the request itself; answer in our body shape, then close. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  const [status, code, message]: [number, ErrorCode, string] = CLIENT_ERRORS[err.code ?? ''] ?? [
    400,
    'BAD_REQUEST',
    'The request is not valid HTTP',
  ];
  const body = JSON.stringify(errorBody(code, message));
  socket.write(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.destroy();
}
