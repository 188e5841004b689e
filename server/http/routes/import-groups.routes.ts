// Importing an application's groups: the preview (its groups, new, exists or invalid, with their
// member counts) and starting a groups run.
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { createGroupImportRun, groupPreviewItemSchema, MAX_SELECTION, resultSchema, runSchema } from '../../imports/index.ts';
import { groupPreviewPage } from '../../imports/index.ts';
import { AppError, badRequest } from '../../shared/errors.ts';
import { actorOf } from '../auth.ts';
import { type App, cursorPageOf, cursorSchema, errors, idParams, limitSchema, queryBoolean, routeGroups, routeOptions } from '../common.ts';

const adminRoute = routeOptions('admin', ['import']);

export const importGroupRoutes = routeGroups(groupPreviewRoutes, groupRunRoutes);

function groupPreviewRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/applications/:id/import/groups',
    adminRoute({
      description:
        "The application's groups over SCIM with their members, each marked new, exists (a Roster group has the " +
        'same name in any letter case: existingGroupId) or invalid (reasons: no displayName, a name the directory ' +
        'refuses, a name the application lists twice). memberCount: the members the application lists. The list ' +
        'is read once and kept for 10 minutes; refresh=true reads it again. Searched on displayName, sorted by name.',
      params: idParams,
      querystring: z
        .object({
          q: z.string().max(200).optional(),
          status: z.enum(['new', 'exists', 'invalid']).optional(),
          limit: limitSchema,
          cursor: cursorSchema,
          refresh: queryBoolean.optional(),
        })
        .strict(),
      response: {
        200: cursorPageOf(groupPreviewItemSchema).extend({
          total: z.number().describe('groups matching q and status'),
          counts: z.object({ new: z.number(), exists: z.number(), invalid: z.number() }).describe("the application's groups per status"),
        }),
        502: errors[400],
      },
    }),
    async (request) => {
      const actor = actorOf(request);
      const { refresh, ...query } = request.query;
      // Reading the application again costs it a full listing: admins only.
      if (refresh === true && actor.role !== 'admin') {
        throw new AppError('FORBIDDEN', 403, 'Your role is read_only: refreshing the preview needs the admin role', [
          { path: 'querystring.refresh', message: 'needs the admin role' },
        ]);
      }
      return groupPreviewPage(deps, actor.organizationId, request.params.id, { ...query, refresh: refresh === true && !query.cursor });
    },
  );
}

function groupRunRoutes(app: App, deps: Deps): void {
  app.post(
    '/api/v1/applications/:id/import/group-jobs',
    adminRoute({
      description:
        `Import the selected groups (remoteIds, at most ${MAX_SELECTION}) or all of them: a run of kind groups. Each new ` +
        'group is created with the members Roster knows (remote members linked to a Roster user in this application); ' +
        'the results list the members that could not be placed. Groups named like a Roster group are skipped, invalid ' +
        'ones fail. dryRun: only the results are stored. Fewer than 100 groups: 200 with every result; otherwise 202 ' +
        'and the run goes on in the background.',
      params: idParams,
      body: z
        .object({
          remoteIds: z
            .array(z.string().min(1).max(1024))
            .max(MAX_SELECTION, `at most ${MAX_SELECTION} groups; use all: true for more`)
            .optional(),
          all: z.literal(true, { message: 'must be true (or leave it out and send remoteIds)' }).optional(),
          dryRun: z.boolean().optional(),
        })
        .strict(),
      response: {
        200: z.object({ run: runSchema.extend({ results: z.array(resultSchema) }) }),
        202: z.object({ run: runSchema }),
        502: errors[400],
      },
    }),
    async (request, reply) => {
      const { remoteIds, all, dryRun } = request.body;
      if ((remoteIds === undefined) === (all === undefined)) {
        throw badRequest('VALIDATION_FAILED', 'Send either remoteIds or all: true', [
          { path: 'body', message: 'exactly one of remoteIds and all is required' },
        ]);
      }
      const input = all ? { all, dryRun } : { remoteIds: remoteIds!, dryRun };
      const created = await createGroupImportRun(deps, actorOf(request), request.params.id, input);
      if (created.results) return reply.code(200).send({ run: { ...created.run, results: created.results } });
      return reply.code(202).send({ run: created.run });
    },
  );
}
