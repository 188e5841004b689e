// Every route of the app, registered in one place: app.ts calls registerRoutes once.
import type { Registry } from 'prom-client';
import type { Deps } from '../../deps.ts';
import type { App } from '../common.ts';
import { openApiRoutes } from '../openapi.ts';
import { accountRoutes } from './accounts.routes.ts';
import { adminRoutes } from './admins.routes.ts';
import { applicationRoutes } from './applications.routes.ts';
import { authRoutes } from './auth.routes.ts';
import { groupRoutes } from './groups.routes.ts';
import { healthRoutes } from './health.routes.ts';
import { importGroupRoutes } from './import-groups.routes.ts';
import { importRoutes } from './imports.routes.ts';
import { importSettingsRoutes } from './import-settings.routes.ts';
import { importUndoRoutes } from './import-undo.routes.ts';
import { insightsRoutes } from './insights.routes.ts';
import { integrationRoutes } from './integrations.routes.ts';
import { mailRoutes } from './mail.routes.ts';
import { portalRoutes } from './portal.routes.ts';
import { provisioningRoutes } from './provisioning.routes.ts';
import { scimRoutes } from './scim.routes.ts';
import { scimSourceRoutes } from './scim-sources.routes.ts';
import { userRoutes } from './users.routes.ts';

export function registerRoutes(app: App, deps: Deps, metrics: Registry): void {
  openApiRoutes(app);
  healthRoutes(app, deps, metrics);
  authRoutes(app, deps);
  adminRoutes(app, deps);
  accountRoutes(app, deps);
  userRoutes(app, deps);
  groupRoutes(app, deps);
  applicationRoutes(app, deps);
  integrationRoutes(app, deps);
  importRoutes(app, deps);
  importGroupRoutes(app, deps);
  importSettingsRoutes(app, deps);
  importUndoRoutes(app, deps);
  provisioningRoutes(app, deps);
  insightsRoutes(app, deps);
  mailRoutes(app, deps);
  scimRoutes(app, deps);
  scimSourceRoutes(app, deps);
  // The portal's catch-all GET /* only gets what no API route matches (the router prefers static routes).
  portalRoutes(app);
}
