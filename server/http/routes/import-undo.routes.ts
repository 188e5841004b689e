// Undo of an import run (issue 14): what it would do (the portal's confirmation), and starting it.
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { runSchema, startUndo, undoPreview, undoPreviewSchema, undoRequestSchema } from '../../imports/index.ts';
import { actorOf } from '../auth.ts';
import { type App, idParams, routeGroups, routeOptions } from '../common.ts';

const adminRoute = routeOptions('admin', ['import']);

export const importUndoRoutes = routeGroups(undoRoutes);

function undoRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.get(
    '/api/v1/import-runs/:id/undo',
    adminRoute({
      description:
        'What an undo of the run would do: the created users it would delete or suspend and those it would leave ' +
        'alone (changed since, provisioned, gone), the updated users it would set back, the links it would remove; ' +
        'refused says why it cannot be undone now.',
      params: idParams,
      response: { 200: undoPreviewSchema },
    }),
    async (request) => undoPreview({ db }, actorOf(request).organizationId, request.params.id),
  );

  app.post(
    '/api/v1/import-runs/:id/undo',
    adminRoute({
      description:
        'Undo the run: a run of kind undo goes on in the background (202). Users the run created are deleted ' +
        '(users: "suspend" suspends them) unless they changed since or are provisioned somewhere; fields it updated ' +
        'are set back where unchanged since; links it made are removed. 409 while the run is queued, running or ' +
        'paused, once it has been undone (a failed undo may be retried), for a dry run and for an undo run.',
      params: idParams,
      // A POST without a body undoes with the defaults.
      body: undoRequestSchema.nullish(),
      response: { 202: z.object({ run: runSchema }) },
    }),
    async (request, reply) => {
      const run = await startUndo(deps, actorOf(request), request.params.id, request.body ?? {});
      return reply.code(202).send({ run });
    },
  );
}
