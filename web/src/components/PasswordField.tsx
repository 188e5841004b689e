// Mantine's PasswordInput, with its error and description linked to the <input> (see describedInput).
// `invalid` marks the field when the form says what is wrong elsewhere (a refused sign-in).
import { PasswordInput, type PasswordInputProps } from '@mantine/core';
import { useId } from 'react';
import { describedInput } from './describedInput.ts';

export function PasswordField({ invalid, ...props }: PasswordInputProps & { invalid?: boolean }) {
  const generated = useId();
  const shownError = props.error !== undefined && props.error !== null && typeof props.error !== 'boolean' && props.error !== '';
  return (
    <PasswordInput
      {...props}
      error={props.error ?? (invalid || undefined)}
      {...describedInput(props.id ?? generated, { description: Boolean(props.description), errors: shownError ? [String(props.error)] : [], invalid: invalid || props.error === true })}
    />
  );
}
