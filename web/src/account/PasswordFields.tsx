// New password + repeat, with the policy shown before typing and every broken rule under its field.
// The length rule is checked here as the user types; the others (names, common passwords) by the server.
import { List, PasswordInput, Text } from '@mantine/core';
import { type Ref, useId } from 'react';
import type { PasswordPolicy } from './api.ts';
import { describedInput } from '../components/describedInput.ts';
import { FieldMessages } from './AccountFrame.tsx';

export interface NewPassword {
  password: string;
  confirm: string;
}

export interface FieldErrors {
  password: string[];
  confirm: string[];
}
export const NO_ERRORS: FieldErrors = { password: [], confirm: [] };

/** Code points, as the server counts them. */
const passwordLength = (p: string) => [...p.normalize('NFC')].length;

/** What the page can tell before asking the server: length, and the two entries differ. */
export function localProblems(value: NewPassword, policy: PasswordPolicy | undefined): FieldErrors {
  const n = passwordLength(value.password);
  const password: string[] = [];
  if (policy && n < policy.minLength) password.push(`must be at least ${policy.minLength} characters (it has ${n})`);
  if (policy && n > policy.maxLength) password.push(`must be at most ${policy.maxLength} characters (it has ${n})`);
  const confirm = value.confirm !== value.password ? ['must be the same as the password'] : [];
  return { password, confirm };
}

export function PolicyHints({ policy, id }: { policy: PasswordPolicy | undefined; id: string }) {
  if (!policy) return null;
  return (
    <div id={id}>
      <Text size="sm" fw={500}>
        Your password
      </Text>
      <List size="sm" c="dimmed" spacing={2}>
        {policy.rules.map((rule) => (
          <List.Item key={rule}>{rule}</List.Item>
        ))}
      </List>
      <Text size="xs" c="dimmed" mt={4}>
        A few unrelated words make a strong password that is easy to remember.
      </Text>
    </div>
  );
}

interface Props {
  value: NewPassword;
  onChange: (v: NewPassword) => void;
  policy: PasswordPolicy | undefined;
  errors: FieldErrors;
  label?: string;
  passwordRef?: Ref<HTMLInputElement>;
  confirmRef?: Ref<HTMLInputElement>;
  autoFocus?: boolean;
  disabled?: boolean;
  /** The id of the policy hints, read out with the new password field. */
  policyId?: string;
}

export function PasswordFields({
  value,
  onChange,
  policy,
  errors,
  label = 'New password',
  passwordRef,
  confirmRef,
  autoFocus,
  disabled,
  policyId,
}: Props) {
  const id = useId();
  const n = passwordLength(value.password);
  const counter = policy ? `${n} character${n === 1 ? '' : 's'}${n < policy.minLength ? `, at least ${policy.minLength}` : ''}` : undefined;
  return (
    <>
      <PasswordInput
        label={label}
        autoComplete="new-password"
        required
        ref={passwordRef}
        autoFocus={autoFocus}
        disabled={disabled}
        value={value.password}
        onChange={(e) => onChange({ ...value, password: e.currentTarget.value })}
        description={counter}
        error={FieldMessages({ messages: errors.password })}
        {...describedInput(`${id}-password`, { description: Boolean(counter), describedBy: policyId, error: errors.password.length > 0 })}
      />
      <PasswordInput
        label={`Repeat the ${label.toLowerCase()}`}
        autoComplete="new-password"
        required
        ref={confirmRef}
        disabled={disabled}
        value={value.confirm}
        onChange={(e) => onChange({ ...value, confirm: e.currentTarget.value })}
        error={FieldMessages({ messages: errors.confirm })}
        {...describedInput(`${id}-confirm`, { error: errors.confirm.length > 0 })}
      />
    </>
  );
}
