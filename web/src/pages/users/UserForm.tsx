// Every directory attribute of a user, for create and edit.
import { Button, Fieldset, Group, SimpleGrid, Stack, TextInput } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import type { UserAttributes } from '../../api/types.ts';
import { ErrorAlert, fieldError } from '../../components/ErrorAlert.tsx';
import { ContactEditors } from './ContactEditors.tsx';
import { USER_SECTIONS } from './userForm.ts';

export interface UserFormProps {
  value: UserAttributes;
  onChange: (v: UserAttributes) => void;
  onSubmit: () => void;
  submitLabel: string;
  busy: boolean;
  error: unknown;
  dirty: boolean;
  readOnly?: boolean;
  extra?: ReactNode;
  onReset?: () => void;
}

export function UserForm({ value, onChange, onSubmit, submitLabel, busy, error, dirty, readOnly, extra, onReset }: UserFormProps) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {USER_SECTIONS.map((section, si) => (
          <Fieldset key={section.legend} legend={section.legend}>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              {section.fields.map(([field, label, required]) => (
                <TextInput
                  key={field}
                  label={label}
                  required={required}
                  type={field === 'email' ? 'email' : 'text'}
                  value={value[field]}
                  readOnly={readOnly}
                  error={fieldError(error, field)}
                  onChange={(e) => onChange({ ...value, [field]: e.currentTarget.value })}
                />
              ))}
              {si === 0 && extra}
            </SimpleGrid>
          </Fieldset>
        ))}
        <ContactEditors form={value} onChange={onChange} readOnly={readOnly} error={error} />
        <ErrorAlert error={error} title="Not saved" />
        {!readOnly && (
          <Group justify="flex-end">
            {onReset && (
              <Button variant="default" onClick={onReset} disabled={!dirty || busy}>
                Discard changes
              </Button>
            )}
            <Button type="submit" loading={busy} disabled={!dirty}>
              {submitLabel}
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}
