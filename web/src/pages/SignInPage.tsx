import { Button, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { client, data, isApiError, setCsrfToken } from '../api/client.ts';
import { sessionKeys } from '../api/keys.ts';
import { fetchMe, useMe } from '../api/session.ts';
import { mfaProof } from '../lib/mfa.ts';
import { CenteredCard } from '../components/CenteredCard.tsx';
import { EmailField } from '../components/EmailField.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { CurrentPasswordField } from '../components/PasswordField.tsx';

/** Only paths inside the portal: a crafted ?next= must not send the admin elsewhere. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/users';
}

/** After a session is granted: its CSRF token, the admin, then the page asked for (or MFA enrolment). */
function useSignedIn(next: string) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return async (csrfToken: string) => {
    setCsrfToken(csrfToken);
    const current = await fetchMe();
    queryClient.setQueryData(sessionKeys.me, current);
    void navigate(current?.mfaEnrolmentRequired ? '/security' : next, { replace: true });
  };
}

export function SignInPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const { data: me } = useMe();
  const signedIn = useSignedIn(next);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [mfaStep, setMfaStep] = useState(false);

  if (me) return <Navigate to={me.mfaEnrolmentRequired ? '/security' : next} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await data(client.POST('/api/v1/auth/login', { body: { email, password } }));
      if ('mfaRequired' in res) {
        setPassword('');
        setMfaStep(true);
      } else {
        await signedIn(res.csrfToken);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (mfaStep) {
    return (
      <MfaStep
        email={email}
        onSignedIn={signedIn}
        onRestart={(err) => {
          setMfaStep(false);
          setError(err);
        }}
      />
    );
  }

  return (
    <CenteredCard title="Sign in" subtitle="Admins of this Roster directory">
      {/* A refused sign-in is about both fields at once: both are marked invalid, the alert says why. */}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <EmailField
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          mb="sm"
          data-autofocus
          autoFocus
          error={!!error}
        />
        <CurrentPasswordField value={password} onChange={(e) => setPassword(e.currentTarget.value)} mb="md" error={!!error} />
        {error ? <ErrorAlert error={error} title="Could not sign in" /> : null}
        <Button type="submit" fullWidth mt="md" loading={busy} disabled={!email || !password}>
          Sign in
        </Button>
      </form>
    </CenteredCard>
  );
}

/** The second step: a code from the authenticator app, or a recovery code. */
function MfaStep({
  email,
  onSignedIn,
  onRestart,
}: {
  email: string;
  onSignedIn: (csrfToken: string) => Promise<void>;
  onRestart: (error: unknown) => void;
}) {
  const [useRecovery, setUseRecovery] = useState(false);
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await data(client.POST('/api/v1/auth/login/mfa', { body: mfaProof(useRecovery, value) }));
      await onSignedIn(res.csrfToken);
    } catch (err) {
      // The pending sign-in is gone (expired, too many wrong codes): back to the password.
      if (isApiError(err) && err.code === 'MFA_CHALLENGE_EXPIRED') onRestart(err);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <CenteredCard title="Two-step sign-in" subtitle={email}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Text size="sm" mb="sm">
          {useRecovery
            ? 'Enter one of the recovery codes you saved when you set up two-step sign-in. Each works once.'
            : 'Enter the 6-digit code from your authenticator app.'}
        </Text>
        <TextInput
          key={useRecovery ? 'recovery' : 'code'}
          label={useRecovery ? 'Recovery code' : 'Authentication code'}
          inputMode={useRecovery ? 'text' : 'numeric'}
          autoComplete="one-time-code"
          required
          value={value}
          onChange={(e) => setValue(e.currentTarget.value)}
          error={!!error}
          autoFocus
          mb="md"
        />
        {error ? <ErrorAlert error={error} title="Could not sign in" /> : null}
        <Button type="submit" fullWidth mt="md" loading={busy} disabled={!value.trim()}>
          Verify
        </Button>
        <Button
          variant="subtle"
          fullWidth
          mt="xs"
          size="xs"
          onClick={() => {
            setUseRecovery(!useRecovery);
            setValue('');
            setError(null);
          }}
        >
          {useRecovery ? 'Use a code from the authenticator app' : 'Lost your phone? Use a recovery code'}
        </Button>
      </form>
    </CenteredCard>
  );
}
