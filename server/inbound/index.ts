// Inbound SCIM: Roster as a SCIM 2.0 service provider. Sources (the identity providers and HR systems
// that provision into Roster): their admin side, tokens, request log and delete guardrail.
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
