import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { client, data } from '../../api/client.ts';
import { userKeys } from '../../api/keys.ts';
import type { UserState } from '../../api/types.ts';
import { type Choice, ChoiceSelect } from '../../components/ChoiceSelect.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { UserForm } from './UserForm.tsx';
import { emptyUser } from './userForm.ts';

const STATES: Choice<UserState>[] = [
  { value: 'ACTIVE', label: 'ACTIVE' },
  { value: 'STAGED', label: 'STAGED (not yet active)' },
  { value: 'SUSPENDED', label: 'SUSPENDED' },
];

export function NewUserPage() {
  const [value, setValue] = useState(emptyUser);
  const [state, setState] = useState<UserState>('ACTIVE');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () => data(client.POST('/api/v1/users', { body: { ...value, state } })),
    onSuccess: (user) => {
      void queryClient.invalidateQueries({ queryKey: userKeys.all });
      queryClient.setQueryData(userKeys.detail(user.id), user);
      void navigate(`/users/${user.id}`, { replace: true });
    },
  });
  return (
    <>
      <PageHeader
        title="New user"
        crumbs={[{ label: 'Users', to: '/users' }]}
        description="The password status starts PENDING until the user sets a password."
      />
      <UserForm
        value={value}
        onChange={setValue}
        onSubmit={() => create.mutate()}
        submitLabel="Create user"
        busy={create.isPending}
        error={create.error}
        dirty={Boolean(value.username && value.email)}
        extra={<ChoiceSelect label="State" value={state} onChoose={setState} data={STATES} />}
      />
    </>
  );
}
