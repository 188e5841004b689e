import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { client, data } from '../../api/client.ts';
import { adminKeys } from '../../api/keys.ts';
import { useCanWrite, useMe } from '../../api/session.ts';
import type { Admin, Role } from '../../api/types.ts';
import { type Choice, ChoiceSelect } from '../../components/ChoiceSelect.tsx';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { EmailField } from '../../components/EmailField.tsx';
import { ACTIONS_HEADER, type ListColumn } from '../../components/ListTable.tsx';
import { ErrorAlert, fieldError } from '../../components/ErrorAlert.tsx';
import { FormButtons } from '../../components/FormButtons.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryTable } from '../../components/QueryList.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { NewPasswordField } from '../../components/PasswordField.tsx';
import { useFormValues } from '../../lib/form.ts';
import { AdminPasswordModal } from './AdminPasswordModal.tsx';

const ROLES: Choice<Role>[] = [
  { value: 'admin', label: 'admin: everything' },
  { value: 'read_only', label: 'read_only: look, not touch' },
];

function adminColumns(selfId: string | undefined): ListColumn<Admin>[] {
  return [
    {
      header: 'Email',
      cell: (a) => (
        <>
          {a.email}
          {a.id === selfId && (
            <Text span c="dimmed" size="sm">
              {' '}
              (you)
            </Text>
          )}
        </>
      ),
    },
    { header: 'Name', cell: (a) => a.name },
    { header: 'Role', cell: (a) => a.role },
    { header: 'Two-step sign-in', cell: (a) => (a.mfaEnabled ? 'on' : 'off') },
    { header: 'Last sign-in', cell: (a) => (a.lastLoginAt ? formatDateTime(a.lastLoginAt) : 'never') },
  ];
}

function AdminActions({ admin: a, self, onPassword }: { admin: Admin; self: boolean; onPassword: (a: Admin) => void }) {
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const done = () => queryClient.invalidateQueries({ queryKey: adminKeys.all });
  return (
    <Group gap="xs" wrap="nowrap">
      {(self || canWrite) && (
        <Button
          size="xs"
          variant="subtle"
          aria-label={self ? 'Change your password' : `Set a new password for ${a.email}`}
          onClick={() => onPassword(a)}
        >
          {self ? 'Change password' : 'Reset password'}
        </Button>
      )}
      {canWrite && !self && a.mfaEnabled && (
        <ConfirmAction
          label="Reset two-step sign-in"
          buttonProps={{ size: 'xs', variant: 'subtle', 'aria-label': `Reset the two-step sign-in of ${a.email}` }}
          title={`Reset the two-step sign-in of ${a.email}?`}
          message={
            `For an admin who lost the authenticator app and the recovery codes. ${a.email} is signed out everywhere, ` +
            'signs in with the password alone, and sets up a new app (at once if the organization requires it).'
          }
          confirmLabel="Reset"
          onConfirm={async () => {
            await data(client.DELETE('/api/v1/admins/{id}/mfa', { params: { path: { id: a.id } } }));
            void done();
          }}
        />
      )}
      {canWrite && !self && (
        <ConfirmAction
          label="Delete"
          buttonProps={{ size: 'xs', variant: 'subtle', 'aria-label': `Delete the admin ${a.email}` }}
          title={`Delete the admin ${a.email}?`}
          message={
            `${a.email} can no longer sign in, and the sessions of this admin end at once. ` +
            "The admin's actions stay in Directory Insights."
          }
          confirmLabel="Delete admin"
          onConfirm={async () => {
            await data(client.DELETE('/api/v1/admins/{id}', { params: { path: { id: a.id } } }));
            void done();
          }}
        />
      )}
    </Group>
  );
}

export function AdminsPage() {
  const canWrite = useCanWrite();
  const { data: me } = useMe();
  const [opened, { open, close }] = useDisclosure(false);
  const [passwordOf, setPasswordOf] = useState<Admin | null>(null);
  const admins = useQuery({ queryKey: adminKeys.all, queryFn: () => data(client.GET('/api/v1/admins')) });
  return (
    <>
      <PageHeader
        title="Admins"
        description="People who can sign in to this portal."
        actions={canWrite && <Button onClick={open}>New admin</Button>}
      />
      <QueryTable
        query={admins}
        errorTitle="Could not load the admins"
        label="Admins"
        minWidth={640}
        columns={[
          ...adminColumns(me?.admin?.id),
          { header: ACTIONS_HEADER, cell: (a) => <AdminActions admin={a} self={a.id === me?.admin?.id} onPassword={setPasswordOf} /> },
        ]}
      />
      <NewAdminModal opened={opened} onClose={close} />
      {passwordOf && (
        <AdminPasswordModal admin={passwordOf} own={passwordOf.id === me?.admin?.id} opened onClose={() => setPasswordOf(null)} />
      )}
    </>
  );
}

function NewAdminModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const { values: form, setValues: setForm, field, reset } = useFormValues({ email: '', name: '', password: '', role: 'admin' as Role });
  const create = useMutation({
    mutationFn: () =>
      data(
        client.POST('/api/v1/admins', {
          body: {
            email: form.email.trim(),
            password: form.password,
            role: form.role,
            ...(form.name.trim() ? { name: form.name.trim() } : {}),
          },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: adminKeys.all });
      close();
    },
  });
  const close = () => {
    create.reset();
    reset();
    onClose();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Modal opened={opened} onClose={close} title="New admin" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <EmailField
            value={form.email}
            onChange={field('email')}
            error={fieldError(create.error, 'email')}
            data-autofocus
            autoComplete="off"
          />
          <TextInput label="Name" value={form.name} onChange={field('name')} autoComplete="off" />
          <NewPasswordField
            label="Password"
            description="12 characters or more; tell it to the new admin over a safe channel"
            value={form.password}
            onChange={field('password')}
            error={fieldError(create.error, 'password')}
          />
          <ChoiceSelect label="Role" value={form.role} onChoose={(role) => setForm({ ...form, role })} data={ROLES} />
          <ErrorAlert error={create.error} title="The admin was not created" />
          <FormButtons
            onCancel={close}
            submitLabel="Create admin"
            busy={create.isPending}
            disabled={!form.email.trim() || form.password.length < 12}
          />
        </Stack>
      </form>
    </Modal>
  );
}
