// What a source did: requests and errors of the last hour and day, what it created, where its delete
// guardrail stands, and its last requests page by page.
import { Badge, Code, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { client, data } from '../../api/client.ts';
import { scimSourceKeys } from '../../api/keys.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { type ListColumn, ListTable } from '../../components/ListTable.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Pager } from '../../components/Pager.tsx';
import { formatDateTime, formatNumber, plural } from '../../lib/format.ts';
import { useKeysetPager } from '../../lib/keyset.ts';
import { REFRESH_MS } from './refresh.ts';
import type { ScimSource, SourceRequest, SourceStats, StatusCounts } from './types.ts';

const CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;
const classColor = (status: number) => (status >= 500 ? 'red' : status >= 400 ? 'orange' : status >= 300 ? 'gray' : 'green');

export function ActivityTab({ source }: { source: ScimSource }) {
  return (
    <Stack gap="lg">
      <Figures source={source} />
      <Requests source={source} />
    </Stack>
  );
}

function Figures({ source }: { source: ScimSource }) {
  const stats = useQuery({
    queryKey: scimSourceKeys.stats(source.id),
    queryFn: () => data(client.GET('/api/v1/scim-sources/{id}/stats', { params: { path: { id: source.id } } })),
    refetchInterval: source.deletedAt ? false : REFRESH_MS,
  });
  if (stats.isPending) return <Loading label="Loading the figures…" />;
  if (stats.error) return <ErrorAlert error={stats.error} title="Could not load the figures" />;
  const s = stats.data;
  return (
    <Stack gap="sm">
      <Table.ScrollContainer minWidth={560}>
        <Table withTableBorder captionSide="top">
          <Table.Caption ta="left">Requests by status</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Period</Table.Th>
              <Table.Th>Requests</Table.Th>
              <Table.Th>Errors</Table.Th>
              {CLASSES.map((c) => (
                <Table.Th key={c}>{c}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            <CountsRow label="Last hour" counts={s.requests.lastHour} />
            <CountsRow label="Last 24 hours" counts={s.requests.last24Hours} />
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
        <Text size="sm" aria-label="Created by this source">
          <Text span c="dimmed">
            Created{' '}
          </Text>
          {plural(s.created.users, 'user')}, {plural(s.created.groups, 'group')}
        </Text>
        <Guardrail stats={s} />
      </SimpleGrid>
    </Stack>
  );
}

function CountsRow({ label, counts }: { label: string; counts: StatusCounts }) {
  return (
    <Table.Tr>
      <Table.Th scope="row" fw={500}>
        {label}
      </Table.Th>
      <Table.Td>{formatNumber(counts.total)}</Table.Td>
      <Table.Td c={counts.errors ? 'red' : undefined}>{formatNumber(counts.errors)}</Table.Td>
      {CLASSES.map((c) => (
        <Table.Td key={c}>{formatNumber(counts.byStatusClass[c])}</Table.Td>
      ))}
    </Table.Tr>
  );
}

function Guardrail({ stats }: { stats: SourceStats }) {
  const g = stats.guardrail;
  return (
    <Text size="sm" aria-label="Delete guardrail">
      <Text span c="dimmed">
        Delete guardrail{' '}
      </Text>
      {g.limit === null
        ? `off · ${plural(g.removals, 'removal')} since ${formatDateTime(g.windowStart)}`
        : `${plural(g.removals, 'removal')} of at most ${formatNumber(g.limit)} since ${formatDateTime(g.windowStart)}`}
    </Text>
  );
}

const REQUEST_COLUMNS: ListColumn<SourceRequest>[] = [
  { header: 'At', cell: (r) => formatDateTime(r.at, true) },
  { header: 'Method', cell: (r) => r.method },
  {
    header: 'Path',
    cell: (r) => (
      <Text size="sm" className="mono" style={{ overflowWrap: 'anywhere' }}>
        {r.path}
      </Text>
    ),
  },
  {
    header: 'Status',
    cell: (r) => (
      <Badge color={classColor(r.status)} variant="light">
        {r.status}
      </Badge>
    ),
  },
  { header: 'Duration', cell: (r) => `${formatNumber(r.durationMs)} ms` },
  {
    header: 'SCIM error',
    cell: (r) =>
      r.scimType || r.detail ? (
        <Text size="sm">
          {r.scimType && <Code>{r.scimType}</Code>} {r.detail}
        </Text>
      ) : (
        ''
      ),
  },
];

const PAGE = 25;

function Requests({ source }: { source: ScimSource }) {
  const pager = useKeysetPager(source.id);
  const requests = useQuery({
    queryKey: scimSourceKeys.requests(source.id, pager.cursor),
    queryFn: () =>
      data(
        client.GET('/api/v1/scim-sources/{id}/requests', {
          params: { path: { id: source.id }, query: { limit: PAGE, cursor: pager.cursor } },
        }),
      ),
    placeholderData: keepPreviousData,
    // The newest requests come in on the first page; later pages hold still while being read.
    refetchInterval: !source.deletedAt && pager.cursor === undefined ? REFRESH_MS : false,
  });
  return (
    <Stack gap="xs">
      <Title order={2} size="h4">
        Last requests
      </Title>
      <Text size="sm" c="dimmed">
        Newest first: the last 1,000 requests of at most 7 days. Bodies and headers are never kept.
      </Text>
      <ErrorAlert error={requests.error} title="Could not load the requests" />
      {requests.isPending ? (
        <Loading label="Loading the requests…" />
      ) : (
        requests.data && (
          <>
            <ListTable
              label="Last requests"
              minWidth={880}
              columns={REQUEST_COLUMNS}
              items={requests.data.items}
              stale={requests.isPlaceholderData}
              empty={{ title: 'No requests yet', hint: 'Requests show here a second or so after the source makes them.' }}
            />
            <Pager
              pager={pager}
              nextCursor={requests.data.nextCursor}
              shown={requests.data.items.length}
              pageSize={PAGE}
              label="requests"
            />
          </>
        )
      )}
    </Stack>
  );
}
