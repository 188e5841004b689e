// Base URL, authentication, extra headers and settings of the SCIM integration.
import { Button, Fieldset, Group, SegmentedControl, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { client, data } from '../../api/client.ts';
import { integrationKeys } from '../../api/keys.ts';
import type { AuthType, Integration } from '../../api/types.ts';
import { ErrorAlert, fieldError } from '../../components/ErrorAlert.tsx';
import { HeadersEditor } from './HeadersEditor.tsx';
import { canKeepSecret, initialState, SECRET_LABEL, toBody, type IdmFormState } from './idmForm.ts';
import { SecretField } from './SecretField.tsx';
import { SettingsFields } from './SettingsFields.tsx';

const AUTH_TYPES = [
  { value: 'bearer', label: 'Bearer token' },
  { value: 'basic', label: 'Basic' },
  { value: 'oauth2_client_credentials', label: 'OAuth client credentials' },
];

export function IdmConfigForm({ view, readOnly, onSaved }: { view: Integration; readOnly: boolean; onSaved?: () => void }) {
  const queryClient = useQueryClient();
  const [s, setS] = useState<IdmFormState>(() => initialState(view));
  // Reload the form only when the stored configuration changed, not on every refetch (tests, status).
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => setS(initialState(view)), [view.updatedAt]);
  const set = (patch: Partial<IdmFormState>) => setS((prev) => ({ ...prev, ...patch }));
  const save = useMutation({
    mutationFn: () =>
      data(client.PUT('/api/v1/applications/{id}/idm', { params: { path: { id: view.applicationId } }, body: toBody(view, s) })),
    onSuccess: (v) => {
      queryClient.setQueryData(integrationKeys.detail(view.applicationId), v);
      onSaved?.();
    },
  });
  const keep = canKeepSecret(view, s);
  const secretLabel = SECRET_LABEL[s.authType];
  const secretError = fieldError(
    save.error,
    `auth.${s.authType === 'bearer' ? 'token' : s.authType === 'basic' ? 'password' : 'clientSecret'}`,
  );
  const missingSecret = !keep && !s.secret;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Identity Management configuration">
      <Stack>
        <Fieldset legend="SCIM service">
          <TextInput
            label="SCIM base URL"
            description="The application's SCIM 2.0 endpoint, e.g. https://app.example.com/scim/v2"
            required
            type="url"
            value={s.baseUrl}
            readOnly={readOnly}
            onChange={(e) => set({ baseUrl: e.currentTarget.value })}
            error={fieldError(save.error, 'baseUrl')}
          />
        </Fieldset>
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
                  error={fieldError(save.error, 'auth.username')}
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
                    error={fieldError(save.error, 'auth.tokenUrl')}
                  />
                  <TextInput
                    label="Client ID"
                    required
                    value={s.clientId}
                    readOnly={readOnly}
                    onChange={(e) => set({ clientId: e.currentTarget.value })}
                    error={fieldError(save.error, 'auth.clientId')}
                  />
                  <TextInput
                    label="Scope"
                    value={s.scope}
                    readOnly={readOnly}
                    onChange={(e) => set({ scope: e.currentTarget.value })}
                    error={fieldError(save.error, 'auth.scope')}
                  />
                </>
              )}
              <SecretField
                label={secretLabel}
                stored={keep}
                replacing={s.replacingSecret}
                value={s.secret}
                onChange={(secret) => set({ secret })}
                onReplace={() => set({ replacingSecret: true })}
                onKeep={() => set({ replacingSecret: false, secret: '' })}
                error={secretError}
                readOnly={readOnly}
              />
            </SimpleGrid>
          </Stack>
        </Fieldset>
        <Fieldset legend="Extra headers">
          <HeadersEditor
            storedNames={view.headerNames}
            replacing={s.replacingHeaders}
            rows={s.headers}
            onChange={(headers) => set({ headers })}
            onReplace={() => set({ replacingHeaders: true, headers: view.headerNames.map((name) => ({ name, value: '' })) })}
            error={fieldError(save.error, 'headers')}
            readOnly={readOnly}
          />
        </Fieldset>
        <Fieldset legend="Settings">
          <SettingsFields value={s.settings} onChange={(settings) => set({ settings })} error={save.error} readOnly={readOnly} />
        </Fieldset>
        <ErrorAlert error={save.error} title="The configuration was not saved" />
        {!readOnly && (
          <Group justify="flex-end">
            <Button
              variant="default"
              onClick={() => {
                save.reset();
                setS(initialState(view));
              }}
              disabled={save.isPending}
            >
              Discard changes
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!s.baseUrl.trim() || missingSecret}>
              Save configuration
            </Button>
          </Group>
        )}
        {save.isSuccess && (
          <Text c="green" size="sm" role="status">
            Saved. Test the connection to check it.
          </Text>
        )}
      </Stack>
    </form>
  );
}
