// The settings of a SCIM source, shared by the create dialog and the source's page.
import { Fieldset, NumberInput, SimpleGrid, Stack, Switch } from '@mantine/core';
import { type Choice, ChoiceSelect } from '../../components/ChoiceSelect.tsx';
import { fieldError } from '../../components/ErrorAlert.tsx';
import { NUMBER_PATHS, type NumberField, type SettingsForm } from './settingsForm.ts';

const ON_DELETE: Choice<SettingsForm['onDelete']>[] = [
  { value: 'suspend', label: 'Suspend the user (he can be restored)' },
  { value: 'delete', label: 'Delete the user from Roster' },
];

const ACTIVATION: Choice<SettingsForm['activationEmail']>[] = [
  { value: 'off', label: 'Off' },
  { value: 'on_create', label: 'At creation: send the set-your-password email' },
];

interface SettingsFieldsProps {
  value: SettingsForm;
  onChange: (v: SettingsForm) => void;
  /** The API's error of the last save, whose field problems show under their fields. */
  error: unknown;
  /** Problems the form found itself (empty number fields), shown before the API's. */
  local?: Partial<Record<NumberField, string>>;
  readOnly?: boolean;
}

export function SettingsFields({ value, onChange, error, local = {}, readOnly }: SettingsFieldsProps) {
  const set = <K extends keyof SettingsForm>(k: K, v: SettingsForm[K]) => onChange({ ...value, [k]: v });
  const numberProps = (k: NumberField) => ({
    value: value[k],
    onChange: (v: number | string) => set(k, v),
    readOnly,
    error: local[k] ?? fieldError(error, NUMBER_PATHS[k]),
    // The server says what is out of range, under the field; clamping would hide a typo instead.
    clampBehavior: 'none' as const,
  });
  return (
    <Stack gap="sm">
      <ChoiceSelect
        label="When the source deletes a user"
        description="What a SCIM DELETE of a user does. A suspended user answers 404 to the source; creating him again restores him."
        value={value.onDelete}
        onChoose={(v) => set('onDelete', v)}
        data={ON_DELETE}
        disabled={readOnly}
      />
      <ChoiceSelect
        label="Activation email"
        description="Users the source creates start with a pending password."
        value={value.activationEmail}
        onChoose={(v) => set('activationEmail', v)}
        data={ACTIVATION}
        disabled={readOnly}
      />
      <Switch
        label="Accept groups"
        description="The source may create and change groups and their members."
        checked={value.groups}
        disabled={readOnly}
        onChange={(e) => set('groups', e.currentTarget.checked)}
      />
      <Fieldset legend="Delete guardrail" variant="filled">
        <Stack gap="sm">
          <Switch
            label="Pause deletions and suspensions above a limit per hour"
            description="Further removals are refused until an admin confirms here; the admins get an email."
            checked={value.guardrail}
            disabled={readOnly}
            onChange={(e) => set('guardrail', e.currentTarget.checked)}
          />
          {value.guardrail && (
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <NumberInput
                label="Share of the users (%)"
                description="Per hour, of every user in the directory"
                min={1}
                max={100}
                {...numberProps('percent')}
              />
              <NumberInput
                label="Minimum removals"
                description="The limit is never lower than this"
                min={1}
                allowDecimal={false}
                {...numberProps('minimum')}
              />
            </SimpleGrid>
          )}
        </Stack>
      </Fieldset>
      <NumberInput
        label="Rate limit (requests per second)"
        description="Requests over it are answered 429 with Retry-After."
        min={1}
        max={10000}
        allowDecimal={false}
        maw={320}
        {...numberProps('rateLimitPerSecond')}
      />
    </Stack>
  );
}
