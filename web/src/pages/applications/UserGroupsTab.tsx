import { Anchor, Group as Row, Table, Text } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { client, data } from '../../api/client.ts';
import { applicationKeys, groupKeys } from '../../api/keys.ts';
import { useCanWrite } from '../../api/session.ts';
import type { Application, Group, Page } from '../../api/types.ts';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { EmptyRow } from '../../components/EmptyRow.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Pager } from '../../components/Pager.tsx';
import { SearchPicker } from '../../components/SearchPicker.tsx';
import { formatNumber } from '../../lib/format.ts';
import { useKeysetPager } from '../../lib/keyset.ts';

const PAGE = 50;

export function UserGroupsTab({ app }: { app: Application }) {
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const pager = useKeysetPager(app.id);
  const groups = useQuery({
    queryKey: applicationKeys.groups(app.id, pager.cursor),
    queryFn: ({ signal }) =>
      data(
        client.GET('/api/v1/applications/{id}/groups', {
          params: { path: { id: app.id }, query: { limit: PAGE, cursor: pager.cursor } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const changed = () => {
    queryClient.invalidateQueries({ queryKey: applicationKeys.detail(app.id) });
    queryClient.invalidateQueries({ queryKey: applicationKeys.lists() });
    queryClient.invalidateQueries({ queryKey: groupKeys.all });
  };
  const bind = useMutation({
    mutationFn: (g: Group) =>
      data(client.PUT('/api/v1/applications/{id}/groups/{groupId}', { params: { path: { id: app.id, groupId: g.id } } })),
    onSuccess: changed,
  });
  const items = groups.data?.items ?? [];
  return (
    <>
      <Text size="sm" c="dimmed" mb="sm">
        Members of these user groups are managed in {app.name}: while Identity Management is active, Roster provisions them.
      </Text>
      {canWrite && (
        <Row mb="sm">
          <SearchPicker
            label="Bind a user group"
            placeholder="Search groups by name"
            resource="groups"
            optionLabel={(g) => `${g.name} (${formatNumber(g.memberCount)} members)`}
            onPick={(g) => bind.mutate(g)}
            exclude={new Set(items.map((g) => g.id))}
            disabled={bind.isPending}
          />
        </Row>
      )}
      <ErrorAlert error={bind.error} title="Could not bind the group" />
      <ErrorAlert error={groups.error} title="Could not load the groups" />
      {groups.isPending ? (
        <Loading />
      ) : (
        <>
          <Table.ScrollContainer minWidth={480}>
            <Table striped aria-label="Bound user groups">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Group</Table.Th>
                  <Table.Th>Members</Table.Th>
                  {canWrite && (
                    <Table.Th>
                      <span className="visually-hidden">Actions</span>
                    </Table.Th>
                  )}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.length === 0 && (
                  <EmptyRow colSpan={3} title="No user groups bound" hint="Bind a group to manage its members in this application." />
                )}
                {items.map((g) => (
                  <Table.Tr key={g.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/groups/${g.id}`}>
                        {g.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{formatNumber(g.memberCount)}</Table.Td>
                    {canWrite && (
                      <Table.Td>
                        <ConfirmAction
                          label="Unbind"
                          buttonProps={{ size: 'xs', variant: 'subtle', 'aria-label': `Unbind ${g.name}` }}
                          title={`Unbind ${g.name} from ${app.name}?`}
                          message={`Members of ${g.name} are no longer managed in ${app.name} through this group; with Identity Management active, Roster deprovisions those not covered by another bound group.`}
                          confirmLabel="Unbind group"
                          onConfirm={async () => {
                            await data(
                              client.DELETE('/api/v1/applications/{id}/groups/{groupId}', {
                                params: { path: { id: app.id, groupId: g.id } },
                              }),
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
            nextCursor={groups.data?.nextCursor}
            shown={items.length}
            pageSize={PAGE}
            total={groups.data?.total}
            label="groups"
          />
        </>
      )}
    </>
  );
}
