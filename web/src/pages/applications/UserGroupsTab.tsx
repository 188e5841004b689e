import { Anchor, Group as Row, Text } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { client, data } from '../../api/client.ts';
import { applicationKeys, groupKeys } from '../../api/keys.ts';
import { useCanWrite } from '../../api/session.ts';
import type { Application, Group } from '../../api/types.ts';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { ACTIONS_HEADER, type ListColumn } from '../../components/ListTable.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { QueryTable } from '../../components/QueryList.tsx';
import { SearchPicker } from '../../components/SearchPicker.tsx';
import { formatNumber } from '../../lib/format.ts';
import { useKeysetPager } from '../../lib/keyset.ts';

const PAGE = 50;

const GROUP_COLUMNS: ListColumn<Group>[] = [
  {
    header: 'Group',
    cell: (g) => (
      <Anchor component={Link} to={`/groups/${g.id}`}>
        {g.name}
      </Anchor>
    ),
  },
  { header: 'Members', cell: (g) => formatNumber(g.memberCount) },
];

function Unbind({ app, group: g, onUnbind }: { app: Application; group: Group; onUnbind: (g: Group) => Promise<void> }) {
  return (
    <ConfirmAction
      label="Unbind"
      buttonProps={{ size: 'xs', variant: 'subtle', 'aria-label': `Unbind ${g.name}` }}
      title={`Unbind ${g.name} from ${app.name}?`}
      message={
        `Members of ${g.name} are no longer managed in ${app.name} through this group; with ` +
        `Identity Management active, Roster deprovisions those not covered by another bound group.`
      }
      confirmLabel="Unbind group"
      onConfirm={() => onUnbind(g)}
    />
  );
}

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
    void queryClient.invalidateQueries({ queryKey: applicationKeys.detail(app.id) });
    void queryClient.invalidateQueries({ queryKey: applicationKeys.lists() });
    void queryClient.invalidateQueries({ queryKey: groupKeys.all });
  };
  const bind = useMutation({
    mutationFn: (g: Group) =>
      data(client.PUT('/api/v1/applications/{id}/groups/{groupId}', { params: { path: { id: app.id, groupId: g.id } } })),
    onSuccess: changed,
  });
  const unbind = async (g: Group) => {
    await data(client.DELETE('/api/v1/applications/{id}/groups/{groupId}', { params: { path: { id: app.id, groupId: g.id } } }));
    changed();
  };
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
      <QueryTable
        query={groups}
        errorTitle="Could not load the groups"
        paging={{ pager, pageSize: PAGE, label: 'groups' }}
        label="Bound user groups"
        minWidth={480}
        columns={
          canWrite
            ? [...GROUP_COLUMNS, { header: ACTIONS_HEADER, cell: (g) => <Unbind app={app} group={g} onUnbind={unbind} /> }]
            : GROUP_COLUMNS
        }
        empty={{ title: 'No user groups bound', hint: 'Bind a group to manage its members in this application.' }}
      />
    </>
  );
}
