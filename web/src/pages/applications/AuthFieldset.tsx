// The authentication part of the Identity Management form: the type, its fields, and the write-only secret.
import { Fieldset, SegmentedControl, SimpleGrid, Stack, Text, TextInput, type TextInputProps } from '@mantine/core';
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

/** The form's state, and the answer of its last save. */
interface IdmForm {
  s: IdmFormState;
  set: (patch: Partial<IdmFormState>) => void;
  error: unknown;
  readOnly: boolean;
}

type TextKey = 'baseUrl' | 'username' | 'tokenUrl' | 'clientId' | 'scope';

/** One text field of the form; the API names the authentication's fields under `auth` in its problems. */
export function IdmTextInput({
  name,
  form,
  ...props
}: Omit<TextInputProps, 'name' | 'form' | 'value' | 'onChange' | 'error' | 'readOnly'> & { name: TextKey; form: IdmForm }) {
  return (
    <TextInput
      {...props}
      value={form.s[name]}
      readOnly={form.readOnly}
      onChange={(e) => form.set({ [name]: e.currentTarget.value })}
      error={fieldError(form.error, name === 'baseUrl' ? name : `auth.${name}`)}
    />
  );
}

export function AuthFieldset({ view, ...form }: IdmForm & { view: Integration }) {
  const { s, set, error, readOnly } = form;
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
          {s.authType === 'basic' && <IdmTextInput label="Username" required name="username" form={form} />}
          {s.authType === 'oauth2_client_credentials' && (
            <>
              <IdmTextInput label="Token URL" required type="url" name="tokenUrl" form={form} />
              <IdmTextInput label="Client ID" required name="clientId" form={form} />
              <IdmTextInput label="Scope" name="scope" form={form} />
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
