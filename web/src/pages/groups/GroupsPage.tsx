import { client, data } from '../../api/client.ts';
import { groupKeys } from '../../api/keys.ts';
import type { Group } from '../../api/types.ts';
import { NamedList, type NamedResource } from '../../components/NamedList.tsx';
import { formatNumber } from '../../lib/format.ts';

const groups: NamedResource<Group> = {
  route: 'groups',
  keys: groupKeys,
  list: (query, signal) => data(client.GET('/api/v1/groups', { params: { query }, signal })),
  create: (body) => data(client.POST('/api/v1/groups', { body })),
};

export function GroupsPage() {
  return (
    <NamedList<Group>
      title="Groups"
      noun="group"
      resource={groups}
      columns={[{ header: 'Members', cell: (g) => formatNumber(g.memberCount) }]}
      emptyHint="Create a group, add users to it, and bind it to applications to provision its members."
    />
  );
}
