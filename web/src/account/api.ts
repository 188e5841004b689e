// The public account API (/api/v1/account/...): the set-password page and the user portal. Only these
// endpoints; never the admin API. The user's session is an HttpOnly cookie scoped to /api/v1/account,
// so the page never sees it: "signed in" is whatever GET /me answers.
import { ApiError, client, data, isApiError } from '../api/client.ts';
import type { Answer, User } from '../api/types.ts';

export type PasswordPolicy = Answer<'/api/v1/account/password-policy'>;
export type ActivationInfo = Answer<'/api/v1/account/activation'>;
export type AccountUser = User;

export const accountKeys = {
  me: ['account', 'me'] as const,
  policy: ['account', 'password-policy'] as const,
  activation: (token: string) => ['account', 'activation', token] as const,
};

/** Who an activation link is for; a 410 ACTIVATION_LINK_INVALID for every unusable link. */
export const inspectActivation = (token: string, signal?: AbortSignal) =>
  data(client.GET('/api/v1/account/activation', { params: { query: { token } }, signal }));

export const completeActivation = (body: { token: string; password: string; passwordConfirm: string }) =>
  data(client.POST('/api/v1/account/activation', { body }));

export const fetchPasswordPolicy = () => data(client.GET('/api/v1/account/password-policy'));

/** The signed-in user, or null when there is no (or no longer a) user session. */
export async function fetchAccountMe(): Promise<AccountUser | null> {
  try {
    return (await data(client.GET('/api/v1/account/me'))).user;
  } catch (err) {
    if (isApiError(err, 401)) return null;
    throw err;
  }
}

export const userLogin = (body: { login: string; password: string }) => data(client.POST('/api/v1/account/login', { body }));

export const changePassword = (body: { currentPassword: string; newPassword: string }) =>
  data(client.POST('/api/v1/account/password', { body }));

// No body, but the JSON content type all the same: it is the CSRF proof.
export const userLogout = () => data(client.POST('/api/v1/account/logout'));

export const isLinkInvalid = (err: unknown) => isApiError(err, 410);

/**
 * The messages of a 400's details for one field (the API names them body.password, body.newPassword...),
 * one per broken rule, so each shows on its own line under its input.
 */
export function fieldProblems(err: unknown, field: string): string[] {
  if (!(err instanceof ApiError)) return [];
  return err.problems.filter((p) => p.path.replace(/^body\./, '') === field).map((p) => p.message);
}

/** Whether the error is about the fields of the form (shown under them) rather than the whole request. */
export const isFieldError = (err: unknown, fields: string[]) => fields.some((f) => fieldProblems(err, f).length > 0);
