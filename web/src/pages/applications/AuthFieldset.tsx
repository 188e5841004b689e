// The authentication part of the Identity Management form: the type, its fields, and the write-only secret.
import { Fieldset, SegmentedControl, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import type { AuthType, Integration } from '../../api/types.ts';
import { fieldError } from '../../components/ErrorAlert.tsx';
import { canKeepSecret, SECRET_LABEL, type IdmFormState } from './idmForm.ts';
import { SecretField } from './SecretField.tsx';

const AUTH_TYPES = [
  { value: 'bearer', label: 'Bearer token' },
  { value: 'basic', label: 'Basic' },
  { value: 'oauth2_client_credentials', label: 'OAuth client credentials' },
];

const SECRET_FIELD: Record<AuthType, string> = { bearer: 'token', basic: 'password', oauth2_client_credentials: 'clientSecret' };

interface AuthFieldsetProps {
  view: Integration;
  s: IdmFormState;
  set: (patch: Partial<IdmFormState>) => void;
  error: unknown;
  readOnly: boolean;
}

export function AuthFieldset({ view, s, set, error, readOnly }: AuthFieldsetProps) {
  return (
    <Fieldset legend="Authentication">
      <Stack gap="sm">
        <div>
          <Text size="sm" fw={500} id="auth-type-label" mb={4}>
            Authentication type
          </Text>
          <SegmentedControl
            aria-labelledby="auth-type-label"
            data={AUTH_TYPES}
            value={s.authType}
            disabled={readOnly}
            onChange={(v) => set({ authType: v as AuthType, secret: '', replacingSecret: false })}
          />
        </div>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          {s.authType === 'basic' && (
            <TextInput
              label="Username"
              required
              value={s.username}
              readOnly={readOnly}
              onChange={(e) => set({ username: e.currentTarget.value })}
              error={fieldError(error, 'auth.username')}
            />
          )}
          {s.authType === 'oauth2_client_credentials' && (
            <>
              <TextInput
                label="Token URL"
                required
                type="url"
                value={s.tokenUrl}
                readOnly={readOnly}
                onChange={(e) => set({ tokenUrl: e.currentTarget.value })}
                error={fieldError(error, 'auth.tokenUrl')}
              />
              <TextInput
                label="Client ID"
                required
                value={s.clientId}
                readOnly={readOnly}
                onChange={(e) => set({ clientId: e.currentTarget.value })}
                error={fieldError(error, 'auth.clientId')}
              />
              <TextInput
                label="Scope"
                value={s.scope}
                readOnly={readOnly}
                onChange={(e) => set({ scope: e.currentTarget.value })}
                error={fieldError(error, 'auth.scope')}
              />
            </>
          )}
          <SecretField
            label={SECRET_LABEL[s.authType]}
            stored={canKeepSecret(view, s)}
            replacing={s.replacingSecret}
            value={s.secret}
            onChange={(secret) => set({ secret })}
            onReplace={() => set({ replacingSecret: true })}
            onKeep={() => set({ replacingSecret: false, secret: '' })}
            error={fieldError(error, `auth.${SECRET_FIELD[s.authType]}`)}
            readOnly={readOnly}
          />
        </SimpleGrid>
      </Stack>
    </Fieldset>
  );
}
