import { Anchor, Group as Row } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { client, data } from '../../api/client.ts';
import { groupKeys } from '../../api/keys.ts';
import { useCanWrite } from '../../api/session.ts';
import type { Member, User } from '../../api/types.ts';
import { UserStateBadge } from '../../components/Badges.tsx';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { ACTIONS_HEADER, type ListColumn } from '../../components/ListTable.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { QueryTable } from '../../components/QueryList.tsx';
import { SearchPicker } from '../../components/SearchPicker.tsx';
import { fullName } from '../../lib/format.ts';
import { useKeysetPager } from '../../lib/keyset.ts';

const PAGE = 50;

const MEMBER_COLUMNS: ListColumn<Member>[] = [
  {
    header: 'Username',
    cell: (m) => (
      <Anchor component={Link} to={`/users/${m.id}`}>
        {m.username}
      </Anchor>
    ),
  },
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
  const queryClient = useQueryClient();
  const pager = useKeysetPager(groupId);
  const members = useQuery({
    queryKey: groupKeys.members(groupId, pager.cursor),
    queryFn: ({ signal }) =>
      data(
        client.GET('/api/v1/groups/{id}/members', {
          params: { path: { id: groupId }, query: { limit: PAGE, cursor: pager.cursor } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const changed = () => {
    void queryClient.invalidateQueries({ queryKey: groupKeys.detail(groupId) });
    void queryClient.invalidateQueries({ queryKey: groupKeys.lists() });
  };
  const add = useMutation({
    mutationFn: (user: User) =>
      data(client.PUT('/api/v1/groups/{id}/members/{userId}', { params: { path: { id: groupId, userId: user.id } } })),
    onSuccess: changed,
  });
  const remove = async (m: Member) => {
    await data(client.DELETE('/api/v1/groups/{id}/members/{userId}', { params: { path: { id: groupId, userId: m.id } } }));
    changed();
  };
  const items = members.data?.items ?? [];

  return (
    <>
      {canWrite && (
        <Row mb="sm" align="flex-end">
          <SearchPicker
            label="Add a member"
            placeholder="Search users by name or email"
            resource="users"
            optionLabel={(u) => `${u.username} — ${u.email}`}
            onPick={(u) => add.mutate(u)}
            exclude={new Set(items.map((m) => m.id))}
            disabled={add.isPending}
          />
        </Row>
      )}
      <ErrorAlert error={add.error} title="Could not add the member" />
      <QueryTable
        query={members}
        errorTitle="Could not load the members"
        paging={{ pager, pageSize: PAGE, label: 'members' }}
        label="Members"
        minWidth={600}
        columns={
          canWrite
            ? [...MEMBER_COLUMNS, { header: ACTIONS_HEADER, cell: (m) => <RemoveMember member={m} onRemove={remove} /> }]
            : MEMBER_COLUMNS
        }
        empty={{ title: 'No members', hint: canWrite ? 'Search for users above to add them.' : undefined }}
      />
    </>
  );
}
