// A source's name and settings (PATCH, problems under their fields), its token (rotation shows the new
// one once) and its deletion.
import { Button, Divider, Group, Modal, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { client, data } from '../../api/client.ts';
import { scimSourceKeys } from '../../api/keys.ts';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { ErrorAlert, fieldError } from '../../components/ErrorAlert.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { emptyFields, formOf, settingsChanged, settingsOf, tokenHint } from './settingsForm.ts';
import { SettingsFields } from './SettingsFields.tsx';
import { TokenReveal } from './TokenReveal.tsx';
import type { ScimSource } from './types.ts';

export function SettingsTab({ source, canWrite }: { source: ScimSource; canWrite: boolean }) {
  return (
    <Stack maw={720} gap="lg">
      <SettingsForm source={source} canWrite={canWrite} />
      <Divider />
      <Stack gap="xs">
        <Title order={2} size="h4">
          Token
        </Title>
        <Text size="sm">
          The current token ends in <span className="mono">{tokenHint(source.tokenHint)}</span>
          {source.tokenRotatedAt ? `; issued ${formatDateTime(source.tokenRotatedAt)}` : '; issued when the source was created'}.
        </Text>
        {canWrite && (
          <Group>
            <RotateToken source={source} />
          </Group>
        )}
      </Stack>
      {canWrite && (
        <>
          <Divider />
          <Group>
            <DeleteSource source={source} />
          </Group>
        </>
      )}
    </Stack>
  );
}

function SettingsForm({ source, canWrite }: { source: ScimSource; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(source.name);
  const [settings, setSettings] = useState(() => formOf(source.settings));
  const [submitted, setSubmitted] = useState(false);
  const local = submitted ? emptyFields(settings) : {};
  const save = useMutation({
    mutationFn: () =>
      data(
        client.PATCH('/api/v1/scim-sources/{id}', {
          params: { path: { id: source.id } },
          body: { name: name.trim(), settings: settingsOf(settings) },
        }),
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData(scimSourceKeys.detail(source.id), saved);
      setName(saved.name);
      setSettings(formOf(saved.settings));
      setSubmitted(false);
      void queryClient.invalidateQueries({ queryKey: scimSourceKeys.lists() });
      // The guardrail's limit follows the settings.
      void queryClient.invalidateQueries({ queryKey: scimSourceKeys.stats(source.id) });
    },
  });
  const dirty = name.trim() !== source.name || settingsChanged(settings, source.settings);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(emptyFields(settings)).length === 0) save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="source-settings-title">
      <Stack>
        <Title order={2} size="h4" id="source-settings-title">
          Settings
        </Title>
        <TextInput
          label="Name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          readOnly={!canWrite}
          error={fieldError(save.error, 'name')}
        />
        <SettingsFields value={settings} onChange={setSettings} error={save.error} local={local} readOnly={!canWrite} />
        <ErrorAlert error={save.error} title="Not saved" />
        {save.isSuccess && !dirty && (
          <Text size="sm" c="green" role="status">
            Saved.
          </Text>
        )}
        {canWrite && (
          <Group justify="flex-end">
            <Button
              variant="default"
              disabled={!dirty}
              onClick={() => {
                setName(source.name);
                setSettings(formOf(source.settings));
              }}
            >
              Reset
            </Button>
            <Button type="submit" disabled={!dirty || !name.trim()} loading={save.isPending}>
              Save settings
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}

function RotateToken({ source }: { source: ScimSource }) {
  const queryClient = useQueryClient();
  const [token, setToken] = useState<string | null>(null);
  return (
    <>
      <ConfirmAction
        label="Rotate token"
        color="orange"
        title={`Issue a new token for ${source.name}?`}
        message={
          'The current token stops working at once: the source is refused until its configuration has the new token, ' +
          'which is shown only once.'
        }
        confirmLabel="Rotate token"
        onConfirm={async () => {
          const answer = await data(client.POST('/api/v1/scim-sources/{id}/token', { params: { path: { id: source.id } } }));
          setToken(answer.token);
          void queryClient.invalidateQueries({ queryKey: scimSourceKeys.all });
        }}
      />
      <Modal opened={token !== null} onClose={() => setToken(null)} title="The new token" centered size="lg" closeOnClickOutside={false}>
        {token && (
          <Stack>
            <TokenReveal baseUrl={source.baseUrl} token={token} />
            <Group justify="flex-end">
              <Button onClick={() => setToken(null)}>Done</Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}

function DeleteSource({ source }: { source: ScimSource }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return (
    <ConfirmAction
      label="Delete source"
      title={`Delete ${source.name}?`}
      message={
        'Its token stops working at once, so the identity provider can no longer change anything in Roster. ' +
        'The users and groups it created stay, and keep naming it.'
      }
      confirmLabel="Delete source"
      onConfirm={async () => {
        await data(client.DELETE('/api/v1/scim-sources/{id}', { params: { path: { id: source.id } } }));
        await queryClient.invalidateQueries({ queryKey: scimSourceKeys.all });
        void navigate('/scim-sources');
      }}
    />
  );
}
