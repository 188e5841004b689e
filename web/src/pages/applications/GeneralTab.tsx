import { Anchor, Button, Group, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { client, data } from '../../api/client.ts';
import { applicationKeys } from '../../api/keys.ts';
import { useCanWrite } from '../../api/session.ts';
import type { Application } from '../../api/types.ts';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { ErrorAlert, fieldError } from '../../components/ErrorAlert.tsx';
import { useDeleteNamed, useSaveNamed } from '../../components/NamedList.tsx';
import { formatDateTime } from '../../lib/format.ts';

export function GeneralTab({ app }: { app: Application }) {
  const canWrite = useCanWrite();
  const [name, setName] = useState(app.name);
  const [description, setDescription] = useState(app.description);
  const save = useSaveNamed(applicationKeys, app.id, (body) =>
    data(client.PATCH('/api/v1/applications/{id}', { params: { path: { id: app.id } }, body })),
  );
  const dirty = name.trim() !== app.name || description.trim() !== app.description;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ name: name.trim(), description: description.trim() });
  };
  return (
    <Stack maw={640}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label="Name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            readOnly={!canWrite}
            error={fieldError(save.error, 'name')}
          />
          <Textarea
            label="Description"
            autosize
            minRows={2}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            readOnly={!canWrite}
            error={fieldError(save.error, 'description')}
          />
          <ErrorAlert error={save.error} title="Not saved" />
          {canWrite && (
            <Group justify="flex-end">
              <Button type="submit" disabled={!dirty || !name.trim()} loading={save.isPending}>
                Save
              </Button>
            </Group>
          )}
        </Stack>
      </form>
      <Text size="sm" c="dimmed">
        Created {formatDateTime(app.createdAt)} · updated {formatDateTime(app.updatedAt)}
      </Text>
      <Anchor component={Link} to={`/insights?applicationId=${app.id}`} size="sm">
        Events of this application in Directory Insights
      </Anchor>
      {canWrite && (
        <Group>
          <DeleteApplication app={app} />
        </Group>
      )}
    </Stack>
  );
}

function DeleteApplication({ app }: { app: Application }) {
  const remove = useDeleteNamed('applications', applicationKeys, () =>
    data(client.DELETE('/api/v1/applications/{id}', { params: { path: { id: app.id } } })),
  );
  return (
    <ConfirmAction
      label="Delete application"
      title={`Delete ${app.name}?`}
      message={
        `The application, its Identity Management settings and its group bindings are removed from ` +
        `Roster. The groups, the users and the accounts in the application itself stay as they are.`
      }
      confirmLabel="Delete application"
      onConfirm={remove}
    />
  );
}
