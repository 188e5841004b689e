import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { client, data } from '../../api/client.ts';
import type { Admin } from '../../api/types.ts';
import { ErrorAlert, fieldError } from '../../components/ErrorAlert.tsx';
import { FormButtons } from '../../components/FormButtons.tsx';
import { CurrentPasswordField, NewPasswordField } from '../../components/PasswordField.tsx';
import { useFormValues } from '../../lib/form.ts';

/**
 * Changing one's own password (the current one first) or resetting another admin's. Either way the
 * server ends that admin's other sessions; the policy is the users' one and the server says what it misses.
 */
export function AdminPasswordModal({ admin, own, opened, onClose }: { admin: Admin; own: boolean; opened: boolean; onClose: () => void }) {
  const { values: form, field, reset } = useFormValues({ current: '', password: '', repeat: '' });
  const [done, setDone] = useState(false);
  const save = useMutation({
    mutationFn: () =>
      own
        ? data(client.POST('/api/v1/auth/password', { body: { currentPassword: form.current, newPassword: form.password } }))
        : data(client.POST('/api/v1/admins/{id}/password', { params: { path: { id: admin.id } }, body: { password: form.password } })),
    onSuccess: () => setDone(true),
  });
  const close = () => {
    save.reset();
    reset();
    setDone(false);
    onClose();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (form.password === form.repeat) save.mutate();
  };
  const differs = form.repeat !== '' && form.repeat !== form.password;
  const newField = own ? 'newPassword' : 'password';
  return (
    <Modal opened={opened} onClose={close} title={own ? 'Change your password' : `Set a new password for ${admin.email}`} centered>
      {done ? (
        <Stack>
          <Text>
            {own
              ? 'Your password is changed. Your other sessions have ended.'
              : `The password of ${admin.email} is set, and their sessions have ended. Tell it to them over a safe channel.`}
          </Text>
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            {own && (
              <CurrentPasswordField
                label="Current password"
                value={form.current}
                onChange={field('current')}
                error={fieldError(save.error, 'currentPassword')}
                data-autofocus
              />
            )}
            <NewPasswordField
              label="New password"
              description="12 characters or more; not a common password, a repeated pattern or the email"
              value={form.password}
              onChange={field('password')}
              error={fieldError(save.error, newField)}
            />
            <NewPasswordField
              label="Repeat the new password"
              value={form.repeat}
              onChange={field('repeat')}
              error={differs ? 'The passwords differ' : undefined}
            />
            <ErrorAlert error={save.error} title="The password was not changed" />
            <FormButtons
              onCancel={close}
              submitLabel={own ? 'Change password' : 'Set password'}
              busy={save.isPending}
              disabled={form.password.length < 12 || form.password !== form.repeat || (own && !form.current)}
            />
          </Stack>
        </form>
      )}
    </Modal>
  );
}
