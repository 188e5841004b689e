import { client, data } from '../../api/client.ts';
import { groupKeys } from '../../api/keys.ts';
import { useCanWrite } from '../../api/session.ts';
import type { Member } from '../../api/types.ts';
import { UserStateBadge } from '../../components/Badges.tsx';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { LinkedList } from '../../components/LinkedList.tsx';
import { linkColumn, type ListColumn } from '../../components/ListTable.tsx';
import { fullName } from '../../lib/format.ts';

const MEMBER_COLUMNS: ListColumn<Member>[] = [
  linkColumn(
    'Username',
    (m) => `/users/${m.id}`,
    (m) => m.username,
  ),
  { header: 'Name', cell: (m) => fullName(m) },
  { header: 'Email', cell: (m) => m.email },
  { header: 'State', cell: (m) => <UserStateBadge state={m.state} /> },
];

function RemoveMember({ member: m, onRemove }: { member: Member; onRemove: (m: Member) => Promise<void> }) {
  return (
    <ConfirmAction
      label="Remove"
      buttonProps={{ size: 'xs', variant: 'subtle', 'aria-label': `Remove ${m.username} from the group` }}
      title={`Remove ${m.username} from the group?`}
      message={
        `${m.username} stays in the directory. Applications bound to this group ` +
        `stop managing ${m.username} unless another bound group includes the user.`
      }
      confirmLabel="Remove member"
      onConfirm={() => onRemove(m)}
    />
  );
}

export function GroupMembers({ groupId }: { groupId: string }) {
  const canWrite = useCanWrite();
  const path = { id: groupId };
  return (
    <LinkedList
      ownerId={groupId}
      queryKey={(cursor) => groupKeys.members(groupId, cursor)}
      list={(query, signal) => data(client.GET('/api/v1/groups/{id}/members', { params: { path, query }, signal }))}
      link={(u) => data(client.PUT('/api/v1/groups/{id}/members/{userId}', { params: { path: { ...path, userId: u.id } } }))}
      unlink={(m) => data(client.DELETE('/api/v1/groups/{id}/members/{userId}', { params: { path: { ...path, userId: m.id } } }))}
      changes={[groupKeys.detail(groupId), groupKeys.lists()]}
      picker={{
        label: 'Add a member',
        placeholder: 'Search users by name or email',
        resource: 'users',
        optionLabel: (u) => `${u.username} — ${u.email}`,
      }}
      linkErrorTitle="Could not add the member"
      columns={MEMBER_COLUMNS}
      unlinkButton={(m, remove) => <RemoveMember member={m} onRemove={remove} />}
      table={{
        errorTitle: 'Could not load the members',
        pagerLabel: 'members',
        label: 'Members',
        minWidth: 600,
        empty: { title: 'No members', hint: canWrite ? 'Search for users above to add them.' : undefined },
      }}
    />
  );
}
