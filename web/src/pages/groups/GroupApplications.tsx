import { Anchor, List, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { client, data } from '../../api/client.ts';
import { groupKeys } from '../../api/keys.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { Loading } from '../../components/Loading.tsx';

export function GroupApplications({ groupId }: { groupId: string }) {
  const query = useQuery({
    queryKey: groupKeys.applications(groupId),
    queryFn: () => data(client.GET('/api/v1/groups/{id}/applications', { params: { path: { id: groupId }, query: { limit: 500 } } })),
  });
  if (query.isPending) return <Loading />;
  if (query.error) return <ErrorAlert error={query.error} title="Could not load the applications" />;
  if (query.data.items.length === 0) return <Text size="sm">This group is not bound to any application.</Text>;
  return (
    <List>
      {query.data.items.map((a) => (
        <List.Item key={a.id}>
          <Anchor component={Link} to={`/applications/${a.id}?tab=groups`}>
            {a.name}
          </Anchor>
        </List.Item>
      ))}
    </List>
  );
}
