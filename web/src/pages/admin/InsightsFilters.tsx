import { Badge, CloseButton, Group, MultiSelect, NativeSelect, Select, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { client, data } from '../../api/client.ts';
import { adminKeys, applicationKeys, userKeys } from '../../api/keys.ts';
import { SearchPicker } from '../../components/SearchPicker.tsx';
import { isoToLocalInput, localInputToIso } from '../../lib/format.ts';
import { EVENT_TYPES, PRESETS, type InsightsFilter } from './insightsFilters.ts';

interface FilterProps {
  f: InsightsFilter;
  set: (patch: Partial<InsightsFilter>) => void;
}

export function InsightsFilters({ f, set }: FilterProps) {
  const admins = useQuery({ queryKey: adminKeys.all, queryFn: () => data(client.GET('/api/v1/admins')), staleTime: 60_000 });
  const apps = useQuery({
    queryKey: applicationKeys.names(),
    queryFn: () => data(client.GET('/api/v1/applications', { params: { query: { limit: 500 } } })),
    staleTime: 60_000,
  });
  return (
    <Group align="flex-end" wrap="wrap" gap="sm" mb="sm">
      <TimeRange f={f} set={set} />
      <MultiSelect
        label="Event type"
        placeholder={f.eventType ? undefined : 'Any event'}
        data={[...new Set([...EVENT_TYPES, ...f.eventType.split(',').filter(Boolean)])]}
        value={f.eventType ? f.eventType.split(',') : []}
        onChange={(v) => set({ eventType: v.join(',') })}
        searchable
        clearable
        miw={220}
        maw={420}
      />
      <NativeSelect
        label="Admin"
        value={f.initiatedBy}
        onChange={(e) => set({ initiatedBy: e.currentTarget.value })}
        data={[{ value: '', label: 'Anyone' }, ...(admins.data?.items ?? []).map((a) => ({ value: a.id, label: a.email }))]}
      />
      <Select
        label="Application"
        placeholder="Any application"
        searchable
        clearable
        value={f.applicationId || null}
        onChange={(v) => set({ applicationId: v ?? '' })}
        data={(apps.data?.items ?? []).map((a) => ({ value: a.id, label: a.name }))}
      />
      <ResourceFilter f={f} set={set} />
      <NativeSelect
        label="Result"
        value={f.success}
        onChange={(e) => set({ success: e.currentTarget.value })}
        data={[
          { value: '', label: 'Any result' },
          { value: 'true', label: 'Succeeded' },
          { value: 'false', label: 'Failed' },
        ]}
      />
    </Group>
  );
}

function TimeRange({ f, set }: FilterProps) {
  return (
    <>
      <NativeSelect
        label="Time range"
        value=""
        onChange={(e) => {
          const p = PRESETS.find((x) => x.value === e.currentTarget.value);
          if (p) set({ from: new Date(Date.now() - p.ms).toISOString(), to: '' });
          else if (e.currentTarget.value === 'any') set({ from: '', to: '' });
        }}
        data={[
          { value: '', label: 'Choose…' },
          { value: 'any', label: 'Any time' },
          ...PRESETS.map((p) => ({ value: p.value, label: p.label })),
        ]}
      />
      <TextInput
        label="From"
        type="datetime-local"
        value={isoToLocalInput(f.from)}
        onChange={(e) => set({ from: localInputToIso(e.currentTarget.value) ?? '' })}
      />
      <TextInput
        label="To"
        type="datetime-local"
        value={isoToLocalInput(f.to)}
        onChange={(e) => set({ to: localInputToIso(e.currentTarget.value) ?? '' })}
      />
    </>
  );
}

/** The user (or other resource) the events are about: a search, or the chosen one with a clear button. */
function ResourceFilter({ f, set }: FilterProps) {
  const resource = useQuery({
    queryKey: userKeys.detail(f.resourceId),
    queryFn: () => data(client.GET('/api/v1/users/{id}', { params: { path: { id: f.resourceId } } })),
    enabled: Boolean(f.resourceId),
    retry: false,
  });
  if (!f.resourceId) {
    return (
      <SearchPicker
        label="User"
        placeholder="Search users"
        resource="users"
        optionLabel={(u) => `${u.username} — ${u.email}`}
        onPick={(u) => set({ resourceId: u.id })}
      />
    );
  }
  return (
    <div>
      <label className="mantine-InputWrapper-label" style={{ display: 'block', fontSize: 'var(--mantine-font-size-sm)', fontWeight: 500 }}>
        User or resource
      </label>
      <Group gap={4} h={36}>
        <Badge variant="light" size="lg" tt="none">
          {resource.data?.username ?? f.resourceId}
        </Badge>
        <CloseButton aria-label="Clear the user or resource filter" onClick={() => set({ resourceId: '' })} />
      </Group>
    </div>
  );
}
