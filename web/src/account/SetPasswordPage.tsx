// The page an activation email links to (/account/set-password?token=...): says whom the account is
// for, takes the password twice, and ends with "registration complete". Every unusable link (expired,
// used, replaced, forged, cut short) gets the same page, so it never tells whether an account exists.
import { Alert, Anchor, Button, Paper, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { isApiError } from '../api/client.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { formatDateTime } from '../lib/format.ts';
import { AccountFrame, AccountLoading, AccountRetry, AdminSignInLink } from './AccountFrame.tsx';
import {
  type ActivationInfo,
  accountKeys,
  completeActivation,
  fieldProblems,
  inspectActivation,
  isFieldError,
  isLinkInvalid,
} from './api.ts';
import { localProblems, PasswordFields, PolicyHints } from './PasswordFields.tsx';
import { useNewPassword } from './useNewPassword.ts';

/** Shown for a link without a token too; the server's own 410 message is the same in substance. */
const INVALID_MESSAGE =
  'This link is not valid: it may have expired, been used already, been replaced by a newer email, or been copied incompletely. ' +
  'Ask your administrator to send you a new activation email.';

export function SetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token')?.trim() ?? '';
  const [done, setDone] = useState<string | null>(null);
  const info = useQuery({
    queryKey: accountKeys.activation(token),
    queryFn: ({ signal }) => inspectActivation(token, signal),
    enabled: token !== '' && done === null,
  });

  if (done !== null) return <RegistrationComplete username={done} />;
  if (!token) return <LinkInvalid message={INVALID_MESSAGE} />;
  if (info.isPending) return <AccountLoading title="Set your password" label="Checking your link…" />;
  if (info.error) {
    if (isLinkInvalid(info.error)) return <LinkInvalid message={info.error.message} />;
    // A token the API refuses to even look up (overlong, say) is no link Roster made either.
    if (isApiError(info.error, 400)) return <LinkInvalid message={INVALID_MESSAGE} />;
    return <AccountRetry title="Set your password" errorTitle="Roster could not check your link" query={info} />;
  }
  return <SetPasswordForm token={token} info={info.data} onDone={setDone} />;
}

function SetPasswordForm({ token, info, onDone }: { token: string; info: ActivationInfo; onDone: (username: string) => void }) {
  const queryClient = useQueryClient();
  const pw = useNewPassword();
  const submit = useMutation({
    mutationFn: () => completeActivation({ token, password: pw.value.password, passwordConfirm: pw.value.confirm }),
    onSuccess: (r) => {
      // The link is used up: nothing cached may show its form again.
      queryClient.removeQueries({ queryKey: accountKeys.activation(token) });
      onDone(r.username);
    },
    onError: (err) => pw.show({ password: fieldProblems(err, 'password'), confirm: fieldProblems(err, 'passwordConfirm') }),
  });
  const error = submit.error;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!pw.show(localProblems(pw.value, info.passwordPolicy))) submit.mutate();
  };

  if (error && isLinkInvalid(error)) return <LinkInvalid message={error.message} />;

  return (
    <AccountFrame title="Set your password" subtitle="Choose the password you will sign in with. This completes your account registration.">
      <Paper component="section" aria-label="The account" withBorder bg="blue.0" p="sm" radius="sm">
        <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
          Account of {info.displayName}
        </Text>
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          Username <strong>{info.username}</strong>
          <br />
          Email {info.email}
        </Text>
        <Text size="xs" c="dimmed" mt={4}>
          This link works once, until {formatDateTime(info.expiresAt)}.
        </Text>
      </Paper>
      <form onSubmit={onSubmit} noValidate aria-label="Set your password">
        <Stack gap="sm">
          {/* For password managers: which account the new password belongs to. */}
          <input type="text" name="username" autoComplete="username" value={info.username} readOnly hidden />
          <PolicyHints policy={info.passwordPolicy} id="password-policy" />
          <PasswordFields {...pw.fields} policy={info.passwordPolicy} policyId="password-policy" autoFocus />
          {error && !isFieldError(error, ['password', 'passwordConfirm']) ? (
            <ErrorAlert error={error} title={isApiError(error, 429) ? 'Too many attempts' : 'Your password was not set'} />
          ) : null}
          <Button type="submit" fullWidth mt="xs" loading={submit.isPending}>
            Set password
          </Button>
        </Stack>
      </form>
    </AccountFrame>
  );
}

function RegistrationComplete({ username }: { username: string }) {
  const heading = useRef<HTMLDivElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <AccountFrame title="Registration complete">
      <div ref={heading} tabIndex={-1} style={{ outline: 'none' }}>
        <Alert color="green" variant="light" title="Your password is set" role="status">
          Your account <strong>{username}</strong> is ready. Sign in with your username or email address and the password you just chose.
        </Alert>
      </div>
      <Button component={Link} to={`/account?login=${encodeURIComponent(username)}`} fullWidth>
        Sign in to your account
      </Button>
    </AccountFrame>
  );
}

function LinkInvalid({ message }: { message: string }) {
  return (
    <AccountFrame title="This link is no longer valid">
      <Alert color="orange" variant="light" title="Ask your administrator for a new email" role="alert">
        {message}
      </Alert>
      <Text size="sm">Only the newest activation email works, and only once. If you already chose your password, you can sign in.</Text>
      <Anchor component={Link} to="/account">
        Sign in to your account
      </Anchor>
      <AdminSignInLink />
    </AccountFrame>
  );
}
