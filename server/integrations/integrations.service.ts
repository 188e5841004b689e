// Identity Management integrations: configuration (secrets encrypted, write-only), test, activation.
import { createHmac } from 'node:crypto';
import { getApplication } from '../applications/index.ts';
import type { DbContext } from '../db/context.ts';
import { type Db, inTransaction } from '../db/database.ts';
import { type InsightEventInput, record } from '../insights/index.ts';
import { type NetworkPolicy, type ScimAuth, type ScimClientOptions, type UrlPolicy } from '../scim/index.ts';
import type { Actor } from '../shared/actor.ts';
import { decryptSecret, encryptSecret } from '../shared/crypto.ts';
import { conflict } from '../shared/errors.ts';
import { aad, type AuthConfig, checkUrl, originOf, resolveCredentials, resolveHeaders, type Secrets } from './credentials.ts';
import * as repo from './integrations.repository.ts';
import type { StopReason } from './runtime.ts';
import { publishStop } from './stop-signal.ts';
import {
  type Capabilities,
  DEFAULT_SETTINGS,
  type IdmSettings,
  type IntegrationView,
  type PutIntegrationInput,
  settingsSchema,
  type TestResult,
} from './integrations.schemas.ts';

function parseSettings(json: string): IdmSettings {
  // Stored settings are ours, but a newer default fills any key an older row lacks.
  return settingsSchema.parse({ ...DEFAULT_SETTINGS, ...JSON.parse(json) });
}

function toView(applicationId: string, row: repo.IntegrationRow | undefined): IntegrationView {
  if (!row) {
    return {
      applicationId,
      status: 'unconfigured',
      baseUrl: null,
      auth: null,
      headerNames: [],
      settings: DEFAULT_SETTINGS,
      activatedAt: null,
      deactivatedAt: null,
      updatedAt: null,
    };
  }
  const auth = JSON.parse(row.auth_config) as AuthConfig;
  const view: IntegrationView = {
    applicationId,
    status: row.status,
    baseUrl: row.base_url,
    auth: { type: row.auth_type, ...auth, secretSet: row.secrets_enc !== null },
    headerNames: JSON.parse(row.header_names) as string[],
    settings: parseSettings(row.settings),
    activatedAt: row.activated_at,
    deactivatedAt: row.deactivated_at,
    updatedAt: row.updated_at,
  };
  if (row.capabilities) view.capabilities = JSON.parse(row.capabilities) as Capabilities;
  if (row.last_test) view.lastTest = JSON.parse(row.last_test) as TestResult;
  if (row.last_error) view.lastError = row.last_error;
  return view;
}

/** Runs `change` in one transaction with the application (NOT_FOUND when there is none) and its integration's row, if any. */
async function withIntegration<T>(
  db: Db,
  actor: Actor,
  applicationId: string,
  change: (trx: Db, app: { id: string; name: string }, row: repo.IntegrationRow | undefined) => Promise<T>,
): Promise<T> {
  return inTransaction(db, async (trx) => {
    const app = await getApplication({ db: trx }, actor.organizationId, applicationId);
    return change(trx, app, await repo.findIntegration(trx, actor.organizationId, applicationId));
  });
}

export async function getIntegration(
  { db }: Pick<DbContext, 'db'>,
  organizationId: string,
  applicationId: string,
): Promise<IntegrationView> {
  await getApplication({ db }, organizationId, applicationId);
  return toView(applicationId, await repo.findIntegration(db, organizationId, applicationId));
}

/**
 * Creates or replaces the configuration. Secrets left out are kept when the auth type is unchanged.
 * `reconnected`: the address, credentials or headers changed, so the caller stops this process's work
 * in flight after the commit (the other processes are told by the commit).
 */
export async function configureIntegration(
  { db, clock, secretKey, network }: DbContext & { secretKey: Buffer; network: NetworkPolicy },
  actor: Actor,
  applicationId: string,
  input: PutIntegrationInput,
): Promise<{ view: IntegrationView; reconnected: boolean }> {
  return withIntegration(db, actor, applicationId, async (trx, app, existing) => {
    const settings = settingsSchema.parse({ ...(existing ? parseSettings(existing.settings) : DEFAULT_SETTINGS), ...input.settings });
    // The operator's network rules apply here already, so a refused address is named when it is typed.
    const policy: UrlPolicy = { network, allowInsecureHttp: settings.allowInsecureHttp };
    const baseUrl = checkUrl(input.baseUrl, policy, 'body.baseUrl', 'SCIM base URL');
    const auth = input.auth;
    // A stored secret is only ever sent where it was configured for: moving its URL to another host
    // (scheme, name or port) needs the secret again, or a changed URL would hand it to someone else.
    const baseMoved = existing !== undefined && originOf(existing.base_url) !== originOf(baseUrl);
    const { stored, secrets, authConfig } = resolveCredentials(secretKey, existing, auth, policy, baseMoved);
    const now = clock.now().toISOString();
    const { headersEnc, headerNames } = resolveHeaders(secretKey, existing, applicationId, input.headers, baseMoved);
    const row: repo.IntegrationRow = {
      application_id: applicationId,
      organization_id: actor.organizationId,
      status: existing?.status ?? 'inactive',
      base_url: baseUrl,
      auth_type: auth.type,
      auth_config: JSON.stringify(authConfig),
      secrets_enc: encryptSecret(secretKey, JSON.stringify(secrets), aad({ application_id: applicationId }, 'secrets')),
      headers_enc: headersEnc,
      header_names: JSON.stringify(headerNames),
      settings: JSON.stringify(settings),
      // A new address or credentials make the old test result meaningless.
      capabilities: existing?.capabilities ?? null,
      last_test: existing && existing.base_url === baseUrl ? existing.last_test : null,
      last_error: existing?.last_error ?? null,
      generation: existing?.generation ?? 0,
      activated_at: existing?.activated_at ?? null,
      deactivated_at: existing?.deactivated_at ?? null,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    const secretChanged = !existing || existing.auth_type !== auth.type || JSON.stringify(stored) !== JSON.stringify(secrets);
    // Work in flight uses the connection it started with: a new address, credentials or headers stop
    // it everywhere (stop-signal.ts), and the new generation makes the work that resumes read the new ones.
    const reconnected =
      existing !== undefined &&
      connectionKey(secretKey, connectionOf(secretKey, existing)) !== connectionKey(secretKey, connectionOf(secretKey, row));
    if (reconnected) row.generation = existing.generation + 1;
    if (existing) await repo.updateIntegration(trx, actor.organizationId, applicationId, row);
    else await repo.insertIntegration(trx, row);
    if (reconnected && existing.status !== 'inactive') await publishStop(trx, applicationId, 'reconfigured');
    await record(
      { db: trx, clock },
      idmEvent('idm_configured', actor, app, {
        // Never the secrets themselves: only whether they changed, and header names.
        changes: { baseUrl, authType: auth.type, ...authConfig, headerNames, secretChanged, settings },
      }),
    );
    return { view: toView(applicationId, row), reconnected };
  });
}

export interface ScimConfig {
  applicationId: string;
  organizationId: string;
  status: repo.IntegrationRow['status'];
  generation: number;
  settings: IdmSettings;
  client: Omit<ScimClientOptions, 'rateLimit' | 'concurrency' | 'logger'>;
}

/** Where and how a stored integration connects: address, credentials and extra headers, decrypted. */
type Connection = Pick<ScimConfig['client'], 'baseUrl' | 'auth' | 'headers'>;

function connectionOf(secretKey: Buffer, row: repo.IntegrationRow): Connection {
  const secrets = row.secrets_enc ? (JSON.parse(decryptSecret(secretKey, row.secrets_enc, aad(row, 'secrets'))) as Secrets) : {};
  const cfg = JSON.parse(row.auth_config) as AuthConfig;
  let auth: ScimAuth;
  if (row.auth_type === 'bearer') auth = { type: 'bearer', token: secrets.token ?? '' };
  else if (row.auth_type === 'basic') auth = { type: 'basic', username: cfg.username ?? '', password: secrets.password ?? '' };
  else
    auth = {
      type: 'oauth2_client_credentials',
      tokenUrl: cfg.tokenUrl ?? '',
      clientId: cfg.clientId ?? '',
      clientSecret: secrets.clientSecret ?? '',
      scope: cfg.scope,
    };
  const headers = row.headers_enc
    ? (JSON.parse(decryptSecret(secretKey, row.headers_enc, aad(row, 'headers'))) as Record<string, string>)
    : undefined;
  return { baseUrl: row.base_url, auth, headers };
}

/**
 * Names a connection without revealing it: an HMAC under the secret key, equal for equal connections.
 * A change of it stops the work in flight (configureIntegration); a preview snapshot remembers it.
 */
export function connectionKey(secretKey: Buffer, c: Connection): string {
  return createHmac('sha256', secretKey)
    .update(JSON.stringify(['roster-connection-v1', c.baseUrl, c.auth, c.headers ?? {}]))
    .digest('base64url');
}

/** Decrypted configuration for building a SCIM client. Never returned to API callers. */
export async function loadScimConfig(
  { db, secretKey }: Pick<DbContext, 'db'> & { secretKey: Buffer },
  organizationId: string,
  applicationId: string,
): Promise<ScimConfig> {
  await getApplication({ db }, organizationId, applicationId);
  const row = await repo.findIntegration(db, organizationId, applicationId);
  if (!row) throw conflict('IDM_NOT_CONFIGURED', 'This application has no Identity Management integration configured');
  const settings = parseSettings(row.settings);
  return {
    applicationId,
    organizationId,
    status: row.status,
    generation: row.generation,
    settings,
    client: {
      ...connectionOf(secretKey, row),
      timeoutMs: settings.requestTimeoutMs,
      allowInsecureHttp: settings.allowInsecureHttp,
      paging: { pageSize: settings.pageSize },
      compat: { memberChunkSize: settings.memberChunkSize },
    },
  };
}

export async function saveTestResult({ db, clock }: DbContext, actor: Actor, applicationId: string, result: TestResult): Promise<void> {
  await withIntegration(db, actor, applicationId, async (trx, app, row) => {
    if (!row) return;
    const patch: Partial<repo.IntegrationRow> = {
      last_test: JSON.stringify(result),
      capabilities: JSON.stringify(result.capabilities),
      updated_at: clock.now().toISOString(),
    };
    // An active integration whose test fails is in error until a test passes again.
    if (row.status === 'active' && !result.ok) patch.status = 'error';
    if (row.status === 'error' && result.ok) patch.status = 'active';
    // A passing test clears the last error: the problem it described is gone.
    patch.last_error = result.ok ? null : result.problems.map((p) => p.message).join(' ');
    await repo.updateIntegration(trx, actor.organizationId, applicationId, patch);
    await record(
      { db: trx, clock },
      idmEvent('idm_tested', actor, app, {
        success: result.ok,
        changes: { problems: result.problems, writeCheck: result.writeCheck },
        message: result.ok
          ? 'connection test passed'
          : result.problems
              .map((p) => p.message)
              .join(' ')
              .slice(0, 1000),
      }),
    );
  });
}

export async function activateIntegration({ db, clock }: DbContext, actor: Actor, applicationId: string): Promise<IntegrationView> {
  return withIntegration(db, actor, applicationId, async (trx, app, row) => {
    if (!row) throw conflict('IDM_NOT_CONFIGURED', 'Configure the integration before activating it');
    if (row.status === 'active') return toView(applicationId, row);
    const now = clock.now().toISOString();
    const patch = { status: 'active' as const, generation: row.generation + 1, activated_at: now, last_error: null, updated_at: now };
    await repo.updateIntegration(trx, actor.organizationId, applicationId, patch);
    await record({ db: trx, clock }, idmEvent('idm_activated', actor, app));
    return toView(applicationId, { ...row, ...patch });
  });
}

/**
 * Marks the integration inactive and tells every process to stop its work at commit (stop-signal.ts);
 * running work also sees the new generation. runtime.abort stops this process's own at once.
 */
export async function deactivateIntegration(
  { db, clock }: DbContext,
  actor: Actor,
  applicationId: string,
): Promise<{ view: IntegrationView; changed: boolean }> {
  return withIntegration(db, actor, applicationId, async (trx, app, row) => {
    if (!row) throw conflict('IDM_NOT_CONFIGURED', 'This application has no Identity Management integration');
    if (row.status === 'inactive') return { view: toView(applicationId, row), changed: false };
    const now = clock.now().toISOString();
    const patch = { status: 'inactive' as const, generation: row.generation + 1, deactivated_at: now, updated_at: now };
    await repo.updateIntegration(trx, actor.organizationId, applicationId, patch);
    await record({ db: trx, clock }, idmEvent('idm_deactivated', actor, app));
    await publishStop(trx, applicationId);
    return { view: toView(applicationId, { ...row, ...patch }), changed: true };
  });
}

/** The integration's status, generation and last deactivation, for work that checks whether it must stop. */
export async function integrationState({ db }: Pick<DbContext, 'db'>, applicationId: string) {
  return repo.findIntegrationState(db, applicationId);
}

/**
 * Why work that started at `generation` must stop, or undefined while the integration is still active
 * (or in error) at that generation. A generation change while active is a new connection (or a
 * deactivation and activation since: either way the work starts over with the settings of now).
 */
export async function integrationStop(
  { db }: Pick<DbContext, 'db'>,
  applicationId: string,
  generation: number,
): Promise<StopReason | undefined> {
  const s = await repo.findIntegrationState(db, applicationId);
  if (!s) return 'deleted';
  if (s.status === 'inactive') return 'deactivated';
  return s.generation === generation ? undefined : 'reconfigured';
}

/** An Insights event about an application's integration. */
function idmEvent(
  eventType: InsightEventInput['eventType'],
  actor: Actor,
  app: { id: string; name: string },
  more: Partial<InsightEventInput> = {},
): InsightEventInput {
  return {
    eventType,
    service: 'idm',
    actor,
    resource: { type: 'application', id: app.id },
    application: { id: app.id, name: app.name },
    ...more,
  };
}
