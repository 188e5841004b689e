import type { Group } from '../../api/types.ts';
import { NamedList } from '../../components/NamedList.tsx';
import { formatNumber } from '../../lib/format.ts';

export function GroupsPage() {
  return (
    <NamedList<Group>
      title="Groups"
      noun="group"
      path="/api/v1/groups"
      route="groups"
      columns={[{ header: 'Members', cell: (g) => formatNumber(g.memberCount) }]}
      emptyHint="Create a group, add users to it, and bind it to applications to provision its members."
    />
  );
}
