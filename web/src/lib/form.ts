// A form's text values in one state, and the change handler of each input: `onChange={field('email')}`.
import { useState } from 'react';

export function useFormValues<T extends Record<string, string>>(initial: T) {
  const [values, setValues] = useState(initial);
  const field = (k: keyof T) => (e: { currentTarget: { value: string } }) => {
    // Read now: React clears the event's currentTarget once the handler returns, before the update runs.
    const value = e.currentTarget.value;
    setValues((v) => ({ ...v, [k]: value }));
  };
  return { values, setValues, field, reset: () => setValues(initial) };
}
