// The connection test with an integration's stored configuration, its result recorded on the integration.
import type { DbContext } from '../db/context.ts';
import type { Actor } from '../shared/actor.ts';
import { testConnection } from './connection-test.ts';
import type { TestResult } from './integrations.schemas.ts';
import { loadScimConfig, saveTestResult } from './integrations.service.ts';
import type { IntegrationRuntime } from './runtime.ts';

export interface IntegrationCheckContext extends DbContext {
  /** Decrypts the stored credentials. */
  secretKey: Buffer;
  idm: IntegrationRuntime;
}

/** Runs the connection test with the stored configuration and records it. */
export async function checkIntegration(
  ctx: IntegrationCheckContext,
  actor: Actor,
  applicationId: string,
  writeCheck: boolean,
): Promise<TestResult> {
  const cfg = await loadScimConfig({ db: ctx.db, secretKey: ctx.secretKey }, actor.organizationId, applicationId);
  const client = ctx.idm.client(applicationId, cfg.client, cfg.settings);
  try {
    const result = await testConnection(client, {
      writeCheck,
      needGroups: cfg.settings.groupManagement,
      signal: AbortSignal.timeout(cfg.settings.requestTimeoutMs * 4),
      clock: ctx.clock,
    });
    await saveTestResult(ctx, actor, applicationId, result);
    return result;
  } finally {
    await client.close();
  }
}
