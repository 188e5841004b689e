export * from './integrations.service.ts';
export { describeFailure } from './connection-test.ts';
export { IntegrationRuntime, STOP_MESSAGES, stopReasonOf, type StopReason } from './runtime.ts';
export { listenForStops, publishStop } from './stop-signal.ts';
export type { IdmSettings, IntegrationView, TestResult, Capabilities, Problem } from './integrations.schemas.ts';
export { integrationViewSchema, putIntegrationSchema, testResultSchema } from './integrations.schemas.ts';
export * as links from './links.repository.ts';
export type { LinkRow } from './links.repository.ts';
export { checkIntegration, type IntegrationCheckContext } from './check.service.ts';
