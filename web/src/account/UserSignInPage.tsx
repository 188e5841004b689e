// The user portal's sign-in (/account): username or email and password. Wrong passwords, unknown
// users and unfinished registrations all get the server's one answer.
import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { AccountFrame, AccountLoading, AdminSignInLink } from './AccountFrame.tsx';
import { accountKeys, fetchAccountMe, userLogin } from './api.ts';
import { CurrentPasswordField } from '../components/PasswordField.tsx';

const PROFILE_PATH = '/account/profile';

export function UserSignInPage() {
  const [params] = useSearchParams();
  const location = useLocation();
  const notice = (location.state as { notice?: string } | null)?.notice;
  const me = useQuery({ queryKey: accountKeys.me, queryFn: fetchAccountMe });
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [login, setLogin] = useState(params.get('login') ?? '');
  const [password, setPassword] = useState('');
  const signIn = useMutation({
    mutationFn: () => userLogin({ login: login.trim(), password }),
    onSuccess: (r) => {
      queryClient.setQueryData(accountKeys.me, r.user);
      void navigate(PROFILE_PATH, { replace: true });
    },
  });

  if (me.isPending) return <AccountLoading title="Sign in to your account" label="Checking your session…" />;
  if (me.data) return <Navigate to={PROFILE_PATH} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (login.trim() && password) signIn.mutate();
  };

  return (
    <AccountFrame title="Sign in to your account" subtitle="See your profile and change your password.">
      {notice && (
        <Alert color="green" variant="light" role="status">
          {notice}
        </Alert>
      )}
      {me.error ? <ErrorAlert error={me.error} title="Roster could not check your session" /> : null}
      <form onSubmit={submit} noValidate aria-label="Sign in">
        <Stack gap="sm">
          <TextInput
            label="Username or email"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={login}
            onChange={(e) => setLogin(e.currentTarget.value)}
            autoFocus={!login}
          />
          <CurrentPasswordField
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            autoFocus={Boolean(login)}
            error={Boolean(signIn.error)}
          />
          {signIn.error ? <ErrorAlert error={signIn.error} title="Could not sign in" /> : null}
          <Button type="submit" fullWidth mt="xs" loading={signIn.isPending} disabled={!login.trim() || !password}>
            Sign in
          </Button>
        </Stack>
      </form>
      <Text size="sm" c="dimmed">
        No password yet? Open the link in the activation email you received, or ask your administrator to send you a new one.
      </Text>
      <AdminSignInLink />
    </AccountFrame>
  );
}

export function AccountNotFound() {
  return (
    <AccountFrame title="Page not found">
      <Text>There is no page at this address.</Text>
      <Anchor component={Link} to="/account">
        Sign in to your account
      </Anchor>
    </AccountFrame>
  );
}
