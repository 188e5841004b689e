// Inbound SCIM: Roster as a SCIM 2.0 service provider. Sources (the identity providers and HR systems
// that provision into Roster): their admin side, tokens, request log and delete guardrail; and the
// /scim/v2 resources they manage (scim-users, scim-groups: the directory's users and groups as SCIM).
export {
  createSource,
  deleteSource,
  findSourceByIdOrName,
  getSource,
  listSourceRequests,
  listSources,
  rotateSourceToken,
  sourceStats,
  updateSource,
  type SourcesContext,
} from './sources.service.ts';
export * from './sources.schemas.ts';
export { parseSettings, sourceActor, sourceBaseUrl, type ScimSource } from './source.ts';
export { authenticateSource, newSourceToken, SOURCE_TOKEN_PREFIX } from './tokens.ts';
export {
  purgeScimSourceLogs,
  REQUESTS_KEPT_DAYS,
  REQUESTS_KEPT_PER_SOURCE,
  ScimRequestLog,
  type RequestLogOptions,
  type ScimRequestEntry,
} from './request-log.ts';
export {
  checkRemoval,
  commitGuardrailPause,
  confirmGuardrail,
  GUARDRAIL_RETRY_AFTER_SECONDS,
  GUARDRAIL_WINDOW_MS,
  GuardrailPausedError,
  removalLimit,
  type GuardrailContext,
  type GuardrailPause,
  type RemovalKind,
  type RemovalVerdict,
} from './guardrail.ts';
export { checkIfMatch, type ScimContext } from './scim-context.ts';
export { serviceProviderConfig } from './scim-discovery.ts';
export { wholeList } from './scim-list.ts';
export {
  createScimUser,
  deleteScimUser,
  getScimUser,
  listScimUsers,
  patchScimUser,
  replaceScimUser,
  type Projection,
} from './scim-users.service.ts';
export { createScimGroup, deleteScimGroup, getScimGroup, listScimGroups, patchScimGroup, replaceScimGroup } from './scim-groups.service.ts';
