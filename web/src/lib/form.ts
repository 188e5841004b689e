// A form's text values in one state, and the change handler of each input: `onChange={field('email')}`.
import { useState } from 'react';

export function useFormValues<T extends Record<string, string>>(initial: T) {
  const [values, setValues] = useState(initial);
  const field = (k: keyof T) => (e: { currentTarget: { value: string } }) => setValues((v) => ({ ...v, [k]: e.currentTarget.value }));
  return { values, setValues, field, reset: () => setValues(initial) };
}
