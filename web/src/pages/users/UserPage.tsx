import { Anchor, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { client, data } from '../../api/client.ts';
import { applicationKeys, userKeys } from '../../api/keys.ts';
import { useCanWrite } from '../../api/session.ts';
import type { User, UserAttributes } from '../../api/types.ts';
import { PasswordBadge, UserStateBadge } from '../../components/Badges.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { LabelledText } from '../../components/LabelledText.tsx';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { UserActions } from './UserActions.tsx';
import { UserForm } from './UserForm.tsx';
import { attributesOf, changedFields } from './userForm.ts';

export function UserPage() {
  const { id = '' } = useParams();
  const query = useQuery({
    queryKey: userKeys.detail(id),
    queryFn: () => data(client.GET('/api/v1/users/{id}', { params: { path: { id } } })),
  });
  if (query.isPending) return <Loading label="Loading the user…" />;
  if (query.error) return <ErrorAlert error={query.error} title="Could not load the user" />;
  return <UserDetail user={query.data} />;
}

function UserDetail({ user }: { user: User }) {
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const original = useMemo(() => attributesOf(user), [user]);
  const [value, setValue] = useState<UserAttributes>(original);
  useEffect(() => setValue(original), [original]);
  const changes = changedFields(original, value);
  const save = useMutation({
    mutationFn: () => data(client.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: changes })),
    onSuccess: (u) => {
      queryClient.setQueryData(userKeys.detail(u.id), u);
      void queryClient.invalidateQueries({ queryKey: userKeys.lists() });
    },
  });

  return (
    <>
      <PageHeader
        title={user.username}
        crumbs={[{ label: 'Users', to: '/users' }]}
        description={
          <Group gap="xs" component="span">
            <UserStateBadge state={user.state} />
            <PasswordBadge status={user.passwordStatus} />
            <span>{user.email}</span>
          </Group>
        }
      />
      <Stack>
        {canWrite && <UserActions user={user} />}
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="xs">
          <LabelledText label="Created">{formatDateTime(user.createdAt)}</LabelledText>
          <LabelledText label="Updated">{formatDateTime(user.updatedAt)}</LabelledText>
          <Anchor component={Link} to={`/insights?resourceId=${user.id}`} size="sm">
            History in Directory Insights
          </Anchor>
        </SimpleGrid>
        {user.source?.type === 'import' && <ImportedFrom source={user.source} />}
        {user.source?.type === 'scim' && (
          <Text size="sm">
            Provisioned by the{' '}
            <Anchor component={Link} to={`/scim-sources/${user.source.sourceId}`}>
              SCIM source
            </Anchor>
            .
          </Text>
        )}
        <UserForm
          value={value}
          onChange={setValue}
          onSubmit={() => save.mutate()}
          onReset={() => setValue(original)}
          submitLabel="Save changes"
          busy={save.isPending}
          error={save.error}
          dirty={Object.keys(changes).length > 0}
          readOnly={!canWrite}
        />
      </Stack>
    </>
  );
}

function ImportedFrom({ source }: { source: Extract<NonNullable<User['source']>, { type: 'import' }> }) {
  const app = useQuery({
    queryKey: applicationKeys.detail(source.applicationId),
    queryFn: () => data(client.GET('/api/v1/applications/{id}', { params: { path: { id: source.applicationId } } })),
    retry: false,
  });
  return (
    <Text size="sm">
      Imported from{' '}
      <Anchor component={Link} to={`/applications/${source.applicationId}`}>
        {app.data?.name ?? 'an application'}
      </Anchor>{' '}
      in{' '}
      <Anchor component={Link} to={`/import-runs/${source.importRunId}`}>
        this import run
      </Anchor>
      .
    </Text>
  );
}
