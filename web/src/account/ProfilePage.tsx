// The signed-in user's page (/account/profile): his directory profile, read only, and his password.
import { Alert, Badge, Box, Button, Container, Group, Paper, PasswordInput, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { isApiError } from '../api/client.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { fullName } from '../lib/format.ts';
import {
  type AccountUser,
  accountKeys,
  changePassword,
  fetchAccountMe,
  fetchPasswordPolicy,
  fieldProblems,
  isFieldError,
  userLogout,
} from './api.ts';
import { AccountLoading, AccountRetry, Brand, FieldMessages } from './AccountFrame.tsx';
import { describedInput } from '../components/describedInput.ts';
import { type FieldErrors, localProblems, PasswordFields, PolicyHints } from './PasswordFields.tsx';
import { useNewPassword } from './useNewPassword.ts';

const SIGNED_OUT = { notice: 'You are signed out.' };
const SESSION_ENDED = { notice: 'Your session ended. Sign in again.' };

export function ProfilePage() {
  const me = useQuery({ queryKey: accountKeys.me, queryFn: fetchAccountMe });
  if (me.isPending) return <AccountLoading title="Your account" label="Loading your profile…" />;
  if (me.error) return <AccountRetry title="Your account" errorTitle="Roster could not load your profile" query={me} />;
  if (!me.data) return <Navigate to="/account" replace />;
  return <Profile user={me.data} />;
}

function Profile({ user }: { user: AccountUser }) {
  const name = fullName(user) || user.username;
  useDocumentTitle(`${name} · Roster`);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const signOut = useMutation({
    mutationFn: userLogout,
    // Signed out locally whatever the server said: the cookie is cleared or the session is gone.
    onSettled: () => {
      queryClient.clear();
      queryClient.setQueryData(accountKeys.me, null);
      void navigate('/account', { replace: true, state: SIGNED_OUT });
    },
  });

  return (
    <Box mih="100vh" bg="gray.0">
      <Box component="header" bg="white" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Container size="sm" py="xs">
          <Group justify="space-between" wrap="nowrap">
            <Brand />
            <Button variant="subtle" size="xs" onClick={() => signOut.mutate()} loading={signOut.isPending}>
              Sign out
            </Button>
          </Group>
        </Container>
      </Box>
      <Container size="sm" py="md" component="main">
        <Stack>
          <Paper withBorder p={{ base: 'md', xs: 'lg' }} radius="md" component="section" aria-labelledby="profile-title">
            <Stack gap="sm">
              <div>
                <Title order={1} size="h2" id="profile-title" style={{ overflowWrap: 'anywhere' }}>
                  {name}
                </Title>
                <Group gap="xs" mt={4}>
                  <Badge variant="light" color={user.state === 'ACTIVE' ? 'green' : 'gray'}>
                    {user.state}
                  </Badge>
                  <Text size="sm" c="dimmed">
                    Your profile in the directory. Your administrator keeps it up to date.
                  </Text>
                </Group>
              </div>
              <ProfileFields user={user} />
            </Stack>
          </Paper>
          <ChangePassword
            user={user}
            onSessionEnded={() => {
              queryClient.setQueryData(accountKeys.me, null);
              void navigate('/account', { replace: true, state: SESSION_ENDED });
            }}
          />
        </Stack>
      </Container>
    </Box>
  );
}

function ProfileFields({ user }: { user: AccountUser }) {
  const rows: [string, ReactNode][] = [
    ['Username', user.username],
    ['Email', user.email],
    ['First name', user.firstname],
    ['Middle name', user.middlename],
    ['Last name', user.lastname],
    ['Job title', user.jobTitle],
    ['Department', user.department],
    ['Organization', user.organization],
    ['Cost center', user.costCenter],
    ['Employee type', user.employeeType],
    ['Employee ID', user.employeeIdentifier],
    ...user.phoneNumbers.map((p, i): [string, ReactNode] => [
      `Phone${user.phoneNumbers.length > 1 ? ` ${i + 1}` : ''} (${p.type})`,
      p.number,
    ]),
    ...user.addresses.map((a, i): [string, ReactNode] => [
      `Address${user.addresses.length > 1 ? ` ${i + 1}` : ''} (${a.type})`,
      [a.streetAddress, a.extendedAddress, a.poBox, [a.postalCode, a.locality].filter(Boolean).join(' '), a.region, a.country]
        .filter(Boolean)
        .join(', '),
    ]),
  ];
  return (
    <SimpleGrid component="dl" cols={{ base: 1, xs: 2 }} spacing="xs" verticalSpacing="xs" m={0} aria-label="Profile">
      {rows
        .filter(([, v]) => v !== '' && v !== undefined && v !== null)
        .map(([label, v]) => (
          <div key={label}>
            <Text component="dt" size="xs" c="dimmed">
              {label}
            </Text>
            <Text component="dd" m={0} style={{ overflowWrap: 'anywhere' }}>
              {v}
            </Text>
          </div>
        ))}
    </SimpleGrid>
  );
}

function ChangePassword({ user, onSessionEnded }: { user: AccountUser; onSessionEnded: () => void }) {
  const policy = useQuery({ queryKey: accountKeys.policy, queryFn: fetchPasswordPolicy, staleTime: Infinity });
  const [current, setCurrent] = useState('');
  const [currentErrors, setCurrentErrors] = useState<string[]>([]);
  const pw = useNewPassword();
  const [changed, setChanged] = useState(false);
  const currentRef = useRef<HTMLInputElement>(null);
  // The current password's problems come first, then the new password's.
  const show = (currentProblems: string[], found: FieldErrors) => {
    setCurrentErrors(currentProblems);
    const shown = pw.show(found, currentProblems.length === 0);
    if (currentProblems.length) currentRef.current?.focus();
    return shown || currentProblems.length > 0;
  };
  const save = useMutation({
    mutationFn: () => changePassword({ currentPassword: current, newPassword: pw.value.password }),
    onSuccess: () => {
      setCurrent('');
      pw.clear();
      setChanged(true);
    },
    onError: (err) => {
      if (isApiError(err, 401)) return onSessionEnded();
      show(fieldProblems(err, 'currentPassword'), { password: fieldProblems(err, 'newPassword'), confirm: [] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setChanged(false);
    if (!show(current ? [] : ['enter your current password'], localProblems(pw.value, policy.data))) save.mutate();
  };

  return (
    <Paper withBorder p={{ base: 'md', xs: 'lg' }} radius="md" component="section" aria-labelledby="password-title">
      <form onSubmit={submit} noValidate aria-labelledby="password-title">
        <Stack gap="sm">
          <Title order={2} size="h4" id="password-title">
            Change your password
          </Title>
          {/* For password managers: which account the new password belongs to. */}
          <input type="text" name="username" autoComplete="username" value={user.username} readOnly hidden />
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            required
            ref={currentRef}
            value={current}
            onChange={(e) => {
              setCurrent(e.currentTarget.value);
              setCurrentErrors([]);
              setChanged(false);
            }}
            error={FieldMessages({ messages: currentErrors })}
            {...describedInput('current-password', { error: currentErrors.length > 0 })}
          />
          <PolicyHints policy={policy.data} id="new-password-policy" />
          <PasswordFields
            {...pw.fields}
            onChange={(v) => {
              pw.onChange(v);
              setChanged(false);
            }}
            policy={policy.data}
            policyId={policy.data ? 'new-password-policy' : undefined}
          />
          <ChangeOutcome error={save.error} changed={changed} />
          <Group justify="flex-end">
            <Button type="submit" loading={save.isPending}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

/** An error not about a field (those show under it), or the success. */
function ChangeOutcome({ error, changed }: { error: unknown; changed: boolean }) {
  return (
    <>
      {error && !isApiError(error, 401) && !isFieldError(error, ['currentPassword', 'newPassword']) ? (
        <ErrorAlert error={error} title="Your password was not changed" />
      ) : null}
      {changed && (
        <Alert color="green" variant="light" role="status" title="Password changed">
          Use the new password from now on. Your other sessions were signed out.
        </Alert>
      )}
    </>
  );
}
