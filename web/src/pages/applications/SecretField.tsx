// A write-only secret: "set" with a Replace button when one is stored, an input otherwise.
import { Badge, Button, Group, Text } from '@mantine/core';
import { PasswordField } from '../../components/PasswordField.tsx';

export function SecretField({
  label,
  stored,
  replacing,
  value,
  onChange,
  onReplace,
  onKeep,
  error,
  readOnly,
}: {
  label: string;
  stored: boolean;
  replacing: boolean;
  value: string;
  onChange: (v: string) => void;
  onReplace: () => void;
  onKeep: () => void;
  error?: string;
  readOnly?: boolean;
}) {
  if (stored && !replacing) {
    return (
      <div>
        <Text size="sm" fw={500} mb={4}>
          {label}
        </Text>
        <Group gap="xs">
          <Badge color="green" variant="light" aria-label={`${label} is set`}>
            set
          </Badge>
          <Text size="sm" c="dimmed">
            Stored encrypted; never shown again.
          </Text>
          {!readOnly && (
            <Button size="compact-sm" variant="default" onClick={onReplace} aria-label={`Replace the ${label.toLowerCase()}`}>
              Replace
            </Button>
          )}
        </Group>
        {error && (
          <Text c="red" size="sm">
            {error}
          </Text>
        )}
      </div>
    );
  }
  return (
    <div>
      <PasswordField
        label={label}
        required={!stored}
        autoComplete="new-password"
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        error={error}
        description={stored ? 'The new value replaces the stored one when you save.' : undefined}
        readOnly={readOnly}
      />
      {stored && (
        <Button size="compact-sm" variant="subtle" mt={4} onClick={onKeep}>
          Keep the stored {label.toLowerCase()}
        </Button>
      )}
    </div>
  );
}
