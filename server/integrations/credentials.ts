// An integration's credentials and headers as configured: which stored secrets are kept, which must be
// given again (a URL moved to another host), and how they are sealed at rest.
import { isScimClientError, normalizeBaseUrl, type UrlPolicy } from '../scim/index.ts';
import { decryptSecret, encryptSecret } from '../shared/crypto.ts';
import { badRequest } from '../shared/errors.ts';
import type * as repo from './integrations.repository.ts';
import type { PutIntegrationInput } from './integrations.schemas.ts';

export interface AuthConfig {
  username?: string;
  tokenUrl?: string;
  clientId?: string;
  scope?: string;
}
export interface Secrets {
  token?: string;
  password?: string;
  clientSecret?: string;
}

export const aad = (row: Pick<repo.IntegrationRow, 'application_id'>, what: string) => `idm:${row.application_id}:${what}`;
export const originOf = (url: string) => new URL(url).origin;

export function checkUrl(value: string, policy: UrlPolicy, path: string, what: string): string {
  try {
    return normalizeBaseUrl(value, policy, what).toString().replace(/\/+$/, '');
  } catch (err) {
    if (isScimClientError(err)) throw badRequest('INVALID_URL', err.message, [{ path, message: err.message }]);
    throw err;
  }
}

const missing = (field: string, moved: boolean) =>
  badRequest(
    'SECRET_REQUIRED',
    moved ? `auth.${field} is required again: the URL it is sent to moved to another host` : `auth.${field} is required`,
    [
      {
        path: `body.auth.${field}`,
        message: moved ? 'required: the stored one is not sent to a new host' : 'required (no stored value to keep)',
      },
    ],
  );

/**
 * The credentials to store: given ones, else the stored ones of the same auth type, unless the URL
 * they are sent to moved to another host (`baseMoved`, or the OAuth token URL's own move).
 */
export function resolveCredentials(
  secretKey: Buffer,
  existing: repo.IntegrationRow | undefined,
  auth: PutIntegrationInput['auth'],
  policy: UrlPolicy,
  baseMoved: boolean,
): { stored: Secrets; secrets: Secrets; authConfig: AuthConfig } {
  const stored: Secrets =
    existing && existing.auth_type === auth.type && existing.secrets_enc
      ? (JSON.parse(decryptSecret(secretKey, existing.secrets_enc, aad(existing, 'secrets'))) as Secrets)
      : {};
  const authConfig: AuthConfig = {};
  const secrets: Secrets = {};
  if (auth.type === 'bearer') {
    secrets.token = auth.token ?? (baseMoved ? undefined : stored.token);
    if (!secrets.token) throw missing('token', baseMoved && stored.token !== undefined);
  } else if (auth.type === 'basic') {
    authConfig.username = auth.username;
    secrets.password = auth.password ?? (baseMoved ? undefined : stored.password);
    if (!secrets.password) throw missing('password', baseMoved && stored.password !== undefined);
  } else {
    authConfig.tokenUrl = checkUrl(auth.tokenUrl, policy, 'body.auth.tokenUrl', 'OAuth token URL');
    authConfig.clientId = auth.clientId;
    if (auth.scope) authConfig.scope = auth.scope;
    const storedTokenUrl = existing?.auth_type === auth.type ? (JSON.parse(existing.auth_config) as AuthConfig).tokenUrl : undefined;
    const tokenUrlMoved = storedTokenUrl !== undefined && originOf(storedTokenUrl) !== originOf(authConfig.tokenUrl);
    secrets.clientSecret = auth.clientSecret ?? (tokenUrlMoved ? undefined : stored.clientSecret);
    if (!secrets.clientSecret) throw missing('clientSecret', tokenUrlMoved && stored.clientSecret !== undefined);
  }
  return { stored, secrets, authConfig };
}

/** The extra headers to store: the given ones (sealed), else the stored ones unless the base URL moved. */
export function resolveHeaders(
  secretKey: Buffer,
  existing: repo.IntegrationRow | undefined,
  applicationId: string,
  headers: PutIntegrationInput['headers'],
  baseMoved: boolean,
): { headersEnc: string | null; headerNames: string[] } {
  if (headers === undefined) {
    const headerNames: string[] = existing ? (JSON.parse(existing.header_names) as string[]) : [];
    if (baseMoved && headerNames.length > 0) {
      // Header values are often keys too: same rule as the secrets.
      throw badRequest('SECRET_REQUIRED', 'headers are required again: the base URL moved to another host', [
        { path: 'body.headers', message: 'required: the stored values are not sent to a new host' },
      ]);
    }
    return { headersEnc: existing?.headers_enc ?? null, headerNames };
  }
  const headerNames = Object.keys(headers);
  return {
    headersEnc: headerNames.length
      ? encryptSecret(secretKey, JSON.stringify(headers), aad({ application_id: applicationId }, 'headers'))
      : null,
    headerNames,
  };
}
