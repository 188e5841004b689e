// An application's import settings (match rules, schedule), and an admin's answer to a paused run.
import type { Deps } from '../../deps.ts';
import { getImportSettings, importSettingsSchema, putImportSettings, putImportSettingsSchema } from '../../imports/index.ts';
import { actorOf } from '../auth.ts';
import { type App, idParams, routeGroups, routeOptions } from '../common.ts';

const adminRoute = routeOptions('admin', ['import']);

export const importSettingsRoutes = routeGroups(settingsRoutes);

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
