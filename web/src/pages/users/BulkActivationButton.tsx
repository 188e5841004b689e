// "Email every PENDING user": one request for all users whose password is still PENDING. Small
// batches are answered at once; large ones run as a job whose counts are polled until it ends.
import { Alert, Button, Group, List, Modal, Progress, Stack, Text } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { client, data } from '../../api/client.ts';
import { userKeys } from '../../api/keys.ts';
import type { Answer } from '../../api/types.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { formatNumber, plural } from '../../lib/format.ts';

export type ActivationBatch = Answer<'/api/v1/users/activation-emails/{id}'>;

const finished = (b: ActivationBatch | undefined) => b?.status === 'completed' || b?.status === 'failed';
const SHOWN_SKIPPED = 10;

export function BulkActivationButton() {
  const [open, setOpen] = useState(false);
  const start = useMutation({
    mutationFn: () => data(client.POST('/api/v1/users/activation-emails', { body: { filter: { passwordStatus: 'PENDING' } } })),
  });
  const started = start.data;
  const progress = useQuery({
    queryKey: userKeys.activationBatch(started?.id),
    queryFn: () => data(client.GET('/api/v1/users/activation-emails/{id}', { params: { path: { id: started!.id } } })),
    enabled: Boolean(started) && !finished(started),
    refetchInterval: (q) => (finished(q.state.data) ? false : 1000),
  });
  const batch = finished(started) ? started : (progress.data ?? started);
  const running = Boolean(batch) && !finished(batch);
  const close = () => {
    setOpen(false);
    if (!running) start.reset();
  };

  return (
    <>
      <Button variant="light" onClick={() => setOpen(true)}>
        Email PENDING users…
      </Button>
      <Modal opened={open} onClose={close} title="Send activation emails to every PENDING user" centered>
        <Stack>
          {!batch ? (
            <Text size="sm">
              Every user whose password status is PENDING gets an email with a new single-use link to set his password; any older link stops
              working. Suspended users, and users emailed in the last minute or 3 times in the last hour, are skipped.
            </Text>
          ) : (
            <BatchOutcome batch={batch} />
          )}
          <ErrorAlert error={start.error ?? progress.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {batch ? 'Close' : 'Cancel'}
            </Button>
            {!batch && (
              <Button onClick={() => start.mutate()} loading={start.isPending} data-autofocus>
                Send emails
              </Button>
            )}
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

function BatchOutcome({ batch }: { batch: ActivationBatch }) {
  const done = batch.queued + batch.skippedCount;
  if (!finished(batch)) {
    return (
      <Stack gap="xs" role="status">
        <Text size="sm">
          Sending in the background: {formatNumber(done)} of {plural(batch.total, 'user')} handled. You can close this window; the emails
          keep going.
        </Text>
        <Progress value={batch.total ? (100 * done) / batch.total : 0} aria-label="Activation emails progress" />
      </Stack>
    );
  }
  return (
    <Stack gap="xs" role="status">
      {batch.status === 'failed' && (
        <Alert color="red" title="The batch stopped">
          {batch.error ?? 'The batch failed.'}
        </Alert>
      )}
      <Text size="sm">
        {batch.total === 0
          ? 'No user has password status PENDING: nobody to email.'
          : `${plural(batch.queued, 'activation email')} queued out of ` +
            `${plural(batch.total, 'user')}; ${formatNumber(batch.skippedCount)} skipped.`}
      </Text>
      {batch.skipped.length > 0 && (
        <List size="sm" aria-label="Skipped users">
          {batch.skipped.slice(0, SHOWN_SKIPPED).map((s) => (
            <List.Item key={s.id}>{s.message}</List.Item>
          ))}
          {batch.skippedCount > SHOWN_SKIPPED && <List.Item>and {formatNumber(batch.skippedCount - SHOWN_SKIPPED)} more</List.Item>}
        </List>
      )}
      {batch.queued > 0 && (
        <Text size="xs" c="dimmed">
          The emails leave through the mail outbox; see Mail outbox for each one.
        </Text>
      )}
    </Stack>
  );
}
