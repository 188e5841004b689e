import { Anchor, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { client, data } from '../../api/client.ts';
import { importRunKeys } from '../../api/keys.ts';
import type { ImportRun, Page } from '../../api/types.ts';
import { RunStatusBadge } from '../../components/Badges.tsx';
import { EmptyRow } from '../../components/EmptyRow.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Pager } from '../../components/Pager.tsx';
import { formatDateTime, formatNumber } from '../../lib/format.ts';
import { useKeysetPager } from '../../lib/keyset.ts';

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
      <Table.ScrollContainer minWidth={720}>
        <Table striped aria-label="Import runs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Started</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Users</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Skipped</Table.Th>
              <Table.Th>Failed</Table.Th>
              <Table.Th>By</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.length === 0 && <EmptyRow colSpan={7} title="No imports yet" />}
            {items.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/import-runs/${r.id}`}>
                    {formatDateTime(r.createdAt)}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <RunStatusBadge status={r.status} />
                </Table.Td>
                <Table.Td>{r.mode === 'all' ? `all (${formatNumber(r.total)})` : formatNumber(r.total)}</Table.Td>
                <Table.Td>{formatNumber(r.created)}</Table.Td>
                <Table.Td>{formatNumber(r.skipped)}</Table.Td>
                <Table.Td>
                  <Text span c={r.failed ? 'red' : undefined} size="sm">
                    {formatNumber(r.failed)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" truncate maw={200}>
                    {r.initiatedBy.email ?? r.initiatedBy.type}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {(pager.hasPrevious || runs.data.nextCursor) && (
        <Pager pager={pager} nextCursor={runs.data.nextCursor} shown={items.length} pageSize={PAGE} label="runs" />
      )}
    </>
  );
}
