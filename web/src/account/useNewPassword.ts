// The state of the new-password pair (PasswordFields) on the set-password page and the profile: the
// values, the messages under each field, and focus on the first field with a problem.
import { useRef, useState } from 'react';
import { type FieldErrors, NO_ERRORS, type NewPassword } from './PasswordFields.tsx';

const EMPTY: NewPassword = { password: '', confirm: '' };

export function useNewPassword() {
  const [value, setValue] = useState<NewPassword>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>(NO_ERRORS);
  const passwordRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);
  // A field's messages are about what was submitted: editing it clears them (the mismatch, either field).
  const onChange = (v: NewPassword) => {
    const passwordChanged = v.password !== value.password;
    setErrors((e) => ({
      password: passwordChanged ? [] : e.password,
      confirm: passwordChanged || v.confirm !== value.confirm ? [] : e.confirm,
    }));
    setValue(v);
  };
  /** Shows these problems and, unless told not to, focuses the first field that has one. True when there is one. */
  const show = (found: FieldErrors, focus = true): boolean => {
    setErrors(found);
    const field = found.password.length ? passwordRef : found.confirm.length ? confirmRef : null;
    if (focus) field?.current?.focus();
    return field !== null;
  };
  return { value, errors, onChange, show, clear: () => setValue(EMPTY), fields: { value, onChange, errors, passwordRef, confirmRef } };
}
