// A searchable select whose options come from the server (users, groups, applications): the list
// can be far too long to load, so each keystroke asks the API for the first few matches.
import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.ts';
import type { Page } from '../api/types.ts';

export interface SearchPickerProps<T extends { id: string }> {
  label: string;
  path: string;
  optionLabel: (item: T) => string;
  onPick: (item: T) => void;
  placeholder?: string;
  exclude?: Set<string>;
  disabled?: boolean;
  description?: string;
}

export function SearchPicker<T extends { id: string }>({
  label,
  path,
  optionLabel,
  onPick,
  placeholder,
  exclude,
  disabled,
  description,
}: SearchPickerProps<T>) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const query = useQuery({
    queryKey: ['pick', path, debounced],
    queryFn: ({ signal }) => api.get<Page<T>>(path, { q: debounced, limit: 20 }, signal),
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
