import { Anchor, Badge, Group, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { client, data } from '../../api/client.ts';
import { importRunKeys } from '../../api/keys.ts';
import type { ImportRun } from '../../api/types.ts';
import { RunStatusBadge } from '../../components/Badges.tsx';
import { type ListColumn, ListTable } from '../../components/ListTable.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Pager } from '../../components/Pager.tsx';
import { formatDateTime, formatNumber } from '../../lib/format.ts';
import { useKeysetPager } from '../../lib/keyset.ts';

const RUN_COLUMNS: ListColumn<ImportRun>[] = [
  {
    header: 'Started',
    cell: (r) => (
      <Anchor component={Link} to={`/import-runs/${r.id}`}>
        {formatDateTime(r.createdAt)}
      </Anchor>
    ),
  },
  { header: 'Status', cell: (r) => <RunStatusBadge status={r.status} /> },
  {
    header: 'Kind',
    cell: (r) => (
      <Group gap={4} wrap="nowrap">
        <Text size="sm">{r.kind}</Text>
        {r.trigger === 'schedule' && (
          <Badge size="xs" variant="outline" color="violet">
            scheduled
          </Badge>
        )}
        {r.dryRun && (
          <Badge size="xs" color="yellow">
            dry run
          </Badge>
        )}
      </Group>
    ),
  },
  { header: 'Users', cell: (r) => (r.mode === 'all' ? `all (${formatNumber(r.total)})` : formatNumber(r.total)) },
  { header: 'Created', cell: (r) => formatNumber(r.created) },
  { header: 'Linked', cell: (r) => formatNumber(r.linked) },
  { header: 'Updated', cell: (r) => formatNumber(r.updated) },
  { header: 'Skipped', cell: (r) => formatNumber(r.skipped) },
  {
    header: 'Failed',
    cell: (r) => (
      <Text span c={r.failed ? 'red' : undefined} size="sm">
        {formatNumber(r.failed)}
      </Text>
    ),
  },
  {
    header: 'By',
    cell: (r) => (
      <Text size="sm" truncate maw={200}>
        {r.initiatedBy.email ?? r.initiatedBy.type}
      </Text>
    ),
  },
];

const PAGE = 10;

export function RunHistory({ applicationId }: { applicationId: string }) {
  const pager = useKeysetPager(applicationId);
  const runs = useQuery({
    queryKey: importRunKeys.list(applicationId, pager.cursor),
    queryFn: () => data(client.GET('/api/v1/import-runs', { params: { query: { applicationId, limit: PAGE, cursor: pager.cursor } } })),
    placeholderData: keepPreviousData,
    // Keep the history moving while a run is in progress.
    refetchInterval: (q) => (q.state.data?.items.some((r) => r.status === 'queued' || r.status === 'running') ? 2000 : false),
  });
  if (runs.isPending) return <Loading />;
  if (runs.error) return <ErrorAlert error={runs.error} title="Could not load the import history" />;
  const items = runs.data.items;
  return (
    <>
      <ListTable label="Import runs" minWidth={900} columns={RUN_COLUMNS} items={items} empty={{ title: 'No imports yet' }} />
      {(pager.hasPrevious || runs.data.nextCursor) && (
        <Pager pager={pager} nextCursor={runs.data.nextCursor} shown={items.length} pageSize={PAGE} label="runs" />
      )}
    </>
  );
}
