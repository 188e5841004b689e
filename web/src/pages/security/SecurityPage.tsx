// The signed-in admin's two-step sign-in (an authenticator app, RFC 6238), and the organization's
// rule that every admin must have one. When the rule holds and this admin has none, this is the only
// page the portal shows (AuthGate sends him here).
import { Alert, Button, Card, Checkbox, Code, Group, List, Modal, SimpleGrid, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { client, data } from '../../api/client.ts';
import { adminKeys, sessionKeys } from '../../api/keys.ts';
import { fetchMe, useCanWrite, useMe } from '../../api/session.ts';
import type { OrganizationSettings, TotpEnrolment } from '../../api/types.ts';
import { ErrorAlert, fieldError } from '../../components/ErrorAlert.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QrCode } from '../../components/QrCode.tsx';

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

function MfaEnrolment() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { data: me } = useMe();
  const [code, setCode] = useState('');
  const [saved, setSaved] = useState(false);
  const start = useMutation({ mutationFn: () => data(client.POST('/api/v1/auth/mfa/totp')) });
  const verify = useMutation({
    mutationFn: () => data(client.POST('/api/v1/auth/mfa/totp/verify', { body: { code: code.replace(/\s/g, '') } })),
    onSuccess: async () => {
      const wasRequired = me?.mfaEnrolmentRequired;
      queryClient.setQueryData(sessionKeys.me, await fetchMe());
      queryClient.invalidateQueries({ queryKey: adminKeys.all });
      if (wasRequired) navigate('/users', { replace: true });
    },
  });
  const enrolment = start.data;
  if (!enrolment) {
    return (
      <Stack gap="sm" align="flex-start">
        <Text>
          Two-step sign-in is <strong>off</strong>. With it on, signing in takes your password and a 6-digit code from an authenticator app
          on your phone (any app that follows RFC 6238, such as Google Authenticator, Microsoft Authenticator, 1Password or Aegis).
        </Text>
        <ErrorAlert error={start.error} title="Could not start the setup" />
        <Button onClick={() => start.mutate()} loading={start.isPending}>
          Set up an authenticator app
        </Button>
      </Stack>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    verify.mutate();
  };
  const download = () => {
    const text = `Roster recovery codes for ${me?.admin?.email ?? 'your admin account'}\nEach code signs you in once, in place of an authenticator code.\n\n${enrolment.recoveryCodes.join('\n')}\n`;
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'roster-recovery-codes.txt';
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg">
        <Stack gap="xs">
          <Text fw={600}>1. Scan this code with your authenticator app</Text>
          <QrCode value={enrolment.otpauthUrl} label="QR code for your authenticator app" />
          <Text size="sm">Cannot scan? Enter this key in the app instead:</Text>
          <Code data-testid="totp-secret" style={{ wordBreak: 'break-all' }}>
            {enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}
          </Code>
        </Stack>
        <Stack gap="xs">
          <Text fw={600}>2. Save your recovery codes</Text>
          <Text size="sm">If you lose your phone, each of these codes signs you in once. They are shown only now.</Text>
          <List size="sm" ff="monospace" aria-label="Recovery codes" spacing={2}>
            {enrolment.recoveryCodes.map((c) => (
              <List.Item key={c}>{c}</List.Item>
            ))}
          </List>
          <Group gap="xs">
            <Button size="xs" variant="light" onClick={download}>
              Download
            </Button>
            <Button size="xs" variant="light" onClick={() => void navigator.clipboard?.writeText(enrolment.recoveryCodes.join('\n'))}>
              Copy
            </Button>
          </Group>
          <Checkbox label="I have saved my recovery codes" checked={saved} onChange={(e) => setSaved(e.currentTarget.checked)} />
        </Stack>
      </SimpleGrid>
      <form onSubmit={submit} noValidate>
        <Stack gap="xs" align="flex-start">
          <Text fw={600}>3. Enter the code the app shows</Text>
          <TextInput
            label="Authentication code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={7}
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            error={fieldError(verify.error, 'code')}
            w={200}
          />
          <ErrorAlert error={verify.error} title="Two-step sign-in is not on yet" />
          <Group gap="xs">
            <Button type="submit" loading={verify.isPending} disabled={!saved || code.replace(/\s/g, '').length !== 6}>
              Turn on
            </Button>
            <Button variant="default" onClick={() => start.mutate()} disabled={verify.isPending}>
              Start over with a new key
            </Button>
          </Group>
          {!saved && (
            <Text size="xs" c="dimmed">
              Tick the box once your recovery codes are safe.
            </Text>
          )}
        </Stack>
      </form>
    </Stack>
  );
}

function MfaEnabled() {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [useRecovery, setUseRecovery] = useState(false);
  const [value, setValue] = useState('');
  const remove = useMutation({
    mutationFn: () =>
      data(
        client.DELETE('/api/v1/auth/mfa/totp', {
          body: useRecovery ? { recoveryCode: value.trim() } : { code: value.replace(/\s/g, '') },
        }),
      ),
    onSuccess: async () => {
      setOpen(false);
      queryClient.setQueryData(sessionKeys.me, await fetchMe());
      queryClient.invalidateQueries({ queryKey: adminKeys.all });
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
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" color="red" loading={remove.isPending} disabled={!value.trim()}>
                Turn off
              </Button>
            </Group>
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
