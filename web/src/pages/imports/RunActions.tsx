// What an admin can do to a finished or paused run: undo it (after a confirmation that counts what the
// undo would do, with the delete/suspend choice), or confirm or cancel a run the guardrail paused.
import { Alert, Button, Group, List, Modal, Radio, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { importRunKeys } from '../../api/keys.ts';
import type { ImportRun } from '../../api/types.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { Loading } from '../../components/Loading.tsx';
import { formatNumber } from '../../lib/format.ts';
import { importApi, type UndoPlan } from './api.ts';

/** An undo is offered for a finished users run that wrote something and was not undone already, or whose undo
 *  failed (the server does not undo groups runs yet; its preview's `refused` says why when it refuses anyway). */
export const canUndo = (r: ImportRun, undoFailed = false) =>
  (r.status === 'completed' || r.status === 'failed') && !r.dryRun && r.kind === 'users' && (!r.undoneBy || undoFailed);

function PlanCounts({ plan, users }: { plan: UndoPlan; users: 'delete' | 'suspend' }) {
  const c = plan.created;
  const item = (text: string, n: number) => (
    <List.Item>
      {text}: <b>{formatNumber(n)}</b>
    </List.Item>
  );
  return (
    <List size="sm" aria-label="What the undo does">
      {item(`Created users to ${users}`, c.remove)}
      {c.changedSince > 0 && item('Created users changed since, left alone', c.changedSince)}
      {c.provisioned > 0 && item('Created users provisioned or in a bound group, left alone', c.provisioned)}
      {c.gone > 0 && item('Created users deleted since', c.gone)}
      {item('Updated users to set back', plan.updated)}
      {item('Links to remove', plan.links)}
      {plan.memberships !== undefined && item('Group memberships the import added, to remove', plan.memberships)}
    </List>
  );
}

export function UndoButton({ run }: { run: ImportRun }) {
  const [open, setOpen] = useState(false);
  const [users, setUsers] = useState<'delete' | 'suspend'>('delete');
  const plan = useQuery({ queryKey: [...importRunKeys.detail(run.id), 'undo'], queryFn: () => importApi.undoPlan(run.id), enabled: open });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const undo = useMutation({
    mutationFn: () => importApi.undo(run.id, users),
    onSuccess: (res) => {
      setOpen(false);
      void queryClient.invalidateQueries({ queryKey: importRunKeys.all });
      void navigate(`/import-runs/${res.run.id}`);
    },
  });
  return (
    <>
      <Button color="red" variant="light" onClick={() => setOpen(true)}>
        Undo this import
      </Button>
      <Modal opened={open} onClose={() => !undo.isPending && setOpen(false)} title="Undo this import" centered>
        <Stack>
          <Text size="sm">
            Users it created are deleted or suspended, fields it updated are set back, links it made are removed. Users changed or
            provisioned since are listed and left alone.
          </Text>
          {plan.isPending ? <Loading /> : plan.error ? <ErrorAlert error={plan.error} /> : <PlanCounts plan={plan.data} users={users} />}
          {plan.data?.refused && (
            <Alert color="red" title="This run cannot be undone now">
              {plan.data.refused.message}
            </Alert>
          )}
          <Radio.Group label="Users the import created" value={users} onChange={(v) => setUsers(v as 'delete' | 'suspend')}>
            <Group mt={4}>
              <Radio value="delete" label="Delete them" />
              <Radio value="suspend" label="Suspend them" />
            </Group>
          </Radio.Group>
          <ErrorAlert error={undo.error} title="The undo did not start" />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)} disabled={undo.isPending}>
              Cancel
            </Button>
            <Button
              color="red"
              onClick={() => undo.mutate()}
              loading={undo.isPending}
              disabled={Boolean(plan.data?.refused)}
              data-autofocus
            >
              Undo the import
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

/** A scheduled run the guardrail stopped: why, and the admin's decision. */
export function PausedRun({ run }: { run: ImportRun }) {
  const queryClient = useQueryClient();
  const decide = useMutation({
    mutationFn: (go: boolean) => (go ? importApi.confirm(run.id) : importApi.cancel(run.id)),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: importRunKeys.all }),
  });
  return (
    <Alert color="orange" title="The guardrail paused this run" role="alert">
      <Stack gap="xs">
        <Text size="sm">{run.pausedReason ?? 'It would change more of the directory than the schedule allows.'}</Text>
        <ErrorAlert error={decide.error} />
        <Group>
          <Button color="orange" onClick={() => decide.mutate(true)} loading={decide.isPending && decide.variables}>
            Confirm and go on
          </Button>
          <Button variant="default" onClick={() => decide.mutate(false)} loading={decide.isPending && !decide.variables}>
            Cancel the run
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
