import { Button, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { api, setCsrfToken } from '../api/client.ts';
import { fetchMe, meKey, useMe } from '../api/session.ts';
import { CenteredCard } from '../components/CenteredCard.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { PasswordField } from '../components/PasswordField.tsx';

/** Only paths inside the portal: a crafted ?next= must not send the admin elsewhere. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/users';
}

export function SignInPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const { data: me } = useMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (me) return <Navigate to={next} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<{ csrfToken: string }>('/api/v1/auth/login', { email, password });
      setCsrfToken(res.csrfToken);
      queryClient.setQueryData(meKey, await fetchMe());
      navigate(next, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <CenteredCard title="Sign in" subtitle="Admins of this Roster directory">
      {/* A refused sign-in is about both fields at once: both are marked invalid, the alert says why. */}
      <form onSubmit={submit} noValidate>
        <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} mb="sm" data-autofocus autoFocus error={!!error} />
        <PasswordField label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} mb="md" error={!!error} />
        {error ? <ErrorAlert error={error} title="Could not sign in" /> : null}
        <Button type="submit" fullWidth mt="md" loading={busy} disabled={!email || !password}>
          Sign in
        </Button>
      </form>
    </CenteredCard>
  );
}
