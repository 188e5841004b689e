// Provisioning's sync status: the running and last sync, the guardrail pause, what is pending and
// what failed. Servers without provisioning answer 404, and then this shows nothing.
import { Alert, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { client, data, isApiError } from '../../api/client.ts';
import { integrationKeys } from '../../api/keys.ts';
import type { ProvisioningStatus, SyncRun } from '../../api/types.ts';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { formatDateTime, formatNumber, plural } from '../../lib/format.ts';

const syncColor: Record<SyncRun['status'], string> = {
  queued: 'gray',
  running: 'blue',
  completed: 'green',
  paused: 'yellow',
  failed: 'red',
  cancelled: 'gray',
};

function counts(c: Record<string, number>): string {
  const parts = Object.entries(c)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${formatNumber(n)} ${k}`);
  return parts.length ? parts.join(' · ') : 'no changes';
}

function SyncLine({ label, sync }: { label: string; sync: SyncRun }) {
  return (
    <Group gap="xs" wrap="wrap">
      <Text size="sm" fw={600}>
        {label}
      </Text>
      <Badge size="sm" color={syncColor[sync.status]}>
        {sync.status}
      </Badge>
      <Text size="sm">
        {sync.kind} sync ({sync.trigger}) · {formatNumber(sync.processed)} processed · {counts(sync.counts)}
        <Text span c="dimmed">
          {' '}
          ·{' '}
          {sync.finishedAt ? `finished ${formatDateTime(sync.finishedAt)}` : `started ${formatDateTime(sync.startedAt ?? sync.createdAt)}`}
        </Text>
      </Text>
      {sync.error && (
        <Text size="sm" c="red">
          {sync.error}
        </Text>
      )}
    </Group>
  );
}

export function SyncStatus({ applicationId, active, canWrite }: { applicationId: string; active: boolean; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const key = integrationKeys.status(applicationId);
  const query = useQuery({
    queryKey: key,
    queryFn: () => data(client.GET('/api/v1/applications/{id}/idm/status', { params: { path: { id: applicationId } } })),
    retry: false,
    refetchInterval: (q) => (q.state.error ? false : active || q.state.data?.running ? 3000 : false),
  });
  const syncNow = useMutation({
    mutationFn: () => data(client.POST('/api/v1/applications/{id}/idm/sync', { params: { path: { id: applicationId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  const confirmDeprovisioning = async () => {
    await data(client.POST('/api/v1/applications/{id}/idm/sync/confirm', { params: { path: { id: applicationId } } }));
    await queryClient.invalidateQueries({ queryKey: key });
  };
  if (query.error)
    return isApiError(query.error, 404) ? null : (
      <Text size="sm" c="red">
        Sync status unavailable: {query.error.message}
      </Text>
    );
  const s = query.data;
  if (!s) return null;
  return (
    <Stack gap="xs" aria-label="Sync status" role="region">
      <Group justify="space-between" wrap="wrap">
        <Title order={3} size="h5">
          Sync status
        </Title>
        {canWrite && active && (
          <Button size="xs" variant="default" onClick={() => syncNow.mutate()} loading={syncNow.isPending} disabled={s.running}>
            Sync now
          </Button>
        )}
      </Group>
      <ErrorAlert error={syncNow.error} title="The sync did not start" />
      {s.currentSync && <SyncLine label="Running" sync={s.currentSync} />}
      {s.lastSync ? (
        <SyncLine label="Last sync" sync={s.lastSync} />
      ) : (
        !s.currentSync && (
          <Text size="sm" c="dimmed">
            No sync yet.
          </Text>
        )
      )}
      <Text size="sm">
        <Text span c="dimmed">
          Pending:{' '}
        </Text>
        {plural(s.pending.users, 'user')}, {plural(s.pending.groups, 'group')}
        {s.pending.fullReconcile && ', a full reconcile'}
        {s.pending.queuedSyncs > 0 && `, ${plural(s.pending.queuedSyncs, 'queued sync')}`}
        {s.nextReconcileAt && (
          <Text span c="dimmed">
            {' '}
            · next full sync {formatDateTime(s.nextReconcileAt)}
          </Text>
        )}
      </Text>
      {s.paused && !s.paused.confirmed && <GuardrailPause paused={s.paused} canWrite={canWrite} onConfirm={confirmDeprovisioning} />}
      {s.failed.total > 0 && <FailedOperations status={s} />}
    </Stack>
  );
}

function FailedOperations({ status }: { status: ProvisioningStatus }) {
  return (
    <div>
      <Group gap="xs" mb={4}>
        <Text fw={600} size="sm">
          Failed operations
        </Text>
        <Badge size="sm" color="red">
          {formatNumber(status.failed.total)}
        </Badge>
        {status.failed.total > status.failed.items.length && (
          <Text size="xs" c="dimmed">
            showing {status.failed.items.length}
          </Text>
        )}
      </Group>
      <Table.ScrollContainer minWidth={640}>
        <Table fz="xs" withTableBorder aria-label="Failed operations">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>What</Table.Th>
              <Table.Th>Operation</Table.Th>
              <Table.Th>Error</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Next attempt</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {status.failed.items.map((f) => (
              <Table.Tr key={`${f.type}:${f.id}`}>
                <Table.Td>
                  {f.type} {f.name}
                </Table.Td>
                <Table.Td>{f.operation ?? f.status}</Table.Td>
                <Table.Td>
                  <Text size="xs" c="red">
                    {f.error ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td>{f.attempts}</Table.Td>
                <Table.Td>{f.nextAttemptAt ? formatDateTime(f.nextAttemptAt) : '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </div>
  );
}

interface GuardrailPauseProps {
  paused: NonNullable<ProvisioningStatus['paused']>;
  canWrite: boolean;
  onConfirm: () => Promise<void>;
}

function GuardrailPause({ paused, canWrite, onConfirm }: GuardrailPauseProps) {
  return (
    <Alert color="yellow" title="Deprovisioning paused by the guardrail">
      <Stack gap="xs">
        <Text size="sm">
          A sync would deprovision {plural(paused.deprovisions, 'user')} of {formatNumber(paused.linked)} linked ({paused.percent}
          %), over the guardrail. Nothing was deprovisioned. Check the bound user groups; if the change is intended, confirm it.
        </Text>
        {canWrite && (
          <Group>
            <ConfirmAction
              label="Confirm deprovisioning"
              title={`Deprovision ${plural(paused.deprovisions, 'user')}?`}
              message="The next sync deactivates or deletes these accounts in the application, as the integration's settings say."
              confirmLabel="Deprovision"
              onConfirm={onConfirm}
            />
          </Group>
        )}
      </Stack>
    </Alert>
  );
}
