// The users run's options: what happens to users Roster already has, which fields it takes, a dry run,
// and a Roster group to put the users in.
import { Button, Checkbox, CloseButton, Group, Paper, SegmentedControl, Stack, Switch, Text } from '@mantine/core';
import { SearchPicker } from '../../components/SearchPicker.tsx';
import { UPDATABLE_FIELDS } from './api.ts';
import type { RunChoiceState, RunMode } from './runChoice.ts';

const MODES: { value: RunMode; label: string }[] = [
  { value: 'create', label: 'New users only' },
  { value: 'link', label: 'Link only' },
  { value: 'update', label: 'Link and update chosen fields' },
];

export function RunOptions({ state }: { state: RunChoiceState }) {
  const { choice, set } = state;
  return (
    <Paper withBorder p="sm" mb="sm" component="section" aria-label="Run options">
      <Stack gap="xs">
        <Group align="flex-end" wrap="wrap" gap="lg">
          <div>
            <Text size="sm" fw={500} id="run-mode" mb={2}>
              Users Roster already has
            </Text>
            <SegmentedControl
              aria-labelledby="run-mode"
              value={choice.mode}
              onChange={(mode) => set({ mode: mode as RunMode })}
              data={MODES}
            />
          </div>
          <Switch
            label="Dry run"
            description="Compute and store the results only"
            checked={choice.dryRun}
            onChange={(e) => set({ dryRun: e.currentTarget.checked })}
          />
          <GroupChoice state={state} />
        </Group>
        {choice.mode === 'update' && <FieldChoice state={state} />}
        <Text size="xs" c="dimmed">
          {choice.mode === 'create'
            ? 'Users that exist are skipped, as before.'
            : choice.mode === 'link'
              ? 'Users that exist are linked to their account in the application; their profile is not changed.'
              : "Users that exist are linked, and the chosen fields take the application's values. " +
                'User name, password and state are never changed.'}
        </Text>
      </Stack>
    </Paper>
  );
}

function FieldChoice({ state }: { state: RunChoiceState }) {
  const { choice, toggleField, setFields } = state;
  return (
    <div role="group" aria-label="Fields to update">
      <Group gap="xs" mb={4}>
        <Text size="sm" fw={500}>
          Fields to update
        </Text>
        <Button size="compact-xs" variant="subtle" onClick={() => setFields(UPDATABLE_FIELDS)}>
          All
        </Button>
        <Button size="compact-xs" variant="subtle" onClick={() => setFields([])}>
          None
        </Button>
      </Group>
      <Group gap="md" wrap="wrap">
        {UPDATABLE_FIELDS.map((f) => (
          <Checkbox key={f} size="xs" label={f} checked={choice.fields.has(f)} onChange={(e) => toggleField(f, e.currentTarget.checked)} />
        ))}
      </Group>
    </div>
  );
}

function GroupChoice({ state }: { state: RunChoiceState }) {
  const { choice, set } = state;
  if (choice.group) {
    return (
      <Group gap={4} aria-label="Add to group">
        <Text size="sm">
          Add to group <b>{choice.group.name}</b>
        </Text>
        <CloseButton size="sm" aria-label="Do not add to a group" onClick={() => set({ group: null })} />
      </Group>
    );
  }
  return (
    <SearchPicker
      label="Add to group"
      resource="groups"
      placeholder="No group"
      optionLabel={(g) => g.name}
      onPick={(g) => set({ group: { id: g.id, name: g.name } })}
    />
  );
}
