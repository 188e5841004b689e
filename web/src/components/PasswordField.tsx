// Mantine's PasswordInput, with its error and description linked to the <input> (see describedInput).
// `error={true}` marks the field when the form says what is wrong elsewhere (a refused sign-in).
import { PasswordInput, type PasswordInputProps } from '@mantine/core';
import { useId } from 'react';
import { describedInput } from './describedInput.ts';

export function PasswordField(props: PasswordInputProps) {
  const generated = useId();
  const { error } = props;
  return (
    <PasswordInput
      {...props}
      {...describedInput(props.id ?? generated, {
        description: Boolean(props.description),
        error: Boolean(error) && error !== true,
        invalid: error === true,
      })}
    />
  );
}

/** The password one signs in with (or confirms a change with: give it another label). */
export function CurrentPasswordField(props: PasswordInputProps) {
  return <PasswordField label="Password" autoComplete="current-password" required {...props} />;
}

/** A password being chosen, or its repeat. */
export function NewPasswordField(props: PasswordInputProps) {
  return <PasswordField autoComplete="new-password" required {...props} />;
}
