// The directory's users: server-side search, sort and keyset paging, so 100,000 users page as fast as 100.
import { Button, Group, NativeSelect, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { client, data } from '../../api/client.ts';
import { userKeys } from '../../api/keys.ts';
import { useCanWrite, useHasEndpoint } from '../../api/session.ts';
import type { QueryOf, User } from '../../api/types.ts';
import { PasswordBadge, UserStateBadge } from '../../components/Badges.tsx';
import { linkColumn, type ListColumn, ListTable } from '../../components/ListTable.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryList } from '../../components/QueryList.tsx';
import { SearchInput } from '../../components/SearchInput.tsx';
import { SortableTh } from '../../components/SortableTh.tsx';
import { formatDateTime, fullName } from '../../lib/format.ts';
import { useKeysetPager } from '../../lib/keyset.ts';
import { useUrlState } from '../../lib/url-state.ts';
import { BulkActivationButton } from './BulkActivationButton.tsx';

const DEFAULTS = { q: '', state: '', passwordStatus: '', sort: 'username', order: 'asc', limit: '50' };
type Filters = typeof DEFAULTS;

/** The URL's filters as the API's query ('' is left out; the server refuses values it does not know). */
const usersQuery = (s: Filters, cursor: string | undefined) => ({ ...s, limit: Number(s.limit), cursor }) as QueryOf<'/api/v1/users'>;

export function UsersPage() {
  const [s, set] = useUrlState(DEFAULTS);
  const pager = useKeysetPager(JSON.stringify(s));
  const canWrite = useCanWrite();
  const hasBulkActivation = useHasEndpoint('post', '/api/v1/users/activation-emails');
  const query = useQuery({
    queryKey: userKeys.list(s, pager.cursor),
    queryFn: ({ signal }) => data(client.GET('/api/v1/users', { params: { query: usersQuery(s, pager.cursor) }, signal })),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader
        title="Users"
        actions={
          canWrite && (
            <>
              {hasBulkActivation && <BulkActivationButton />}
              <Button component={Link} to="/users/new">
                New user
              </Button>
            </>
          )
        }
      />
      <UsersFilters s={s} set={set} />
      <QueryList
        query={query}
        errorTitle="Could not load the users"
        loadingLabel="Loading users…"
        paging={{ pager, pageSize: Number(s.limit), onPageSize: (n) => set({ limit: String(n) }), label: 'users' }}
      >
        {(items) => <UsersTable s={s} set={set} items={items} busy={query.isFetching} stale={query.isPlaceholderData} />}
      </QueryList>
    </>
  );
}

interface FilterProps {
  s: Filters;
  set: (patch: Partial<Filters>) => void;
}

function UsersFilters({ s, set }: FilterProps) {
  const [search, setSearch] = useState(s.q);
  const [debounced] = useDebouncedValue(search.trim(), 300);
  useEffect(() => {
    if (debounced !== s.q) set({ q: debounced });
  }, [debounced, s.q, set]);
  return (
    <Group mb="sm" align="flex-end" wrap="wrap">
      <SearchInput label="Search" placeholder="Username, name or email" value={search} onSearch={setSearch} />
      <NativeSelect
        label="State"
        value={s.state}
        onChange={(e) => set({ state: e.currentTarget.value })}
        data={[{ value: '', label: 'Any state' }, 'ACTIVE', 'STAGED', 'SUSPENDED']}
      />
      <NativeSelect
        label="Password"
        value={s.passwordStatus}
        onChange={(e) => set({ passwordStatus: e.currentTarget.value })}
        data={[{ value: '', label: 'Any status' }, 'PENDING', 'ACTIVE', 'EXPIRED']}
      />
    </Group>
  );
}

const COLUMNS: ListColumn<User>[] = [
  linkColumn(
    'Username',
    (u) => `/users/${u.id}`,
    (u) => u.username,
    500,
  ),
  {
    header: 'Name',
    cell: (u) =>
      fullName(u) || (
        <Text span c="dimmed">
          —
        </Text>
      ),
  },
  { header: 'Email', cell: (u) => u.email },
  { header: 'State', cell: (u) => <UserStateBadge state={u.state} /> },
  { header: 'Password', cell: (u) => <PasswordBadge status={u.passwordStatus} /> },
  {
    header: 'Created',
    cell: (u) => (
      <Text size="sm" c="dimmed">
        {formatDateTime(u.createdAt)}
      </Text>
    ),
  },
];
const SORT_FIELDS = ['username', 'lastname', 'email', 'state', 'passwordStatus', 'createdAt'] as const;

function UsersTable({ s, set, items, busy, stale }: FilterProps & { items: User[]; busy: boolean; stale: boolean }) {
  const navigate = useNavigate();
  const filtered = Boolean(s.q || s.state || s.passwordStatus);
  const columns = COLUMNS.map((c, i) => ({
    ...c,
    th: (
      <SortableTh field={SORT_FIELDS[i]} state={s} onSort={(sort, order) => set({ sort, order })}>
        {c.header}
      </SortableTh>
    ),
  }));
  return (
    <ListTable
      label="Users"
      minWidth={760}
      highlightOnHover
      busy={busy}
      stale={stale}
      columns={columns}
      items={items}
      empty={
        filtered
          ? { title: 'No user matches these filters', hint: 'Clear the search or the filters to see every user.' }
          : { title: 'No users yet', hint: 'Create a user, or import users from an application on its Identity Management tab.' }
      }
      rowProps={(u) => ({
        className: 'row-link',
        onClick: (e) => {
          if (!(e.target as HTMLElement).closest('a')) void navigate(`/users/${u.id}`);
        },
      })}
    />
  );
}
