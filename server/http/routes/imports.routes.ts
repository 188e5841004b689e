import { Readable } from 'node:stream';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { actorOf } from '../auth.ts';
import { refreshOf, remoteIdSchema, runStartResponses, selectionOf, selectionShape, sendStartedRun } from './import-selection.ts';
import {
  type App,
  cursorPageOf,
  cursorSchema,
  errors,
  idParams,
  limitSchema,
  listQuery,
  queryBoolean,
  routeGroups,
  routeOptions,
} from '../common.ts';
import { decodeCursor, encodeCursor } from '../../shared/cursor.ts';
import * as repo from '../../imports/index.ts';
import { resultCsvLines } from '../../imports/index.ts';
import {
  createImportRun,
  getRun,
  listRuns,
  MAX_SELECTION,
  previewItemSchema,
  RESULT_OUTCOMES,
  resultSchema,
  runSchema,
  toResult,
  updateFieldsSchema,
} from '../../imports/index.ts';
import { PREVIEW_SORT_COLUMNS } from '../../imports/index.ts';
import { estimateSchema, previewPage, previewSnapshotSchema, withEstimate } from '../../imports/index.ts';

const adminRoute = routeOptions('admin', ['import']);

export const importRoutes = routeGroups(previewRoutes, runStartRoutes, runRoutes);

/** The application's users as an import would see them (the preview). */
function previewRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/applications/:id/import/users',
    adminRoute({
      description:
        "The application's users over SCIM, each marked new, exists (match: the rule that matched and the user; " +
        'changes: the fields whose remote value differs), conflict (candidates: the directory users the match ' +
        "rules found, none linked until the admin picks one) or invalid. The list is read once under the application's " +
        'match rules and kept for 10 minutes; it is read again when the rules or the connection change, or with ' +
        'refresh=true. The first page is answered as soon as the first ' +
        'SCIM page is stored and the read goes on in the background: while snapshot.status is reading, the ' +
        'page, search and counts are of the users read so far (snapshot.read of snapshot.total) and complete ' +
        'is false (duplicates within the list are marked when the read ends); ask again to see more. ' +
        'snapshotId: the snapshot being watched; when its read failed, the answer is that failure (502).',
      params: idParams,
      querystring: z
        .object({
          q: z.string().max(200).optional(),
          status: z.enum(['new', 'exists', 'conflict', 'invalid']).optional(),
          sort: z.enum(Object.keys(PREVIEW_SORT_COLUMNS) as [keyof typeof PREVIEW_SORT_COLUMNS]).default('userName'),
          order: z.enum(['asc', 'desc']).default('asc'),
          limit: limitSchema,
          cursor: cursorSchema,
          refresh: queryBoolean.optional(),
          snapshotId: z.uuid().optional(),
        })
        .strict(),
      response: {
        200: cursorPageOf(previewItemSchema).extend({
          total: z.number(),
          counts: z.object({ new: z.number(), exists: z.number(), conflict: z.number(), invalid: z.number() }),
          complete: z.boolean().describe('false while the application is still being read: the counts are of the users read so far'),
          snapshot: previewSnapshotSchema,
          estimate: estimateSchema,
        }),
        502: errors[400],
      },
    }),
    async (request) => {
      const actor = actorOf(request);
      const { refresh, ...query } = request.query;
      return previewPage(deps, actor.organizationId, request.params.id, { ...query, refresh: refreshOf(actor, refresh, query.cursor) });
    },
  );
}

/** Starting an import run. */
function runStartRoutes(app: App, deps: Deps): void {
  app.post(
    '/api/v1/applications/:id/import/jobs',
    adminRoute({
      description:
        `Import the selected users (remoteIds, at most ${MAX_SELECTION}) or all of them. New users are created; ` +
        `users matching a directory user are linked (link, default true) and, with update, get the application's ` +
        `values of the chosen fields; conflicts are skipped unless resolve picks a candidate; exclude leaves remote ` +
        `users out; groupId puts the run's users into a group; dryRun stores the results only. Fewer than 100: ` +
        `200 with every result. Otherwise 202 and the run goes on in the background; the admin is emailed ` +
        `either way (not for a dry run).`,
      params: idParams,
      body: z
        .object({
          ...selectionShape('users'),
          update: z
            .object({ fields: updateFieldsSchema })
            .strict()
            .optional()
            .describe("take the application's values of these fields (all, or a list) for linked and matching users"),
          link: z.boolean().optional().describe('link matching users to their remote accounts (default true)'),
          groupId: z.uuid().optional().describe('put every user the run creates, links or updates into this group'),
          dryRun: z.boolean().optional().describe('compute and store the results only: nothing else is written, nothing emailed'),
          resolve: z
            .array(z.object({ remoteId: remoteIdSchema, userId: z.uuid() }).strict())
            .max(MAX_SELECTION, `at most ${MAX_SELECTION}`)
            .optional()
            .describe('for remote users in conflict: the directory user (one of the candidates) to link or update'),
          exclude: z
            .array(remoteIdSchema)
            .max(MAX_SELECTION, `at most ${MAX_SELECTION}`)
            .optional()
            .describe('remote ids left out of the run (no result)'),
        })
        .strict(),
      response: runStartResponses,
    }),
    async (request, reply) => {
      const { remoteIds, all, ...runRequest } = request.body;
      const what = selectionOf({ remoteIds, all });
      return sendStartedRun(reply, await createImportRun(deps, actorOf(request), request.params.id, { ...runRequest, ...what }));
    },
  );
}

/** Import runs: list, follow, results. */
function runRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.get(
    '/api/v1/import-runs',
    adminRoute({
      querystring: listQuery({ applicationId: z.uuid().optional() }),
      response: { 200: cursorPageOf(runSchema) },
    }),
    async (request) => listRuns({ db }, actorOf(request).organizationId, request.query),
  );

  app.get(
    '/api/v1/import-runs/:id',
    adminRoute({
      description: 'The run; while it is queued or running, estimate says the time left.',
      params: idParams,
      response: { 200: runSchema },
    }),
    async (request) => {
      const { organizationId } = actorOf(request);
      return withEstimate({ db }, organizationId, await getRun({ db }, organizationId, request.params.id));
    },
  );

  app.get(
    '/api/v1/import-runs/:id/results',
    adminRoute({
      description: 'Per-user results in the order they were processed. format=csv downloads all of them.',
      params: idParams,
      querystring: z
        .object({
          format: z.enum(['json', 'csv']).default('json'),
          outcome: z.enum(RESULT_OUTCOMES).optional(),
          limit: z.coerce.number().int().min(1).max(5000).default(500),
          cursor: cursorSchema,
        })
        .strict(),
      response: { 200: cursorPageOf(resultSchema).or(z.string()) },
    }),
    async (request, reply) => {
      const run = await getRun({ db }, actorOf(request).organizationId, request.params.id);
      const { format, outcome, limit, cursor } = request.query;
      if (format === 'csv') {
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="import-${run.id}.csv"`);
        return reply.send(Readable.from(resultCsvLines(db, run.id, outcome)) as never);
      }
      const after = cursor ? Number(decodeCursor(cursor, ['number'])[0]) : -1;
      const rows = await repo.listResults(db, run.id, after, limit + 1, outcome);
      const page = rows.slice(0, limit);
      return { items: page.map(toResult), nextCursor: rows.length > limit ? encodeCursor([page[page.length - 1].seq]) : null };
    },
  );
}
