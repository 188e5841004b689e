import { NativeSelect, type NativeSelectProps } from '@mantine/core';

export interface Choice<V extends string> {
  value: V;
  label: string;
}

/** A NativeSelect over a fixed set of values, which hands back the chosen value with its type. */
export function ChoiceSelect<V extends string>({
  value,
  onChoose,
  data,
  ...props
}: Omit<NativeSelectProps, 'value' | 'onChange' | 'data'> & { value: V; onChoose: (v: V) => void; data: Choice<V>[] }) {
  return <NativeSelect {...props} value={value} data={data} onChange={(e) => onChoose(e.currentTarget.value as V)} />;
}
