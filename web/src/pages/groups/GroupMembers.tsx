import { Anchor, Group as Row, Table } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { client, data } from '../../api/client.ts';
import { groupKeys } from '../../api/keys.ts';
import { useCanWrite } from '../../api/session.ts';
import type { Member, Page, User } from '../../api/types.ts';
import { UserStateBadge } from '../../components/Badges.tsx';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { EmptyRow } from '../../components/EmptyRow.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Pager } from '../../components/Pager.tsx';
import { SearchPicker } from '../../components/SearchPicker.tsx';
import { fullName } from '../../lib/format.ts';
import { useKeysetPager } from '../../lib/keyset.ts';

const PAGE = 50;

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
    queryClient.invalidateQueries({ queryKey: groupKeys.detail(groupId) });
    queryClient.invalidateQueries({ queryKey: groupKeys.lists() });
  };
  const add = useMutation({
    mutationFn: (user: User) =>
      data(client.PUT('/api/v1/groups/{id}/members/{userId}', { params: { path: { id: groupId, userId: user.id } } })),
    onSuccess: changed,
  });
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
      <ErrorAlert error={members.error} title="Could not load the members" />
      {members.isPending ? (
        <Loading />
      ) : (
        <>
          <Table.ScrollContainer minWidth={600}>
            <Table striped aria-label="Members">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Username</Table.Th>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>State</Table.Th>
                  {canWrite && (
                    <Table.Th>
                      <span className="visually-hidden">Actions</span>
                    </Table.Th>
                  )}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.length === 0 && (
                  <EmptyRow colSpan={5} title="No members" hint={canWrite ? 'Search for users above to add them.' : undefined} />
                )}
                {items.map((m) => (
                  <Table.Tr key={m.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/users/${m.id}`}>
                        {m.username}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{fullName(m)}</Table.Td>
                    <Table.Td>{m.email}</Table.Td>
                    <Table.Td>
                      <UserStateBadge state={m.state} />
                    </Table.Td>
                    {canWrite && (
                      <Table.Td>
                        <ConfirmAction
                          label="Remove"
                          buttonProps={{ size: 'xs', variant: 'subtle', 'aria-label': `Remove ${m.username} from the group` }}
                          title={`Remove ${m.username} from the group?`}
                          message={`${m.username} stays in the directory. Applications bound to this group stop managing ${m.username} unless another bound group includes the user.`}
                          confirmLabel="Remove member"
                          onConfirm={async () => {
                            await data(
                              client.DELETE('/api/v1/groups/{id}/members/{userId}', { params: { path: { id: groupId, userId: m.id } } }),
                            );
                            changed();
                          }}
                        />
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager
            pager={pager}
            nextCursor={members.data?.nextCursor}
            shown={items.length}
            pageSize={PAGE}
            total={members.data?.total}
            label="members"
          />
        </>
      )}
    </>
  );
}
