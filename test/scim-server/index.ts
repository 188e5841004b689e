/**
 * Roster's own SCIM 2.0 service provider for tests, benchmarks and end-to-end runs.
 * See README.md in this folder for the quirk switches.
 *
 *   const scim = await startScimServer({ users: 250, groups: 5, auth: { type: 'bearer', token: 't' } });
 *   scim.setQuirks({ maxPageSize: 50, totalResultsIsPageCount: true });
 *   ...
 *   await scim.stop();
 */
export { startScimServer } from './server.ts';
export type { RequestLogEntry, RunningScimServer, ScimServerOptions, ScimServerStats } from './server.ts';
export { defaultQuirks } from './quirks.ts';
export type { FaultKind, FaultRule, IdStyle, Quirks, QuirkSpec, RateLimit } from './quirks.ts';
export type { AuthConfig } from './auth.ts';
export type { ScimGroupJson, ScimResourceJson, ScimUserJson } from './store.ts';
export { CORE_GROUP, CORE_USER, ENTERPRISE_USER, PATCH_OP } from './schema.ts';
