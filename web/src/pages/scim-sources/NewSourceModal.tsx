// Creates a SCIM source, then shows its base URL and token once; Done opens the source's page.
import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { client, data } from '../../api/client.ts';
import { scimSourceKeys } from '../../api/keys.ts';
import { ErrorAlert, fieldError } from '../../components/ErrorAlert.tsx';
import { FormButtons } from '../../components/FormButtons.tsx';
import { emptyFields, NEW_SOURCE_FORM, settingsOf } from './settingsForm.ts';
import { SettingsFields } from './SettingsFields.tsx';
import { TokenReveal } from './TokenReveal.tsx';

export function NewSourceModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [settings, setSettings] = useState(NEW_SOURCE_FORM);
  const [submitted, setSubmitted] = useState(false);
  const local = submitted ? emptyFields(settings) : {};
  const create = useMutation({
    mutationFn: () => data(client.POST('/api/v1/scim-sources', { body: { name: name.trim(), settings: settingsOf(settings) } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: scimSourceKeys.lists() }),
  });
  const close = () => {
    const created = create.data;
    create.reset();
    setName('');
    setSettings(NEW_SOURCE_FORM);
    setSubmitted(false);
    onClose();
    if (created) void navigate(`/scim-sources/${created.id}`);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(emptyFields(settings)).length === 0) create.mutate();
  };
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={create.data ? `Connect ${create.data.name}` : 'New SCIM source'}
      centered
      size="lg"
      // The token must not vanish by a stray click beside the dialog.
      closeOnClickOutside={!create.data}
    >
      {create.data ? (
        <Stack>
          <TokenReveal baseUrl={create.data.baseUrl} token={create.data.token} />
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <TextInput
              label="Name"
              description="The identity provider or HR system, e.g. Entra ID or Workday"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldError(create.error, 'name')}
              data-autofocus
            />
            <SettingsFields value={settings} onChange={setSettings} error={create.error} local={local} />
            <ErrorAlert error={create.error} title="The source was not created" />
            <FormButtons onCancel={close} submitLabel="Create source" busy={create.isPending} disabled={!name.trim()} />
          </Stack>
        </form>
      )}
    </Modal>
  );
}
