// Setting up an authenticator app: a new key (QR code), recovery codes shown once, then a first code.
import { Button, Checkbox, Code, Group, List, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { client, data } from '../../api/client.ts';
import { adminKeys, sessionKeys } from '../../api/keys.ts';
import { fetchMe, useMe } from '../../api/session.ts';
import type { TotpEnrolment } from '../../api/types.ts';
import { ErrorAlert, fieldError } from '../../components/ErrorAlert.tsx';
import { QrCode } from '../../components/QrCode.tsx';

export function MfaEnrolment() {
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
      void queryClient.invalidateQueries({ queryKey: adminKeys.all });
      if (wasRequired) void navigate('/users', { replace: true });
    },
  });
  const enrolment = start.data;
  if (!enrolment) return <MfaStart onStart={() => start.mutate()} starting={start.isPending} error={start.error} />;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    verify.mutate();
  };
  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg">
        <EnrolmentKey enrolment={enrolment} />
        <RecoveryCodes codes={enrolment.recoveryCodes} email={me?.admin?.email} saved={saved} onSaved={setSaved} />
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

function MfaStart({ onStart, starting, error }: { onStart: () => void; starting: boolean; error: unknown }) {
  return (
    <Stack gap="sm" align="flex-start">
      <Text>
        Two-step sign-in is <strong>off</strong>. With it on, signing in takes your password and a 6-digit code from an authenticator app on
        your phone (any app that follows RFC 6238, such as Google Authenticator, Microsoft Authenticator, 1Password or Aegis).
      </Text>
      <ErrorAlert error={error} title="Could not start the setup" />
      <Button onClick={onStart} loading={starting}>
        Set up an authenticator app
      </Button>
    </Stack>
  );
}

function EnrolmentKey({ enrolment }: { enrolment: TotpEnrolment }) {
  return (
    <Stack gap="xs">
      <Text fw={600}>1. Scan this code with your authenticator app</Text>
      <QrCode value={enrolment.otpauthUrl} label="QR code for your authenticator app" />
      <Text size="sm">Cannot scan? Enter this key in the app instead:</Text>
      <Code data-testid="totp-secret" style={{ wordBreak: 'break-all' }}>
        {enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}
      </Code>
    </Stack>
  );
}

function download(email: string | undefined, codes: string[]) {
  const text =
    `Roster recovery codes for ${email ?? 'your admin account'}\n` +
    `Each code signs you in once, in place of an authenticator code.\n\n${codes.join('\n')}\n`;
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'roster-recovery-codes.txt';
  a.click();
  URL.revokeObjectURL(url);
}

interface RecoveryCodesProps {
  codes: string[];
  email: string | undefined;
  saved: boolean;
  onSaved: (saved: boolean) => void;
}

function RecoveryCodes({ codes, email, saved, onSaved }: RecoveryCodesProps) {
  return (
    <Stack gap="xs">
      <Text fw={600}>2. Save your recovery codes</Text>
      <Text size="sm">If you lose your phone, each of these codes signs you in once. They are shown only now.</Text>
      <List size="sm" ff="monospace" aria-label="Recovery codes" spacing={2}>
        {codes.map((c) => (
          <List.Item key={c}>{c}</List.Item>
        ))}
      </List>
      <Group gap="xs">
        <Button size="xs" variant="light" onClick={() => download(email, codes)}>
          Download
        </Button>
        <Button size="xs" variant="light" onClick={() => void navigator.clipboard?.writeText(codes.join('\n'))}>
          Copy
        </Button>
      </Group>
      <Checkbox label="I have saved my recovery codes" checked={saved} onChange={(e) => onSaved(e.currentTarget.checked)} />
    </Stack>
  );
}
