// State changes, deletion, and the password actions (shown only where the server offers them).
import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { client, data, isApiError } from '../../api/client.ts';
import { userKeys } from '../../api/keys.ts';
import { useHasEndpoint } from '../../api/session.ts';
import type { User } from '../../api/types.ts';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { ErrorAlert, fieldError } from '../../components/ErrorAlert.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { PasswordField } from '../../components/PasswordField.tsx';

const NOT_YET = 'This Roster server does not offer this yet. Update Roster to use it.';

export function UserActions({ user }: { user: User }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [notice, setNotice] = useState<string | null>(null);
  const hasPassword = useHasEndpoint('post', '/api/v1/users/{id}/password');
  const hasActivation = useHasEndpoint('post', '/api/v1/users/{id}/activation-email');
  const refresh = (u: User) => {
    queryClient.setQueryData(userKeys.detail(u.id), u);
    void queryClient.invalidateQueries({ queryKey: userKeys.lists() });
  };
  const setState = useMutation({
    mutationFn: (state: User['state']) => data(client.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { state } })),
    onSuccess: refresh,
  });
  const activation = useMutation({
    mutationFn: () => data(client.POST('/api/v1/users/{id}/activation-email', { params: { path: { id: user.id } }, body: {} })),
    onSuccess: (r) =>
      setNotice(
        `An activation email is on its way to ` +
          `${r?.to ?? user.email}${r?.expiresAt ? `; its link works until ${formatDateTime(r.expiresAt)}` : ''}.`,
      ),
  });

  return (
    <Stack gap="xs">
      <Group gap="xs" wrap="wrap">
        {user.state === 'SUSPENDED' || user.state === 'STAGED' ? (
          <Button variant="light" color="green" onClick={() => setState.mutate('ACTIVE')} loading={setState.isPending}>
            Activate
          </Button>
        ) : (
          <ConfirmAction
            label="Suspend"
            color="orange"
            title={`Suspend ${user.username}?`}
            message={
              `${user.username} stays in the directory but is marked SUSPENDED; applications that ` +
              `Roster provisions see the user as inactive. You can activate the user again at any time.`
            }
            confirmLabel="Suspend"
            onConfirm={() => setState.mutateAsync('SUSPENDED')}
          />
        )}
        {hasPassword && <SetPasswordButton user={user} onDone={() => setNotice(`The password of ${user.username} is set.`)} />}
        {hasActivation && user.passwordStatus !== 'ACTIVE' && user.state !== 'SUSPENDED' && (
          <Button variant="light" onClick={() => activation.mutate()} loading={activation.isPending}>
            Send activation email
          </Button>
        )}
        <ConfirmAction
          label="Delete"
          title={`Delete ${user.username}?`}
          message={
            `${user.username} (${user.email}) is removed from the directory and ` +
            `from every group. This cannot be undone; the Insights history is kept.`
          }
          confirmLabel="Delete user"
          onConfirm={async () => {
            await data(client.DELETE('/api/v1/users/{id}', { params: { path: { id: user.id } } }));
            void queryClient.invalidateQueries({ queryKey: userKeys.all });
            void navigate('/users', { replace: true });
          }}
        />
      </Group>
      <ErrorAlert error={setState.error} />
      {activation.error ? <ErrorAlert error={isApiError(activation.error, 404) ? new Error(NOT_YET) : activation.error} /> : null}
      {notice && (
        <Alert color="green" role="status" withCloseButton onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
    </Stack>
  );
}

function SetPasswordButton({ user, onDone }: { user: User; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: () => data(client.POST('/api/v1/users/{id}/password', { params: { path: { id: user.id } }, body: { password } })),
    onSuccess: () => {
      setOpen(false);
      setPassword('');
      void queryClient.invalidateQueries({ queryKey: userKeys.all });
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <>
      <Button variant="light" onClick={() => setOpen(true)}>
        Set password
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Set the password of ${user.username}`} centered>
        <form onSubmit={submit}>
          <Stack>
            <Text size="sm">The user can sign in with this password at once. Tell it to the user over a safe channel.</Text>
            <PasswordField
              label="New password"
              description="12 to 128 characters; not the username or email address; not a common password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={fieldError(save.error, 'password')}
              data-autofocus
            />
            {save.error && !fieldError(save.error, 'password') ? (
              <ErrorAlert error={isApiError(save.error, 404) ? new Error(NOT_YET) : save.error} />
            ) : null}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpen(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending} disabled={!password}>
                Set password
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
