// The Identity Management form's state, and the PUT body it becomes. Secrets are write-only: the
// body carries one only when the admin typed a new one, so the stored secret is kept otherwise.
import type { AuthType, IdmSettings, Integration, IntegrationInput } from '../../api/types.ts';

export interface HeaderRow {
  name: string;
  value: string;
}

export interface IdmFormState {
  baseUrl: string;
  authType: AuthType;
  username: string;
  tokenUrl: string;
  clientId: string;
  scope: string;
  /** A new token, password or client secret; '' keeps the stored one. */
  secret: string;
  replacingSecret: boolean;
  replacingHeaders: boolean;
  headers: HeaderRow[];
  settings: IdmSettings;
}

export const SECRET_LABEL: Record<AuthType, string> = {
  bearer: 'Bearer token',
  basic: 'Password',
  oauth2_client_credentials: 'Client secret',
};

export function initialState(view: Integration): IdmFormState {
  return {
    baseUrl: view.baseUrl ?? '',
    authType: view.auth?.type ?? 'bearer',
    username: view.auth?.username ?? '',
    tokenUrl: view.auth?.tokenUrl ?? '',
    clientId: view.auth?.clientId ?? '',
    scope: view.auth?.scope ?? '',
    secret: '',
    replacingSecret: false,
    replacingHeaders: false,
    headers: [],
    settings: { ...view.settings },
  };
}

/** Whether a stored secret can be kept: one is set, and for the same kind of authentication. */
export function canKeepSecret(view: Integration, s: IdmFormState): boolean {
  return Boolean(view.auth?.secretSet && view.auth.type === s.authType);
}

export function toBody(view: Integration, s: IdmFormState): IntegrationInput {
  const secret = s.secret || undefined;
  const auth: IntegrationInput['auth'] =
    s.authType === 'bearer'
      ? { type: 'bearer', token: secret }
      : s.authType === 'basic'
        ? { type: 'basic', username: s.username.trim(), password: secret }
        : {
            type: 'oauth2_client_credentials',
            tokenUrl: s.tokenUrl.trim(),
            clientId: s.clientId.trim(),
            clientSecret: secret,
            ...(s.scope.trim() ? { scope: s.scope.trim() } : {}),
          };
  const body: IntegrationInput = { baseUrl: s.baseUrl.trim(), auth, settings: s.settings };
  // Header values are never shown back, so headers are only sent when the admin rewrote them all.
  if (s.replacingHeaders || view.status === 'unconfigured') {
    body.headers = Object.fromEntries(s.headers.filter((h) => h.name.trim()).map((h) => [h.name.trim(), h.value]));
  }
  return body;
}
