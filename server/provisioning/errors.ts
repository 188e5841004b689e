// How failures of provisioning operations are told: in plain words safe for Insights and the status
// page. The SCIM client's messages are already sanitized (no secrets, no stack traces, T7); anything
// else unexpected becomes a generic sentence and goes to the server log instead.
import { STOP_MESSAGES } from '../integrations/index.ts';
import { isScimClientError, isScimError } from '../scim/index.ts';
import { AppError } from '../shared/errors.ts';

export const DEACTIVATED_MESSAGE = STOP_MESSAGES.deactivated;

export class ProvisioningError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ProvisioningError';
    this.code = code;
  }
}

export const orphanedError = (userName: string) =>
  new ProvisioningError(
    'ORPHANED_ACCOUNT',
    `Orphaned account: the application says ${userName} already exists, but no lookup by userName, externalId or email finds him. ` +
      'Unlink or remove the account in the application, then sync the user again.',
  );

/** What a read of one resource gives, or null when the application says it is not there (404). */
export async function unlessNotFound<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

export interface Failure {
  code: string;
  message: string;
  /** Unexpected (a bug or the database): log it. */
  unexpected: boolean;
}

export function describe(err: unknown): Failure {
  if (err instanceof ProvisioningError) return { code: err.code, message: err.message, unexpected: false };
  if (isScimError(err)) return { code: `SCIM_${err.status}`, message: err.message, unexpected: false };
  if (isScimClientError(err)) return { code: err.code, message: err.message, unexpected: false };
  if (err instanceof AppError) return { code: err.code, message: err.message, unexpected: false };
  return {
    code: 'UNEXPECTED',
    message: 'An unexpected error happened while provisioning; the server log has the details.',
    unexpected: true,
  };
}

export const isNotFound = (err: unknown) => isScimError(err) && err.status === 404;
export const isConflict = (err: unknown) => isScimError(err) && err.status === 409;
/** The server does not do this kind of request at all (C6: PUT refused; some refuse PATCH). */
export const isUnsupported = (err: unknown) => isScimError(err) && (err.status === 405 || err.status === 501);
/** A POST that may or may not have created the resource: look before creating again. */
export const isOutcomeUnknown = (err: unknown) => isScimClientError(err) && err.outcomeUnknown;

const SYSTEMIC_CODES = new Set([
  'NETWORK',
  'TLS',
  'TIMEOUT',
  'UNSAFE_URL',
  'REDIRECT_REFUSED',
  'AUTH_FAILED',
  'RATE_LIMITED',
  'INVALID_CONFIG',
  'NOT_SCIM',
  'INVALID_JSON',
]);

/**
 * Failures that say the application (not this user) is the problem: wrong credentials, unreachable,
 * down, throttling beyond what retries absorb. Several in a row stop the sync instead of failing
 * every remaining user the same way.
 */
export function isSystemic(err: unknown): boolean {
  if (isScimError(err)) return err.status === 401 || err.status === 403 || err.status === 429 || err.status >= 500;
  if (isScimClientError(err)) return SYSTEMIC_CODES.has(err.code);
  return false;
}
