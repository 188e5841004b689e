/**
 * Mantine's PasswordInput links neither its description nor its error to the <input>: these props do,
 * so a screen reader says what is wrong when the field gets the focus, and aria-invalid marks it.
 * `error`: an error is shown under the field, or (`invalid`) the form says what is wrong elsewhere.
 */
export function describedInput(id: string, opts: { description?: boolean; describedBy?: string; error?: boolean; invalid?: boolean }) {
  const ids = [opts.describedBy, opts.description ? `${id}-description` : undefined, opts.error ? `${id}-error` : undefined].filter(
    Boolean,
  );
  return { id, 'aria-invalid': opts.error || opts.invalid || undefined, 'aria-describedby': ids.length ? ids.join(' ') : undefined };
}
