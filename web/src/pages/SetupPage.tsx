// The one-time first-admin page linked from the start-up message (/setup?token=...).
import { Alert, Anchor, Button, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { client, data, setCsrfToken } from '../api/client.ts';
import { sessionKeys } from '../api/keys.ts';
import { fetchMe } from '../api/session.ts';
import { CenteredCard } from '../components/CenteredCard.tsx';
import { EmailField } from '../components/EmailField.tsx';
import { ErrorAlert, fieldError } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';
import { NewPasswordField } from '../components/PasswordField.tsx';
import { useFormValues } from '../lib/form.ts';

export function SetupPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const status = useQuery({ queryKey: sessionKeys.setup, queryFn: () => data(client.GET('/api/v1/setup')) });
  if (status.isPending) return <Loading />;
  if (status.data && !status.data.needsSetup) {
    return (
      <CenteredCard title="Roster is already set up">
        <Alert color="blue">An admin exists already, so this link has no use any more.</Alert>
        <Anchor component={Link} to="/signin">
          Sign in
        </Anchor>
      </CenteredCard>
    );
  }
  if (!token) {
    return (
      <CenteredCard title="Create the first admin">
        <Alert color="yellow" title="The setup link is incomplete">
          Open the one-time link Roster printed when it started (it ends with ?token=…), or create the admin with
          <code> npx roster admin create --email you@example.com</code>.
        </Alert>
      </CenteredCard>
    );
  }
  return <SetupForm token={token} />;
}

function SetupForm({ token }: { token: string }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { values: form, field } = useFormValues({ email: '', name: '', password: '', confirm: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const mismatch = form.confirm !== '' && form.confirm !== form.password;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (mismatch) return;
    setBusy(true);
    setError(null);
    try {
      const body = { token, email: form.email, password: form.password, ...(form.name ? { name: form.name } : {}) };
      await data(client.POST('/api/v1/setup', { body }));
      const res = await data(client.POST('/api/v1/auth/login', { body: { email: form.email, password: form.password } }));
      // A new first admin has no MFA: the answer is a session.
      setCsrfToken('csrfToken' in res ? res.csrfToken : null);
      queryClient.setQueryData(sessionKeys.me, await fetchMe());
      void navigate('/users', { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <CenteredCard title="Create the first admin" subtitle="This link works once. The admin you create here can add others.">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <EmailField
          autoComplete="username"
          value={form.email}
          onChange={field('email')}
          error={fieldError(error, 'email')}
          mb="sm"
          autoFocus
        />
        <TextInput label="Name" autoComplete="name" value={form.name} onChange={field('name')} mb="sm" />
        <NewPasswordField
          label="Password"
          description="12 characters or more"
          value={form.password}
          onChange={field('password')}
          error={fieldError(error, 'password')}
          mb="sm"
        />
        <NewPasswordField
          label="Repeat the password"
          value={form.confirm}
          onChange={field('confirm')}
          error={mismatch ? 'The passwords differ' : undefined}
          mb="md"
        />
        {error ? <ErrorAlert error={error} title="Could not create the admin" /> : null}
        <Button
          type="submit"
          fullWidth
          mt="md"
          loading={busy}
          disabled={!form.email || form.password.length < 12 || form.confirm !== form.password}
        >
          Create admin and sign in
        </Button>
      </form>
    </CenteredCard>
  );
}
