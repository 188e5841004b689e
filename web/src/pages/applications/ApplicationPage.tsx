// One application: General, Identity Management and User Groups tabs (the tab is in the URL).
import { Tabs } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useParams, useSearchParams } from 'react-router';
import { client, data } from '../../api/client.ts';
import { applicationKeys } from '../../api/keys.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { GeneralTab } from './GeneralTab.tsx';
import { IdmTab } from './IdmTab.tsx';
import { UserGroupsTab } from './UserGroupsTab.tsx';

const TABS = ['general', 'idm', 'groups'] as const;
type Tab = (typeof TABS)[number];

export function ApplicationPage() {
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'general';
  const query = useQuery({
    queryKey: applicationKeys.detail(id),
    queryFn: () => data(client.GET('/api/v1/applications/{id}', { params: { path: { id } } })),
  });
  if (query.isPending) return <Loading label="Loading the application…" />;
  if (query.error) return <ErrorAlert error={query.error} title="Could not load the application" />;
  const app = query.data;
  return (
    <>
      <PageHeader title={app.name} crumbs={[{ label: 'Applications', to: '/applications' }]} description={app.description || undefined} />
      <Tabs value={tab} onChange={(t) => setParams(t && t !== 'general' ? { tab: t } : {}, { replace: true })} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="general">General</Tabs.Tab>
          <Tabs.Tab value="idm">Identity Management</Tabs.Tab>
          <Tabs.Tab value="groups">User Groups</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="general">
          <GeneralTab app={app} />
        </Tabs.Panel>
        <Tabs.Panel value="idm">
          <IdmTab app={app} />
        </Tabs.Panel>
        <Tabs.Panel value="groups">
          <UserGroupsTab app={app} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
