// Per-user results of an import run (per group for a groups run): the outcome, the fields an update
// changed (before and after), the members a group import added and the ones it could not place.
import { Anchor, List, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { ImportResult, ImportRun } from '../../api/types.ts';
import { OutcomeBadge } from '../../components/Badges.tsx';
import { EmptyRow } from '../../components/EmptyRow.tsx';
import { formatNumber } from '../../lib/format.ts';
import { showValue } from './FieldDiff.tsx';

type Kind = ImportRun['kind'];

export function ResultsTable(props: { results: ImportResult[]; kind?: Kind; emptyTitle?: string }) {
  const { results, kind = 'users', emptyTitle = 'No results' } = props;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped aria-label="Import results">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>{kind === 'groups' ? 'Group' : 'User name'}</Table.Th>
            {kind !== 'groups' && <Table.Th>Email</Table.Th>}
            <Table.Th>{kind === 'groups' ? 'Members' : 'Changes'}</Table.Th>
            <Table.Th>Reason</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {results.length === 0 && <EmptyRow colSpan={kind === 'groups' ? 4 : 5} title={emptyTitle} />}
          {results.map((r) => (
            <Table.Tr key={r.remoteId} data-outcome={r.outcome}>
              <Table.Td>
                <OutcomeBadge outcome={r.outcome} />
              </Table.Td>
              <Table.Td>
                {r.userId ? (
                  <Anchor component={Link} to={`/${kind === 'groups' ? 'groups' : 'users'}/${r.userId}`}>
                    {r.userName}
                  </Anchor>
                ) : (
                  r.userName
                )}
              </Table.Td>
              {kind !== 'groups' && <Table.Td>{r.email}</Table.Td>}
              <Table.Td>{kind === 'groups' ? <Members result={r} /> : <Changes result={r} />}</Table.Td>
              <Table.Td>
                <Text size="sm" c={r.outcome === 'failed' ? 'red' : 'dimmed'}>
                  {r.reason ?? ''}
                  {r.code && r.code !== r.reason ? ` (${r.code})` : ''}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Changes({ result }: { result: ImportResult }) {
  // Undo runs: the fields the undone run updated that were not set back, and why.
  const left = result.left ?? [];
  if (!result.changes?.length && !left.length) return null;
  return (
    <List size="xs" listStyleType="none" aria-label={`Changes of ${result.userName}`}>
      {left.map((l) => (
        <List.Item key={`left-${l.field}`}>
          <Text span size="xs" ff="monospace">
            {l.field}
          </Text>
          : left as it is ({l.code})
        </List.Item>
      ))}
      {(result.changes ?? []).map((c) => (
        <List.Item key={c.field}>
          <Text span size="xs" ff="monospace">
            {c.field}
          </Text>
          : {showValue(c.before)} → <b>{showValue(c.after)}</b>
        </List.Item>
      ))}
    </List>
  );
}

function Members({ result }: { result: ImportResult }) {
  const m = result.members;
  if (!m) return null;
  return (
    <div>
      <Text size="sm">{formatNumber(m.added)} added</Text>
      {m.unplaced.length > 0 && (
        <>
          <Text size="xs" c="orange">
            {formatNumber(m.unplaced.length)} not placed:
          </Text>
          <List size="xs" aria-label={`Members of ${result.userName} not placed`}>
            {m.unplaced.map((u) => (
              <List.Item key={u.remoteId}>
                {u.display ?? u.remoteId}: {u.reason}
              </List.Item>
            ))}
          </List>
        </>
      )}
    </div>
  );
}
