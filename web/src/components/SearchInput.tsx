import { TextInput, type TextInputProps } from '@mantine/core';

/** The search box of a list: the whole width on a phone, 280 px from the sm breakpoint up. */
export function SearchInput({
  onSearch,
  ...props
}: Omit<TextInputProps, 'onChange' | 'type' | 'w'> & { onSearch: (text: string) => void }) {
  return <TextInput {...props} type="search" w={{ base: '100%', sm: 280 }} onChange={(e) => onSearch(e.currentTarget.value)} />;
}
