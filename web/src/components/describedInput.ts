/**
 * Mantine's PasswordInput links neither its description nor its error to the <input>: these props do,
 * so a screen reader says what is wrong when the field gets the focus, and aria-invalid marks it.
 * `invalid` marks a field whose problem is told elsewhere (a form-level alert).
 */
export function describedInput(id: string, opts: { description?: boolean; describedBy?: string; errors: string[]; invalid?: boolean }) {
  const ids = [opts.describedBy, opts.description ? `${id}-description` : undefined, opts.errors.length ? `${id}-error` : undefined].filter(Boolean);
  return { id, 'aria-invalid': opts.errors.length > 0 || opts.invalid || undefined, 'aria-describedby': ids.length ? ids.join(' ') : undefined };
}
