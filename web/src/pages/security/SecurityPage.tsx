// The signed-in admin's two-step sign-in (an authenticator app, RFC 6238), and the organization's
// rule that every admin must have one. When the rule holds and this admin has none, this is the only
// page the portal shows (AuthGate sends him here).
import { Alert, Button, Card, Modal, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client, data } from '../../api/client.ts';
import { adminKeys, sessionKeys } from '../../api/keys.ts';
import { fetchMe, useCanWrite, useMe } from '../../api/session.ts';
import { ErrorAlert, fieldError } from '../../components/ErrorAlert.tsx';
import { FormButtons } from '../../components/FormButtons.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { mfaProof } from '../../lib/mfa.ts';
import { MfaEnrolment } from './MfaEnrolment.tsx';

export function SecurityPage() {
  const { data: me } = useMe();
  const enabled = Boolean(me?.admin?.mfaEnabled);
  return (
    <>
      <PageHeader title="Security" description="Two-step sign-in for your admin account, and the rule for every admin." />
      {me?.mfaEnrolmentRequired && (
        <Alert color="orange" title="Set up two-step sign-in to continue" mb="md">
          This organization requires two-step sign-in for every admin. Until you set up an authenticator app, the rest of the portal stays
          closed.
        </Alert>
      )}
      <Stack gap="lg" maw={760}>
        <Card withBorder padding="lg">
          <Title order={2} size="h4" mb="xs">
            Authenticator app
          </Title>
          {enabled ? <MfaEnabled /> : <MfaEnrolment />}
        </Card>
        {!me?.mfaEnrolmentRequired && <RequireMfaSetting />}
      </Stack>
    </>
  );
}

function MfaEnabled() {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [useRecovery, setUseRecovery] = useState(false);
  const [value, setValue] = useState('');
  const remove = useMutation({
    mutationFn: () => data(client.DELETE('/api/v1/auth/mfa/totp', { body: mfaProof(useRecovery, value) })),
    onSuccess: async () => {
      setOpen(false);
      queryClient.setQueryData(sessionKeys.me, await fetchMe());
      void queryClient.invalidateQueries({ queryKey: adminKeys.all });
    },
  });
  const close = () => {
    setOpen(false);
    setValue('');
    remove.reset();
  };
  return (
    <Stack gap="sm" align="flex-start">
      <Text>
        Two-step sign-in is <strong>on</strong>: signing in takes your password and a code from your authenticator app (or one of your
        recovery codes).
      </Text>
      <Button variant="light" color="red" onClick={() => setOpen(true)}>
        Turn off
      </Button>
      <Modal opened={open} onClose={close} title="Turn off two-step sign-in?" centered>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            remove.mutate();
          }}
          noValidate
        >
          <Stack>
            <Text size="sm">
              Your password alone will sign you in. Confirm with{' '}
              {useRecovery ? 'one of your recovery codes' : 'a code from your authenticator app'}.
            </Text>
            <TextInput
              label={useRecovery ? 'Recovery code' : 'Authentication code'}
              inputMode={useRecovery ? 'text' : 'numeric'}
              autoComplete="one-time-code"
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
              error={fieldError(remove.error, useRecovery ? 'recoveryCode' : 'code')}
              data-autofocus
            />
            <Button
              variant="subtle"
              size="xs"
              onClick={() => {
                setUseRecovery(!useRecovery);
                setValue('');
                remove.reset();
              }}
              style={{ alignSelf: 'flex-start' }}
            >
              {useRecovery ? 'Use an authenticator code instead' : 'Use a recovery code instead'}
            </Button>
            <ErrorAlert error={remove.error} title="Two-step sign-in is still on" />
            <FormButtons onCancel={close} submitLabel="Turn off" color="red" busy={remove.isPending} disabled={!value.trim()} />
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}

function RequireMfaSetting() {
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const { data: me } = useMe();
  const settings = useQuery({
    queryKey: sessionKeys.organizationSettings,
    queryFn: () => data(client.GET('/api/v1/organization/settings')),
  });
  const save = useMutation({
    mutationFn: (requireAdminMfa: boolean) => data(client.PATCH('/api/v1/organization/settings', { body: { requireAdminMfa } })),
    onSuccess: async (data) => {
      queryClient.setQueryData(sessionKeys.organizationSettings, data);
      queryClient.setQueryData(sessionKeys.me, await fetchMe());
    },
  });
  const on = Boolean(settings.data?.requireAdminMfa);
  return (
    <Card withBorder padding="lg">
      <Title order={2} size="h4" mb="xs">
        Every admin
      </Title>
      <ErrorAlert error={settings.error} title="Could not load the organization's settings" />
      <Switch
        label="Require two-step sign-in for every admin"
        description="Admins without an authenticator app can then only set one up. API keys are not affected."
        checked={on}
        disabled={!canWrite || settings.isPending || save.isPending}
        onChange={(e) => save.mutate(e.currentTarget.checked)}
      />
      {canWrite && !on && !me?.admin?.mfaEnabled && (
        <Text size="sm" c="dimmed" mt="xs">
          You have no authenticator app yet: turning this on takes you to the setup first.
        </Text>
      )}
      <ErrorAlert error={save.error} title="The setting was not changed" />
    </Card>
  );
}
