import { Anchor, Button, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { client, data } from '../../api/client.ts';
import { groupKeys } from '../../api/keys.ts';
import type { Group } from '../../api/types.ts';
import { useCanWrite } from '../../api/session.ts';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { Loading } from '../../components/Loading.tsx';
import { NameDescriptionModal } from '../../components/NameDescriptionModal.tsx';
import { useDeleteNamed, useSaveNamed } from '../../components/NamedList.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { plural } from '../../lib/format.ts';
import { GroupApplications } from './GroupApplications.tsx';
import { GroupMembers } from './GroupMembers.tsx';

export function GroupPage() {
  const { id = '' } = useParams();
  const canWrite = useCanWrite();
  const [editing, edit] = useDisclosure(false);
  const query = useQuery({
    queryKey: groupKeys.detail(id),
    queryFn: () => data(client.GET('/api/v1/groups/{id}', { params: { path: { id } } })),
  });
  const update = useSaveNamed(
    groupKeys,
    id,
    (body) => data(client.PATCH('/api/v1/groups/{id}', { params: { path: { id } }, body })),
    edit.close,
  );
  if (query.isPending) return <Loading label="Loading the group…" />;
  if (query.error) return <ErrorAlert error={query.error} title="Could not load the group" />;
  const group = query.data;

  return (
    <>
      <PageHeader
        title={group.name}
        crumbs={[{ label: 'Groups', to: '/groups' }]}
        description={group.description || `${plural(group.memberCount, 'member')}`}
        actions={
          canWrite && (
            <>
              <Button
                variant="default"
                onClick={() => {
                  update.reset();
                  edit.open();
                }}
              >
                Edit
              </Button>
              <DeleteGroup group={group} />
            </>
          )
        }
      />
      <Stack gap="xl">
        <section aria-labelledby="members-title">
          <Title order={2} size="h4" id="members-title" mb="xs">
            Members
          </Title>
          <GroupMembers groupId={id} />
        </section>
        <section aria-labelledby="apps-title">
          <Title order={2} size="h4" id="apps-title" mb="xs">
            Bound applications
          </Title>
          <Text size="sm" c="dimmed" mb="xs">
            Members of this group are managed in these applications. Bind groups on an application’s User Groups tab.
          </Text>
          <GroupApplications groupId={id} />
        </section>
        <Anchor component={Link} to={`/insights?resourceId=${id}`} size="sm">
          History in Directory Insights
        </Anchor>
      </Stack>
      <NameDescriptionModal
        opened={editing}
        onClose={edit.close}
        title="Edit group"
        submitLabel="Save"
        initial={{ name: group.name, description: group.description }}
        onSubmit={(v) => update.mutate(v)}
        busy={update.isPending}
        error={update.error}
      />
    </>
  );
}

function DeleteGroup({ group }: { group: Group }) {
  const remove = useDeleteNamed('groups', groupKeys, () =>
    data(client.DELETE('/api/v1/groups/{id}', { params: { path: { id: group.id } } })),
  );
  return (
    <ConfirmAction
      label="Delete"
      title={`Delete the group ${group.name}?`}
      message={
        `The group, its ${plural(group.memberCount, 'membership')} and its application bindings are removed; the ` +
        `users stay in the directory. Applications that provision this group stop managing its members through it.`
      }
      confirmLabel="Delete group"
      onConfirm={remove}
    />
  );
}
