// The application's users with a checkbox each, their new/exists/invalid badge and why.
import { Anchor, Checkbox, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { PreviewUser } from '../../api/types.ts';
import { PreviewBadge } from '../../components/Badges.tsx';
import { ListBody } from '../../components/ListTable.tsx';
import { SortableTh, type SortState } from '../../components/SortableTh.tsx';
import { fullName } from '../../lib/format.ts';

export function PreviewTable({
  items,
  sort,
  onSort,
  isSelected,
  onToggle,
  onTogglePage,
  busy,
  filtered,
}: {
  items: PreviewUser[];
  sort: SortState;
  onSort: (sort: string, order: 'asc' | 'desc') => void;
  isSelected: (u: PreviewUser) => boolean;
  onToggle: (u: PreviewUser, selected: boolean) => void;
  onTogglePage: (selected: boolean) => void;
  busy: boolean;
  filtered: boolean;
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
          {(u) => <PreviewRow key={u.remoteId} user={u} selected={isSelected(u)} onToggle={onToggle} />}
        </ListBody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** One user: its checkbox, its badge with the reasons, and what the application says of it. */
function PreviewRow({
  user: u,
  selected,
  onToggle,
}: {
  user: PreviewUser;
  selected: boolean;
  onToggle: (u: PreviewUser, selected: boolean) => void;
}) {
  return (
    <Table.Tr data-status={u.status}>
      <Table.Td>
        <Checkbox
          aria-label={`Select ${u.userName || u.email || u.remoteId}`}
          checked={selected}
          onChange={(e) => onToggle(u, e.currentTarget.checked)}
        />
      </Table.Td>
      <Table.Td>
        <Stack gap={2}>
          <PreviewBadge status={u.status} />
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
        </Stack>
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
  );
}
