import { Text } from '@mantine/core';
import { client, data } from '../../api/client.ts';
import { applicationKeys, groupKeys } from '../../api/keys.ts';
import type { Application, Group } from '../../api/types.ts';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { LinkedList } from '../../components/LinkedList.tsx';
import { linkColumn, type ListColumn } from '../../components/ListTable.tsx';
import { formatNumber } from '../../lib/format.ts';

const GROUP_COLUMNS: ListColumn<Group>[] = [
  linkColumn(
    'Group',
    (g) => `/groups/${g.id}`,
    (g) => g.name,
  ),
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
  const path = { id: app.id };
  return (
    <>
      <Text size="sm" c="dimmed" mb="sm">
        Members of these user groups are managed in {app.name}: while Identity Management is active, Roster provisions them.
      </Text>
      <LinkedList
        ownerId={app.id}
        queryKey={(cursor) => applicationKeys.groups(app.id, cursor)}
        list={(query, signal) => data(client.GET('/api/v1/applications/{id}/groups', { params: { path, query }, signal }))}
        link={(g) => data(client.PUT('/api/v1/applications/{id}/groups/{groupId}', { params: { path: { ...path, groupId: g.id } } }))}
        unlink={(g) => data(client.DELETE('/api/v1/applications/{id}/groups/{groupId}', { params: { path: { ...path, groupId: g.id } } }))}
        changes={[applicationKeys.detail(app.id), applicationKeys.lists(), groupKeys.all]}
        picker={{
          label: 'Bind a user group',
          placeholder: 'Search groups by name',
          resource: 'groups',
          optionLabel: (g) => `${g.name} (${formatNumber(g.memberCount)} members)`,
        }}
        linkErrorTitle="Could not bind the group"
        columns={GROUP_COLUMNS}
        unlinkButton={(g, unbind) => <Unbind app={app} group={g} onUnbind={unbind} />}
        table={{
          errorTitle: 'Could not load the groups',
          pagerLabel: 'groups',
          label: 'Bound user groups',
          minWidth: 480,
          empty: { title: 'No user groups bound', hint: 'Bind a group to manage its members in this application.' },
        }}
      />
    </>
  );
}
