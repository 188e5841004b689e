import { Accordion, NativeSelect, NumberInput, SimpleGrid, Stack, Switch } from '@mantine/core';
import type { IdmSettings } from '../../api/types.ts';
import { fieldError } from '../../components/ErrorAlert.tsx';

type NumberKey = { [K in keyof IdmSettings]: IdmSettings[K] extends number ? K : never }[keyof IdmSettings];

const NUMBERS: [NumberKey, string, string, number, number][] = [
  ['pageSize', 'Page size', 'Users per list request', 1, 1000],
  ['rateLimitPerSecond', 'Requests per second', 'Roster never sends more to this application', 0.1, 10000],
  ['rateLimitBurst', 'Burst', 'Requests allowed at once above the rate', 1, 10000],
  ['concurrency', 'Concurrent requests', '', 1, 64],
  ['requestTimeoutMs', 'Request timeout (ms)', '', 1000, 300000],
  ['memberChunkSize', 'Group members per request', '', 1, 1000],
  ['syncIntervalMinutes', 'Full sync every (minutes)', '', 5, 10080],
  ['guardrailPercent', 'Deprovision guardrail (%)', 'Stop when a sync would remove more than this share of users', 0, 100],
  ['guardrailMinimum', 'Guardrail minimum', 'The guardrail applies only above this many removals', 0, 1000000],
];

const CHOICES: { key: 'deprovision' | 'unboundGroups'; label: string; data: { value: string; label: string }[] }[] = [
  {
    key: 'deprovision',
    label: 'When a user leaves',
    data: [
      { value: 'deactivate', label: 'Deactivate the account in the application' },
      { value: 'delete', label: 'Delete the account in the application' },
    ],
  },
  {
    key: 'unboundGroups',
    label: 'When a user group is unbound',
    data: [
      { value: 'leave', label: 'Leave its group in the application' },
      { value: 'delete', label: 'Delete its group in the application' },
    ],
  },
];

export function SettingsFields({
  value,
  onChange,
  error,
  readOnly,
}: {
  value: IdmSettings;
  onChange: (v: IdmSettings) => void;
  error: unknown;
  readOnly?: boolean;
}) {
  const set = <K extends keyof IdmSettings>(k: K, v: IdmSettings[K]) => onChange({ ...value, [k]: v });
  return (
    <Stack gap="sm">
      <Switch
        label="Manage groups and memberships in the application"
        checked={value.groupManagement}
        disabled={readOnly}
        onChange={(e) => set('groupManagement', e.currentTarget.checked)}
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        {CHOICES.map(({ key, label, data }) => (
          <NativeSelect
            key={key}
            label={label}
            value={value[key]}
            disabled={readOnly}
            onChange={(e) => onChange({ ...value, [key]: e.currentTarget.value })}
            data={data}
          />
        ))}
      </SimpleGrid>
      <Switch
        label="Allow plain http to other hosts than this machine (not recommended)"
        checked={value.allowInsecureHttp}
        disabled={readOnly}
        onChange={(e) => set('allowInsecureHttp', e.currentTarget.checked)}
      />
      <Accordion variant="contained">
        <Accordion.Item value="advanced">
          <Accordion.Control>Advanced: paging, rate limits, timeouts, guardrails</Accordion.Control>
          <Accordion.Panel>
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
              {NUMBERS.map(([k, label, description, min, max]) => (
                <NumberInput
                  key={k}
                  label={label}
                  description={description || undefined}
                  min={min}
                  max={max}
                  value={value[k]}
                  readOnly={readOnly}
                  error={fieldError(error, `settings.${k}`)}
                  onChange={(v) => set(k, typeof v === 'number' ? v : Number(v) || min)}
                />
              ))}
            </SimpleGrid>
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
    </Stack>
  );
}
