// Base URL, authentication, extra headers and settings of the SCIM integration.
import { Button, Fieldset, Group, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { client, data } from '../../api/client.ts';
import { integrationKeys } from '../../api/keys.ts';
import type { Integration } from '../../api/types.ts';
import { ErrorAlert, fieldError } from '../../components/ErrorAlert.tsx';
import { HeadersEditor } from './HeadersEditor.tsx';
import { AuthFieldset, IdmTextInput } from './AuthFieldset.tsx';
import { canKeepSecret, initialState, toBody, type IdmFormState } from './idmForm.ts';
import { SettingsFields } from './SettingsFields.tsx';

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
  const form = { s, set, error: save.error, readOnly };
  const missingSecret = !canKeepSecret(view, s) && !s.secret;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Identity Management configuration">
      <Stack>
        <Fieldset legend="SCIM service">
          <IdmTextInput
            label="SCIM base URL"
            description="The application's SCIM 2.0 endpoint, e.g. https://app.example.com/scim/v2"
            required
            type="url"
            name="baseUrl"
            form={form}
          />
        </Fieldset>
        <AuthFieldset view={view} {...form} />
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
          <FormActions
            onDiscard={() => {
              save.reset();
              setS(initialState(view));
            }}
            saving={save.isPending}
            canSave={Boolean(s.baseUrl.trim()) && !missingSecret}
          />
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

function FormActions({ onDiscard, saving, canSave }: { onDiscard: () => void; saving: boolean; canSave: boolean }) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onDiscard} disabled={saving}>
        Discard changes
      </Button>
      <Button type="submit" loading={saving} disabled={!canSave}>
        Save configuration
      </Button>
    </Group>
  );
}
