import { Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** A table body row for "nothing here", with a hint of what to do next. */
export function EmptyRow({ colSpan, title, hint }: { colSpan: number; title: string; hint?: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Td colSpan={colSpan}>
        <Stack align="center" gap={4} py="lg">
          <Text fw={600}>{title}</Text>
          {hint && (
            <Text c="dimmed" size="sm" ta="center">
              {hint}
            </Text>
          )}
        </Stack>
      </Table.Td>
    </Table.Tr>
  );
}
