import { TextInput, type TextInputProps } from '@mantine/core';

/** An admin's email, which is also the name an admin signs in with. */
export function EmailField(props: TextInputProps) {
  return <TextInput label="Email" type="email" required {...props} />;
}
