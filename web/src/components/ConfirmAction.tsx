// Destructive actions ask first, and name what will happen. Errors stay in the dialog so the admin
// can read them and decide.
import { Button, type ButtonProps, Group, Modal, Stack, Text } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { ErrorAlert } from './ErrorAlert.tsx';

export interface ConfirmActionProps {
  label: ReactNode;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  color?: string;
  buttonProps?: ButtonProps & { 'aria-label'?: string };
  disabled?: boolean;
}

export function ConfirmAction({
  label,
  title,
  message,
  confirmLabel,
  onConfirm,
  color = 'red',
  buttonProps,
  disabled,
}: ConfirmActionProps) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const close = () => {
    if (busy) return;
    setOpen(false);
    setError(null);
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      setOpen(false);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button color={color} variant="light" disabled={disabled} onClick={() => setOpen(true)} {...buttonProps}>
        {label}
      </Button>
      <Modal opened={open} onClose={close} title={title} centered>
        <Stack>
          {typeof message === 'string' ? <Text>{message}</Text> : message}
          <ErrorAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={busy}>
              Cancel
            </Button>
            <Button color={color} onClick={() => void confirm()} loading={busy} data-autofocus>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
