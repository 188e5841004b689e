// Identity Management: status and activation, sync status, configuration, connection test, and
// the way into manual import with its run history.
import { Button, Divider, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { client, data } from '../../api/client.ts';
import { integrationKeys } from '../../api/keys.ts';
import { useCanWrite } from '../../api/session.ts';
import type { Application } from '../../api/types.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { Loading } from '../../components/Loading.tsx';
import { RunHistory } from '../imports/RunHistory.tsx';
import { Activation } from './Activation.tsx';
import { ConnectionTest } from './ConnectionTest.tsx';
import { IdmConfigForm } from './IdmConfigForm.tsx';
import { SyncStatus } from './SyncStatus.tsx';

export function IdmTab({ app }: { app: Application }) {
  const canWrite = useCanWrite();
  const query = useQuery({
    queryKey: integrationKeys.detail(app.id),
    queryFn: () => data(client.GET('/api/v1/applications/{id}/idm', { params: { path: { id: app.id } } })),
  });
  if (query.isPending) return <Loading label="Loading the integration…" />;
  if (query.error) return <ErrorAlert error={query.error} title="Could not load the integration" />;
  const view = query.data;
  const configured = view.status !== 'unconfigured';
  return (
    <Stack gap="lg">
      <Paper withBorder p="md">
        <Stack gap="md">
          <Activation app={app} view={view} canWrite={canWrite} />
          {configured && <SyncStatus applicationId={app.id} active={view.status === 'active'} canWrite={canWrite} />}
        </Stack>
      </Paper>
      <section aria-labelledby="idm-test">
        <Title order={2} size="h4" id="idm-test" mb="xs">
          Connection
        </Title>
        <ConnectionTest view={view} canWrite={canWrite} />
      </section>
      <section aria-labelledby="idm-import">
        <Group justify="space-between" mb="xs" wrap="wrap">
          <Title order={2} size="h4" id="idm-import">
            Import users
          </Title>
          {canWrite && configured && (
            <Button component={Link} to={`/applications/${app.id}/import`}>
              Import users…
            </Button>
          )}
        </Group>
        <Text size="sm" c="dimmed" mb="sm">
          {configured
            ? `Pick users of ${app.name} and create them in Roster: ACTIVE, password PENDING, bound to nothing.`
            : 'Configure the integration below to import users from the application.'}
        </Text>
        <RunHistory applicationId={app.id} />
      </section>
      <Divider />
      <section aria-labelledby="idm-config">
        <Title order={2} size="h4" id="idm-config" mb="xs">
          Configuration
        </Title>
        <IdmConfigForm view={view} readOnly={!canWrite} />
      </section>
    </Stack>
  );
}
