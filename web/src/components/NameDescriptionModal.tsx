// Create (or rename) a group or an application: both are a name and a description.
import { Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { ErrorAlert, fieldError } from './ErrorAlert.tsx';
import { FormButtons } from './FormButtons.tsx';

export interface NameDescription {
  name: string;
  description: string;
}

export function NameDescriptionModal({
  opened,
  onClose,
  title,
  submitLabel,
  initial,
  onSubmit,
  busy,
  error,
}: {
  opened: boolean;
  onClose: () => void;
  title: string;
  submitLabel: string;
  initial?: NameDescription;
  onSubmit: (v: NameDescription) => void;
  busy: boolean;
  error: unknown;
}) {
  const [value, setValue] = useState<NameDescription>(initial ?? { name: '', description: '' });
  useEffect(() => {
    if (opened) setValue(initial ?? { name: '', description: '' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opened]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit({ name: value.name.trim(), description: value.description.trim() });
  };
  return (
    <Modal opened={opened} onClose={onClose} title={title} centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label="Name"
            required
            value={value.name}
            onChange={(e) => setValue({ ...value, name: e.currentTarget.value })}
            error={fieldError(error, 'name')}
            data-autofocus
          />
          <Textarea
            label="Description"
            autosize
            minRows={2}
            value={value.description}
            onChange={(e) => setValue({ ...value, description: e.currentTarget.value })}
            error={fieldError(error, 'description')}
          />
          <ErrorAlert error={error} title="Not saved" />
          <FormButtons onCancel={onClose} submitLabel={submitLabel} busy={busy} disabled={!value.name.trim()} />
        </Stack>
      </form>
    </Modal>
  );
}
