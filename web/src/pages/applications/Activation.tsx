// Activate and deactivate, each saying what will happen.
import { Alert, Group, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { client, data } from '../../api/client.ts';
import { integrationKeys } from '../../api/keys.ts';
import type { Application, Integration } from '../../api/types.ts';
import { IntegrationBadge } from '../../components/Badges.tsx';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { formatDateTime } from '../../lib/format.ts';

const DEACTIVATE_MESSAGE =
  'Syncing stops at once; in-flight operations are recorded as errors; users and groups in the application are left as they are.';

export function Activation({ app, view, canWrite }: { app: Application; view: Integration; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const call = async (action: 'activate' | 'deactivate') => {
    const init = { params: { path: { id: app.id } } };
    const v = await data(
      action === 'activate'
        ? client.POST('/api/v1/applications/{id}/idm/activate', init)
        : client.POST('/api/v1/applications/{id}/idm/deactivate', init),
    );
    queryClient.setQueryData(integrationKeys.detail(app.id), v);
    void queryClient.invalidateQueries({ queryKey: integrationKeys.detail(app.id) });
  };
  const since = view.status === 'active' ? view.activatedAt : view.deactivatedAt;
  return (
    <Stack gap="xs">
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs">
          <Text fw={600}>Status</Text>
          <IntegrationBadge status={view.status} />
          {since && (
            <Text size="sm" c="dimmed">
              since {formatDateTime(since)}
            </Text>
          )}
        </Group>
        {canWrite &&
          view.status !== 'unconfigured' &&
          (view.status === 'active' ? (
            <ConfirmAction
              key="deactivate"
              label="Deactivate"
              title={`Deactivate Identity Management for ${app.name}?`}
              message={DEACTIVATE_MESSAGE}
              confirmLabel="Deactivate"
              onConfirm={() => call('deactivate')}
            />
          ) : (
            <ConfirmAction
              key="activate"
              label="Activate"
              color="green"
              title={`Activate Identity Management for ${app.name}?`}
              message={
                `Roster tests the connection first and stays inactive if the test fails. Once active, Roster provisions the ` +
                `members of the user groups bound to ${app.name}, keeps their accounts up to date and deprovisions those who leave.`
              }
              confirmLabel="Activate"
              onConfirm={() => call('activate')}
            />
          ))}
      </Group>
      {view.lastError && (
        <Alert color="red" title="Last error">
          {view.lastError}
        </Alert>
      )}
    </Stack>
  );
}
