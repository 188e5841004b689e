// The import's settings: which attributes match a remote user to a directory user, in which order, and
// the schedule (cron in a time zone, new users only or also chosen fields, the guardrail). The API's
// field problems are shown under their fields.
import { ActionIcon, Button, Checkbox, Group, NumberInput, Paper, Select, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorAlert, fieldError } from '../../components/ErrorAlert.tsx';
import { Loading } from '../../components/Loading.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { importApi, RULE_LABELS, UPDATABLE_FIELDS, type ImportSettings, type UpdatableField } from './api.ts';
import { describeCron, timeZones } from './cron.ts';
import { formOf, moved, settingsOf, type SettingsForm } from './settingsForm.ts';

const settingsKey = (id: string) => ['import-settings', id] as const;

export function SettingsTab({ id }: { id: string }) {
  const settings = useQuery({ queryKey: settingsKey(id), queryFn: () => importApi.settings(id) });
  if (settings.isPending) return <Loading />;
  if (settings.error) return <ErrorAlert error={settings.error} title="Could not load the import settings" />;
  return <SettingsEditor id={id} saved={settings.data} />;
}

function SettingsEditor({ id, saved }: { id: string; saved: ImportSettings }) {
  const [form, setForm] = useState<SettingsForm>(() => formOf(saved));
  const set = (patch: Partial<SettingsForm>) => setForm((f) => ({ ...f, ...patch }));
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: () => importApi.saveSettings(id, settingsOf(form)),
    onSuccess: (next) => {
      queryClient.setQueryData(settingsKey(id), next);
      setForm(formOf(next));
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
      aria-label="Import settings"
    >
      <Stack gap="md" maw={760}>
        <MatchRules form={form} set={set} error={fieldError(save.error, 'matchBy')} />
        <ScheduleFields form={form} set={set} error={save.error} nextRunAt={saved.schedule?.nextRunAt ?? null} />
        <ErrorAlert error={save.error} title="The settings were not saved" />
        {save.isSuccess && !save.isPending && (
          <Text size="sm" c="green" role="status">
            Settings saved.
          </Text>
        )}
        <Group>
          <Button type="submit" loading={save.isPending}>
            Save settings
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

type Part = { form: SettingsForm; set: (patch: Partial<SettingsForm>) => void };

function MatchRules({ form, set, error }: Part & { error?: string }) {
  const setRules = (rules: SettingsForm['rules']) => set({ rules });
  return (
    <Paper withBorder p="sm" component="fieldset" aria-describedby="match-help">
      <Title order={2} size="h5" component="legend">
        Match rules
      </Title>
      <Text size="xs" c="dimmed" id="match-help" mb="xs">
        A remote user is the directory user the first rule finds; when two rules find different users, the user is in conflict. A link
        always comes first: a remote user already linked to a directory user is that user.
      </Text>
      <Stack gap={4} role="list" aria-label="Match rules in order">
        {form.rules.map((r, i) => (
          <Group key={r.rule} gap="xs" role="listitem" aria-label={RULE_LABELS[r.rule]}>
            <Checkbox
              label={`${i + 1}. ${RULE_LABELS[r.rule]}`}
              checked={r.on}
              disabled={r.rule === 'link'}
              onChange={(e) => setRules(form.rules.map((x) => (x.rule === r.rule ? { ...x, on: e.currentTarget.checked } : x)))}
            />
            <ActionIcon
              variant="subtle"
              aria-label={`Move ${r.rule} up`}
              disabled={r.rule === 'link' || i <= 1}
              onClick={() => setRules(moved(form.rules, i, -1))}
            >
              ↑
            </ActionIcon>
            <ActionIcon
              variant="subtle"
              aria-label={`Move ${r.rule} down`}
              disabled={r.rule === 'link' || i === form.rules.length - 1}
              onClick={() => setRules(moved(form.rules, i, 1))}
            >
              ↓
            </ActionIcon>
          </Group>
        ))}
      </Stack>
      {error && (
        <Text size="xs" c="red" mt={4}>
          {error}
        </Text>
      )}
    </Paper>
  );
}

function ScheduleFields({ form, set, error, nextRunAt }: Part & { error: unknown; nextRunAt: string | null }) {
  const err = (f: string) => fieldError(error, `schedule.${f}`);
  return (
    <Paper withBorder p="sm" component="fieldset">
      <Title order={2} size="h5" component="legend">
        Schedule
      </Title>
      <Switch label="Import on a schedule" checked={form.scheduled} onChange={(e) => set({ scheduled: e.currentTarget.checked })} mb="xs" />
      {form.scheduled && (
        <Stack gap="xs">
          <Group align="flex-start" wrap="wrap">
            <TextInput
              label="Cron expression"
              value={form.cron}
              onChange={(e) => set({ cron: e.currentTarget.value })}
              description={describeCron(form.cron)}
              error={err('cron')}
              styles={{ input: { fontFamily: 'monospace' } }}
              w={260}
            />
            <Select
              label="Time zone"
              searchable
              data={timeZones(form.timeZone)}
              value={form.timeZone}
              onChange={(tz) => set({ timeZone: tz ?? form.timeZone })}
              error={err('timeZone')}
              w={240}
            />
          </Group>
          {nextRunAt && (
            <Text size="sm" data-testid="next-run">
              Next run: {formatDateTime(nextRunAt)}
            </Text>
          )}
          <ScheduleMode form={form} set={set} err={err} />
        </Stack>
      )}
    </Paper>
  );
}

function ScheduleMode({ form, set, err }: Part & { err: (f: string) => string | undefined }) {
  const toggle = (f: UpdatableField, on: boolean) => set({ fields: on ? [...form.fields, f] : form.fields.filter((x) => x !== f) });
  return (
    <>
      <Group align="flex-start" wrap="wrap">
        <Select
          label="What the scheduled run does"
          data={[
            { value: 'new', label: 'Create new users only' },
            { value: 'new_and_update', label: 'Create new users and update chosen fields of linked users' },
          ]}
          value={form.mode}
          onChange={(mode) => set({ mode: (mode ?? 'new') as SettingsForm['mode'] })}
          allowDeselect={false}
          error={err('mode')}
          w={440}
        />
        <NumberInput
          label="Guardrail (%)"
          description="Pause for an admin when a run would change more than this share of the directory"
          value={form.guardrailPercent}
          onChange={(v) => set({ guardrailPercent: v })}
          error={err('guardrailPercent')}
          w={260}
        />
      </Group>
      {form.mode === 'new_and_update' && (
        <div role="group" aria-label="Fields the scheduled run updates">
          <Text size="sm" fw={500} mb={4}>
            Fields to update
          </Text>
          <Group gap="md">
            {UPDATABLE_FIELDS.map((f) => (
              <Checkbox
                key={f}
                size="xs"
                label={f}
                checked={form.fields.includes(f)}
                onChange={(e) => toggle(f, e.currentTarget.checked)}
              />
            ))}
          </Group>
          {err('fields') && (
            <Text size="xs" c="red">
              {err('fields')}
            </Text>
          )}
        </div>
      )}
    </>
  );
}
