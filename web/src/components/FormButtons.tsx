// The end of a dialog's form: Cancel, then the submit button.
import { Button, Group } from '@mantine/core';
import type { ReactNode } from 'react';

interface FormButtonsProps {
  onCancel: () => void;
  submitLabel: ReactNode;
  busy: boolean;
  disabled?: boolean;
  color?: string;
}

export function FormButtons({ onCancel, submitLabel, busy, disabled, color }: FormButtonsProps) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        Cancel
      </Button>
      <Button type="submit" color={color} loading={busy} disabled={disabled}>
        {submitLabel}
      </Button>
    </Group>
  );
}
