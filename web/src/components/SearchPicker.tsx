// A searchable select whose options come from the server (users, groups, applications): the list
// can be far too long to load, so each keystroke asks the API for the first few matches.
import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { client, data } from '../api/client.ts';
import { pickKeys } from '../api/keys.ts';
import type { Group, User } from '../api/types.ts';

export interface Searchable {
  users: User;
  groups: Group;
}

const SEARCHES: { [R in keyof Searchable]: (q: string, signal: AbortSignal) => Promise<{ items: Searchable[R][] }> } = {
  users: (q: string, signal: AbortSignal) => data(client.GET('/api/v1/users', { params: { query: { q, limit: 20 } }, signal })),
  groups: (q: string, signal: AbortSignal) => data(client.GET('/api/v1/groups', { params: { query: { q, limit: 20 } }, signal })),
};

export interface SearchPickerProps<R extends keyof Searchable> {
  label: string;
  resource: R;
  optionLabel: (item: Searchable[R]) => string;
  onPick: (item: Searchable[R]) => void;
  placeholder?: string;
  exclude?: Set<string>;
  disabled?: boolean;
  description?: string;
}

export function SearchPicker<R extends keyof Searchable>({
  label,
  resource,
  optionLabel,
  onPick,
  placeholder,
  exclude,
  disabled,
  description,
}: SearchPickerProps<R>) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const query = useQuery({
    queryKey: pickKeys.search(resource, debounced),
    queryFn: ({ signal }) => SEARCHES[resource](debounced, signal),
    placeholderData: keepPreviousData,
  });
  const items = (query.data?.items ?? []).filter((i) => !exclude?.has(i.id));
  return (
    <Select
      label={label}
      description={description}
      placeholder={placeholder ?? 'Type to search'}
      searchable
      clearable
      disabled={disabled}
      searchValue={search}
      onSearchChange={setSearch}
      // The server already filtered by the search text.
      filter={({ options }) => options}
      data={items.map((i) => ({ value: i.id, label: optionLabel(i) }))}
      value={null}
      onChange={(id) => {
        const item = items.find((i) => i.id === id);
        if (item) {
          onPick(item);
          setSearch('');
        }
      }}
      nothingFoundMessage={query.isFetching ? 'Searching…' : query.error ? query.error.message : 'Nothing matches'}
      miw={240}
    />
  );
}
