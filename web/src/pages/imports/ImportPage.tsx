// Import from an application: its users (new, exists, conflict, invalid), its groups, and the import's
// settings (match rules, schedule). The users tab stays mounted so its selection survives a look at
// the others.
import { Tabs } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { client, data } from '../../api/client.ts';
import { applicationKeys } from '../../api/keys.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useUrlState } from '../../lib/url-state.ts';
import { GroupsTab } from './GroupsTab.tsx';
import { SettingsTab } from './SettingsTab.tsx';
import { UsersTab } from './UsersTab.tsx';

const TAB = { tab: 'users' };

export function ImportPage() {
  const { id = '' } = useParams();
  const app = useQuery({
    queryKey: applicationKeys.detail(id),
    queryFn: () => data(client.GET('/api/v1/applications/{id}', { params: { path: { id } } })),
  });
  const [{ tab }, setTab] = useUrlState(TAB);
  const appName = app.data?.name ?? 'the application';
  return (
    <>
      <PageHeader
        title={`Import users from ${appName}`}
        crumbs={[
          { label: 'Applications', to: '/applications' },
          { label: appName, to: `/applications/${id}?tab=idm` },
        ]}
        description={
          'Imported users are created ACTIVE with password status PENDING. Users Roster already has are linked ' +
          "to their account in the application and, when you choose, take the application's values of chosen fields."
        }
      />
      <Tabs value={tab} onChange={(t) => setTab({ tab: t ?? 'users' })} mb="md">
        <Tabs.List>
          <Tabs.Tab value="users">Users</Tabs.Tab>
          <Tabs.Tab value="groups">Groups</Tabs.Tab>
          <Tabs.Tab value="settings">Matching and schedule</Tabs.Tab>
        </Tabs.List>
      </Tabs>
      <div hidden={tab !== 'users'}>
        <UsersTab id={id} appName={appName} />
      </div>
      {tab === 'groups' && <GroupsTab id={id} appName={appName} />}
      {tab === 'settings' && <SettingsTab id={id} />}
    </>
  );
}
