// One SCIM source: its activity (figures and request log) and its settings and token (the tab is in the
// URL). A paused delete guardrail shows above both, since the admins' email links here to confirm it.
import { Alert, Group, Tabs, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useParams, useSearchParams } from 'react-router';
import { client, data } from '../../api/client.ts';
import { scimSourceKeys } from '../../api/keys.ts';
import { useCanWrite } from '../../api/session.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { ActivityTab } from './ActivityTab.tsx';
import { GuardrailAlert } from './GuardrailAlert.tsx';
import { REFRESH_MS } from './refresh.ts';
import { SettingsTab } from './SettingsTab.tsx';
import { SourceStateBadge } from './SourceStateBadge.tsx';
import { tokenHint } from './settingsForm.ts';

const TABS = ['activity', 'settings'] as const;
type Tab = (typeof TABS)[number];

export function ScimSourcePage() {
  const { id = '' } = useParams();
  const canWrite = useCanWrite();
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'activity';
  const query = useQuery({
    queryKey: scimSourceKeys.detail(id),
    queryFn: () => data(client.GET('/api/v1/scim-sources/{id}', { params: { path: { id } } })),
    refetchInterval: (q) => (q.state.data && !q.state.data.deletedAt ? REFRESH_MS : false),
  });
  if (query.isPending) return <Loading label="Loading the SCIM source…" />;
  if (query.error) return <ErrorAlert error={query.error} title="Could not load the SCIM source" />;
  const source = query.data;
  const live = !source.deletedAt;
  return (
    <>
      <PageHeader
        title={
          <Group gap="sm" component="span">
            {source.name}
            <SourceStateBadge source={source} />
          </Group>
        }
        crumbs={[{ label: 'SCIM sources', to: '/scim-sources' }]}
        description={
          <>
            Base URL <span className="mono">{source.baseUrl}</span> · token <span className="mono">{tokenHint(source.tokenHint)}</span> ·
            last request {source.lastRequestAt ? formatDateTime(source.lastRequestAt) : 'never'}
          </>
        }
      />
      {!live && (
        <Alert color="gray" title="This source was deleted" mb="md">
          <Text size="sm">
            Deleted {formatDateTime(source.deletedAt)}. Its token is refused; the users and groups it created stay in the directory.
          </Text>
        </Alert>
      )}
      {live && source.guardrail.pausedAt && <GuardrailAlert source={source} canWrite={canWrite} />}
      <Tabs value={tab} onChange={(t) => setParams(t && t !== 'activity' ? { tab: t } : {}, { replace: true })} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="activity">Activity</Tabs.Tab>
          <Tabs.Tab value="settings">Settings and token</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="activity">
          <ActivityTab source={source} />
        </Tabs.Panel>
        <Tabs.Panel value="settings">
          <SettingsTab source={source} canWrite={canWrite && live} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
