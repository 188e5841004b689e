// The application's users with a checkbox each, their new/exists/conflict/invalid badge and why; a
// matched user opens to its per-field diff, a user in conflict lists its candidates to pick from.
import { Anchor, Button, Checkbox, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import type { PreviewUser } from '../../api/types.ts';
import { PreviewBadge } from '../../components/Badges.tsx';
import { ListBody } from '../../components/ListTable.tsx';
import { SortableTh, type SortState } from '../../components/SortableTh.tsx';
import { fullName, plural } from '../../lib/format.ts';
import { RULE_LABELS } from './api.ts';
import { Candidates } from './Candidates.tsx';
import { FieldDiff } from './FieldDiff.tsx';
import type { RunChoiceState } from './runChoice.ts';

interface RowProps {
  user: PreviewUser;
  selected: boolean;
  onToggle: (u: PreviewUser, selected: boolean) => void;
  choice: RunChoiceState;
}

export function PreviewTable({
  items,
  sort,
  onSort,
  isSelected,
  onToggle,
  onTogglePage,
  busy,
  filtered,
  choice,
}: {
  items: PreviewUser[];
  sort: SortState;
  onSort: (sort: string, order: 'asc' | 'desc') => void;
  isSelected: (u: PreviewUser) => boolean;
  onToggle: (u: PreviewUser, selected: boolean) => void;
  onTogglePage: (selected: boolean) => void;
  busy: boolean;
  filtered: boolean;
  choice: RunChoiceState;
}) {
  const selectedOnPage = items.filter(isSelected).length;
  const all = items.length > 0 && selectedOnPage === items.length;
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table striped highlightOnHover aria-label="Users in the application" aria-busy={busy}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={40}>
              <Checkbox
                aria-label={all ? 'Deselect the users on this page' : 'Select the users on this page'}
                checked={all}
                indeterminate={selectedOnPage > 0 && !all}
                onChange={() => onTogglePage(!all)}
                disabled={items.length === 0}
              />
            </Table.Th>
            <SortableTh field="status" state={sort} onSort={onSort}>
              Status
            </SortableTh>
            <SortableTh field="userName" state={sort} onSort={onSort}>
              User name
            </SortableTh>
            <SortableTh field="lastname" state={sort} onSort={onSort}>
              Name
            </SortableTh>
            <SortableTh field="email" state={sort} onSort={onSort}>
              Email
            </SortableTh>
            <Table.Th>In the application</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <ListBody
          items={items}
          colSpan={6}
          empty={
            filtered
              ? { title: 'No user matches', hint: 'Clear the search or the status filter.' }
              : { title: 'The application has no users' }
          }
        >
          {(u) => <PreviewRow key={u.remoteId} user={u} selected={isSelected(u)} onToggle={onToggle} choice={choice} />}
        </ListBody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** One user: its checkbox, its badge with the reasons (why it matched, its candidates), and its diff when opened. */
function PreviewRow({ user: u, selected, onToggle, choice }: RowProps) {
  const [open, setOpen] = useState(false);
  const changes = u.changes ?? [];
  return (
    <>
      <Table.Tr data-status={u.status} data-remote-id={u.remoteId}>
        <Table.Td>
          <Checkbox
            aria-label={`Select ${u.userName || u.email || u.remoteId}`}
            checked={selected}
            onChange={(e) => onToggle(u, e.currentTarget.checked)}
          />
        </Table.Td>
        <Table.Td>
          <StatusCell user={u} choice={choice} open={open} onOpen={setOpen} />
        </Table.Td>
        <Table.Td>
          {u.userName || (
            <Text span c="dimmed">
              (none)
            </Text>
          )}
        </Table.Td>
        <Table.Td>{fullName(u)}</Table.Td>
        <Table.Td>{u.email}</Table.Td>
        <Table.Td>
          {u.remoteActive ? (
            'active'
          ) : (
            <Text span c="orange" size="sm">
              inactive
            </Text>
          )}
        </Table.Td>
      </Table.Tr>
      {open && changes.length > 0 && (
        <Table.Tr data-diff-of={u.remoteId}>
          <Table.Td />
          <Table.Td colSpan={5}>
            <FieldDiff
              who={u.userName || u.email || u.remoteId}
              changes={changes}
              chosen={choice.choice.fields}
              updating={choice.choice.mode === 'update'}
              onToggle={choice.toggleField}
            />
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}

function StatusCell({
  user: u,
  choice,
  open,
  onOpen,
}: {
  user: PreviewUser;
  choice: RunChoiceState;
  open: boolean;
  onOpen: (o: boolean) => void;
}) {
  const changes = u.changes ?? [];
  return (
    <Stack gap={2} align="flex-start">
      <PreviewBadge status={u.status} />
      {u.match && (
        <Text size="xs" c="dimmed">
          {u.match.by === 'link' ? 'linked to its account' : `matched by ${RULE_LABELS[u.match.by]}`}
        </Text>
      )}
      {u.reasons.map((r, i) => (
        <Text key={i} size="xs" c={u.status === 'invalid' ? 'red' : 'dimmed'}>
          {r}
        </Text>
      ))}
      {u.existingUserId && (
        <Anchor component={Link} to={`/users/${u.existingUserId}`} size="xs">
          Open the Roster user
        </Anchor>
      )}
      {u.status === 'exists' &&
        u.changes &&
        (changes.length ? (
          <Button size="compact-xs" variant="light" aria-expanded={open} onClick={() => onOpen(!open)}>
            {open ? 'Hide' : 'Show'} {plural(changes.length, 'change')}
          </Button>
        ) : (
          <Text size="xs" c="dimmed">
            no field differs
          </Text>
        ))}
      {u.status === 'conflict' && (
        <Candidates user={u} picked={choice.choice.resolve.get(u.remoteId)} onPick={(id) => choice.pick(u.remoteId, id)} />
      )}
    </Stack>
  );
}
