// Importing an application's groups: the preview (its groups, new, exists or invalid, with their
// member counts) and starting a groups run.
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { createGroupImportRun, groupPreviewItemSchema, MAX_SELECTION } from '../../imports/index.ts';
import { groupPreviewPage } from '../../imports/index.ts';
import { actorOf } from '../auth.ts';
import { refreshOf, runStartResponses, selectionOf, selectionShape, sendStartedRun } from './import-selection.ts';
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
      return groupPreviewPage(deps, actor.organizationId, request.params.id, {
        ...query,
        refresh: refreshOf(actor, refresh, query.cursor),
      });
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
          ...selectionShape('groups'),
          dryRun: z.boolean().optional(),
        })
        .strict(),
      response: runStartResponses,
    }),
    async (request, reply) => {
      const { remoteIds, all, dryRun } = request.body;
      const input = { ...selectionOf({ remoteIds, all }), dryRun };
      return sendStartedRun(reply, await createGroupImportRun(deps, actorOf(request), request.params.id, input));
    },
  );
}
