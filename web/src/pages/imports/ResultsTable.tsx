// Per-user results of an import run.
import { Anchor, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { ImportResult } from '../../api/types.ts';
import { OutcomeBadge } from '../../components/Badges.tsx';
import { EmptyRow } from '../../components/EmptyRow.tsx';

export function ResultsTable({ results, emptyTitle = 'No results' }: { results: ImportResult[]; emptyTitle?: string }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped aria-label="Import results">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>User name</Table.Th>
            <Table.Th>Email</Table.Th>
            <Table.Th>Reason</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {results.length === 0 && <EmptyRow colSpan={4} title={emptyTitle} />}
          {results.map((r) => (
            <Table.Tr key={r.remoteId}>
              <Table.Td>
                <OutcomeBadge outcome={r.outcome} />
              </Table.Td>
              <Table.Td>
                {r.userId ? (
                  <Anchor component={Link} to={`/users/${r.userId}`}>
                    {r.userName}
                  </Anchor>
                ) : (
                  r.userName
                )}
              </Table.Td>
              <Table.Td>{r.email}</Table.Td>
              <Table.Td>
                <Text size="sm" c={r.outcome === 'failed' ? 'red' : 'dimmed'}>
                  {r.reason ?? ''}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
