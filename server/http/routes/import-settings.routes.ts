// An application's import settings (match rules, schedule), and an admin's answer to a paused run.
import type { Deps } from '../../deps.ts';
import {
  cancelRun,
  confirmRun,
  getImportSettings,
  importSettingsSchema,
  putImportSettings,
  putImportSettingsSchema,
  runSchema,
} from '../../imports/index.ts';
import { actorOf } from '../auth.ts';
import { type App, idParams, routeGroups, routeOptions } from '../common.ts';

const adminRoute = routeOptions('admin', ['import']);

export const importSettingsRoutes = routeGroups(settingsRoutes, pausedRunRoutes);

function settingsRoutes(app: App, deps: Deps): void {
  const { db } = deps.database;
  app.get(
    '/api/v1/applications/:id/import/settings',
    adminRoute({
      description: 'How imports from the application match users, and its import schedule (null: none). Defaults without settings saved.',
      params: idParams,
      response: { 200: importSettingsSchema },
    }),
    async (request) => getImportSettings({ db }, actorOf(request).organizationId, request.params.id),
  );

  app.put(
    '/api/v1/applications/:id/import/settings',
    adminRoute({
      description:
        'Saves the match rules and/or the schedule (null removes it; left out: unchanged). A schedule runs as the admin who ' +
        'saved it (its email goes to him); its cron expression is read in its own time zone (Roster has no organization ' +
        "time zone yet: the portal pre-fills the browser's). nextRunAt is the next occurrence, in UTC. A schedule needs " +
        'a configured integration (409 IDM_NOT_CONFIGURED).',
      params: idParams,
      body: putImportSettingsSchema,
      response: { 200: importSettingsSchema },
    }),
    async (request) =>
      putImportSettings({ db, clock: deps.clock, secretKey: deps.secretKey }, actorOf(request), request.params.id, request.body),
  );
}

/** A run the guardrail paused waits for an admin: confirm it, or cancel it (a queued run too). */
function pausedRunRoutes(app: App, deps: Deps): void {
  app.post(
    '/api/v1/import-runs/:id/confirm',
    adminRoute({
      description:
        'Confirms a run the guardrail paused: it is queued again and goes on from where it stopped, the guardrail letting ' +
        'it through (options.guardrailConfirmed). 409 IMPORT_RUN_NOT_PAUSED for a run that is not paused.',
      params: idParams,
      response: { 200: runSchema },
    }),
    async (request) => confirmRun(deps, actorOf(request), request.params.id),
  );

  app.post(
    '/api/v1/import-runs/:id/cancel',
    adminRoute({
      description:
        'Cancels a paused or queued run: it ends failed ("cancelled by" the admin), with its event and email; what it did ' +
        'so far stays. 409 IMPORT_RUN_NOT_CANCELLABLE for a run that is running or has ended.',
      params: idParams,
      response: { 200: runSchema },
    }),
    async (request) => cancelRun(deps, actorOf(request), request.params.id),
  );
}
