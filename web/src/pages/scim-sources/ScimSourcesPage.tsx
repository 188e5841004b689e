// The SCIM sources: the identity providers and HR systems that provision users and groups into Roster.
import { Button, Group, Switch, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { client, data } from '../../api/client.ts';
import { scimSourceKeys } from '../../api/keys.ts';
import { useCanWrite } from '../../api/session.ts';
import { linkColumn, type ListColumn } from '../../components/ListTable.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryTable } from '../../components/QueryList.tsx';
import { formatDateTime, formatNumber } from '../../lib/format.ts';
import { useUrlState } from '../../lib/url-state.ts';
import { NewSourceModal } from './NewSourceModal.tsx';
import { SourceStateBadge } from './SourceStateBadge.tsx';
import { tokenHint } from './settingsForm.ts';
import type { ScimSource } from './types.ts';

// The name and the token hint keep to one line; the base URL and the dates wrap.
const oneLine = (text: string) => <span style={{ whiteSpace: 'nowrap' }}>{text}</span>;

const COLUMNS: ListColumn<ScimSource>[] = [
  linkColumn(
    'Name',
    (s) => `/scim-sources/${s.id}`,
    (s) => oneLine(s.name),
    500,
  ),
  { header: 'State', cell: (s) => <SourceStateBadge source={s} /> },
  {
    header: 'Base URL',
    cell: (s) => (
      <Text size="sm" className="mono" style={{ overflowWrap: 'anywhere' }}>
        {s.baseUrl}
      </Text>
    ),
  },
  { header: 'Token', cell: (s) => <span className="mono">{oneLine(tokenHint(s.tokenHint))}</span> },
  { header: 'Created', cell: (s) => formatDateTime(s.createdAt) },
  { header: 'Last request', cell: (s) => (s.lastRequestAt ? formatDateTime(s.lastRequestAt) : 'never') },
  { header: 'Users created', cell: (s) => formatNumber(s.counts.users) },
  { header: 'Groups created', cell: (s) => formatNumber(s.counts.groups) },
];

export function ScimSourcesPage() {
  const canWrite = useCanWrite();
  const [opened, { open, close }] = useDisclosure(false);
  const [s, set] = useUrlState({ deleted: '' });
  const includeDeleted = s.deleted === '1';
  const sources = useQuery({
    queryKey: scimSourceKeys.list(includeDeleted),
    queryFn: () => data(client.GET('/api/v1/scim-sources', { params: { query: includeDeleted ? { includeDeleted: 'true' } : {} } })),
  });
  return (
    <>
      <PageHeader
        title="SCIM sources"
        description={
          'Identity providers and HR systems (Entra ID, Okta, an HRIS) that create, change and remove users and groups in ' +
          'Roster over SCIM 2.0.'
        }
        actions={canWrite && <Button onClick={open}>New SCIM source</Button>}
      />
      <Group mb="sm">
        <Switch
          label="Show deleted sources"
          checked={includeDeleted}
          onChange={(e) => set({ deleted: e.currentTarget.checked ? '1' : '' })}
        />
      </Group>
      <QueryTable
        query={sources}
        errorTitle="Could not load the SCIM sources"
        label="SCIM sources"
        minWidth={1000}
        columns={COLUMNS}
        empty={{
          title: 'No SCIM sources',
          hint: 'Create one to get a base URL and a token for your identity provider.',
        }}
      />
      <NewSourceModal opened={opened} onClose={close} />
    </>
  );
}
