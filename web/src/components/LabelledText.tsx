import { Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** A line of small text led by a dimmed label: "Created 5 Dec 2026, 10:00". */
export function LabelledText({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Text size="sm">
      <Text span c="dimmed">
        {label}{' '}
      </Text>
      {children}
    </Text>
  );
}
