// API keys for automation. A new key is shown once, right after it is created.
import { Alert, Button, Code, CopyButton, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { client, data } from '../../api/client.ts';
import { apiKeyKeys } from '../../api/keys.ts';
import { useCanWrite } from '../../api/session.ts';
import type { ApiKey, Role } from '../../api/types.ts';
import { type Choice, ChoiceSelect } from '../../components/ChoiceSelect.tsx';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { ACTIONS_HEADER, type ListColumn } from '../../components/ListTable.tsx';
import { ErrorAlert, fieldError } from '../../components/ErrorAlert.tsx';
import { FormButtons } from '../../components/FormButtons.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryTable } from '../../components/QueryList.tsx';
import { formatDateTime } from '../../lib/format.ts';

const KEY_COLUMNS: ListColumn<ApiKey>[] = [
  { header: 'Name', cell: (k) => k.name },
  { header: 'Role', cell: (k) => k.role },
  { header: 'Key starts with', cell: (k) => <span className="mono">{k.prefix}…</span> },
  { header: 'Created', cell: (k) => formatDateTime(k.createdAt) },
  { header: 'Last used', cell: (k) => (k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'never') },
];

const ROLES: Choice<Role>[] = [
  { value: 'read_only', label: 'read_only: read everything, change nothing' },
  { value: 'admin', label: 'admin: everything' },
];

function RevokeKey({ apiKey: k }: { apiKey: ApiKey }) {
  const queryClient = useQueryClient();
  return (
    <ConfirmAction
      label="Revoke"
      buttonProps={{ size: 'xs', variant: 'subtle', 'aria-label': `Revoke ${k.name}` }}
      title={`Revoke the API key ${k.name}?`}
      message="Requests with this key are refused at once. Anything that uses it stops working."
      confirmLabel="Revoke key"
      onConfirm={async () => {
        await data(client.DELETE('/api/v1/api-keys/{id}', { params: { path: { id: k.id } } }));
        void queryClient.invalidateQueries({ queryKey: apiKeyKeys.all });
      }}
    />
  );
}

export function ApiKeysPage() {
  const canWrite = useCanWrite();
  const [opened, { open, close }] = useDisclosure(false);
  const keys = useQuery({ queryKey: apiKeyKeys.all, queryFn: () => data(client.GET('/api/v1/api-keys')) });
  return (
    <>
      <PageHeader
        title="API keys"
        description="Send a key as Authorization: Bearer <key>. Keys with the read_only role can only read."
        actions={canWrite && <Button onClick={open}>New API key</Button>}
      />
      <QueryTable
        query={keys}
        errorTitle="Could not load the API keys"
        label="API keys"
        minWidth={640}
        columns={canWrite ? [...KEY_COLUMNS, { header: ACTIONS_HEADER, cell: (k) => <RevokeKey apiKey={k} /> }] : KEY_COLUMNS}
        empty={{ title: 'No API keys', hint: 'Create one for scripts, the CLI on another machine, or monitoring.' }}
      />
      <NewKeyModal opened={opened} onClose={close} />
    </>
  );
}

function NewKeyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('read_only');
  const create = useMutation({
    mutationFn: () => data(client.POST('/api/v1/api-keys', { body: { name: name.trim(), role } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
  const close = () => {
    create.reset();
    setName('');
    onClose();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Modal opened={opened} onClose={close} title={create.data ? 'Copy the new API key' : 'New API key'} centered size="lg">
      {create.data ? (
        <Stack>
          <Alert color="yellow" title="This is the only time the key is shown">
            Copy it now and keep it somewhere safe. Roster stores only a hash of it.
          </Alert>
          <Code block aria-label="The new API key">
            {create.data.key}
          </Code>
          <Group justify="flex-end">
            <CopyButton value={create.data.key}>
              {({ copied, copy }) => (
                <Button variant="default" onClick={copy}>
                  {copied ? 'Copied' : 'Copy key'}
                </Button>
              )}
            </CopyButton>
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <TextInput
              label="Name"
              description="What uses the key, e.g. nightly HR sync"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldError(create.error, 'name')}
              data-autofocus
            />
            <ChoiceSelect label="Role" value={role} onChoose={setRole} data={ROLES} />
            <ErrorAlert error={create.error} title="The key was not created" />
            <FormButtons onCancel={close} submitLabel="Create key" busy={create.isPending} disabled={!name.trim()} />
          </Stack>
        </form>
      )}
    </Modal>
  );
}
