// The import's groups tab: the application's groups (new, exists by name, invalid) with their member
// counts; pick some or all and import them. The run page then shows each group's members added and
// the ones Roster could not place.
import { Anchor, Button, Checkbox, Group, Paper, Stack, Switch, Table, Text } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { importRunKeys } from '../../api/keys.ts';
import { PreviewBadge } from '../../components/Badges.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { ListBody } from '../../components/ListTable.tsx';
import { Loading } from '../../components/Loading.tsx';
import { Pager } from '../../components/Pager.tsx';
import { formatNumber, plural } from '../../lib/format.ts';
import { useKeysetPager } from '../../lib/keyset.ts';
import { importApi, type GroupPreviewItem } from './api.ts';

const PAGE = 50;

export function GroupsTab({ id, appName }: { id: string; appName: string }) {
  const pager = useKeysetPager(id);
  const groups = useQuery({
    queryKey: ['import-groups', id, pager.cursor],
    queryFn: ({ signal }) => importApi.groups(id, { limit: PAGE, cursor: pager.cursor }, signal),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [dryRun, setDryRun] = useState(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const start = useMutation({
    mutationFn: () => importApi.startGroups(id, { remoteIds: [...picked], ...(dryRun ? { dryRun } : {}) }),
    onSuccess: (res) => {
      void queryClient.invalidateQueries({ queryKey: importRunKeys.all });
      void navigate(`/import-runs/${res.run.id}`);
    },
  });
  if (groups.isPending) return <Loading label={`Reading the groups of ${appName} over SCIM…`} />;
  if (groups.error && !groups.data) return <ErrorAlert error={groups.error} title={`Could not read the groups of ${appName}`} />;
  const items = groups.data.items;
  const toggle = (g: GroupPreviewItem, on: boolean) =>
    setPicked((p) => {
      const next = new Set(p);
      if (on) next.add(g.remoteId);
      else next.delete(g.remoteId);
      return next;
    });
  const n = picked.size;
  return (
    <Stack gap="sm">
      <Paper withBorder p="sm">
        <Group justify="space-between" wrap="wrap">
          <Text fw={600} aria-live="polite">
            {n ? `${plural(n, 'group')} selected` : 'No group selected'}
          </Text>
          <Group gap="md">
            <Switch label="Dry run" checked={dryRun} onChange={(e) => setDryRun(e.currentTarget.checked)} />
            <Button onClick={() => start.mutate()} disabled={n === 0} loading={start.isPending}>
              {dryRun ? 'Dry run of' : 'Import'} {n ? plural(n, 'group') : 'groups'}
            </Button>
          </Group>
        </Group>
        <Text size="xs" c="dimmed" mt={4}>
          A group is created in Roster with the members Roster knows (imported or linked users); the others are listed on the run page.
        </Text>
      </Paper>
      <ErrorAlert error={start.error} title="The group import did not start" />
      <GroupsTable items={items} picked={picked} onToggle={toggle} busy={groups.isFetching} />
      <Pager
        pager={pager}
        nextCursor={groups.data.nextCursor}
        shown={items.length}
        pageSize={PAGE}
        total={groups.data.total}
        label="groups"
      />
    </Stack>
  );
}

function GroupsTable(props: {
  items: GroupPreviewItem[];
  picked: ReadonlySet<string>;
  onToggle: (g: GroupPreviewItem, on: boolean) => void;
  busy: boolean;
}) {
  return (
    <Table striped aria-label="Groups in the application" aria-busy={props.busy}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={40}>
            <Checkbox
              aria-label="Select the groups on this page"
              checked={props.items.length > 0 && props.items.every((g) => props.picked.has(g.remoteId))}
              onChange={(e) => props.items.forEach((g) => props.onToggle(g, e.currentTarget.checked))}
              disabled={props.items.length === 0}
            />
          </Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Group</Table.Th>
          <Table.Th>Members</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <ListBody items={props.items} colSpan={4} empty={{ title: 'The application has no groups' }}>
        {(g) => (
          <Table.Tr key={g.remoteId} data-status={g.status}>
            <Table.Td>
              <Checkbox
                aria-label={`Select ${g.displayName}`}
                checked={props.picked.has(g.remoteId)}
                onChange={(e) => props.onToggle(g, e.currentTarget.checked)}
              />
            </Table.Td>
            <Table.Td>
              <Stack gap={2} align="flex-start">
                <PreviewBadge status={g.status} />
                {g.reasons.map((r, i) => (
                  <Text key={i} size="xs" c={g.status === 'invalid' ? 'red' : 'dimmed'}>
                    {r}
                  </Text>
                ))}
              </Stack>
            </Table.Td>
            <Table.Td>
              {g.existingGroupId ? (
                <Anchor component={Link} to={`/groups/${g.existingGroupId}`}>
                  {g.displayName}
                </Anchor>
              ) : (
                g.displayName
              )}
            </Table.Td>
            <Table.Td>{formatNumber(g.memberCount)}</Table.Td>
          </Table.Tr>
        )}
      </ListBody>
    </Table>
  );
}
