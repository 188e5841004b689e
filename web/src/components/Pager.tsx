import { Button, Group, NativeSelect, Text } from '@mantine/core';
import { formatNumber } from '../lib/format.ts';
import type { KeysetPager } from '../lib/keyset.ts';

export interface PagerProps {
  pager: KeysetPager;
  nextCursor: string | null | undefined;
  shown: number;
  pageSize: number;
  total?: number;
  onPageSize?: (n: number) => void;
  label?: string;
}

export function Pager({ pager, nextCursor, shown, pageSize, total, onPageSize, label = 'rows' }: PagerProps) {
  const from = shown === 0 ? 0 : pager.pageIndex * pageSize + 1;
  const to = pager.pageIndex * pageSize + shown;
  return (
    <Group justify="space-between" mt="sm" wrap="wrap" gap="xs">
      <Text size="sm" c="dimmed" aria-live="polite">
        {shown === 0
          ? `No ${label}`
          : `${formatNumber(from)}–${formatNumber(to)}${total !== undefined ? ` of ${formatNumber(total)}` : ''} ${label}`}
      </Text>
      <Group gap="xs">
        {onPageSize && (
          <NativeSelect
            aria-label="Rows per page"
            size="xs"
            value={String(pageSize)}
            onChange={(e) => onPageSize(Number(e.currentTarget.value))}
            data={['25', '50', '100', '200']}
          />
        )}
        <Button size="xs" variant="default" onClick={pager.first} disabled={!pager.hasPrevious}>
          First
        </Button>
        <Button size="xs" variant="default" onClick={pager.previous} disabled={!pager.hasPrevious}>
          Previous
        </Button>
        <Button size="xs" variant="default" onClick={() => pager.next(nextCursor)} disabled={!nextCursor}>
          Next
        </Button>
      </Group>
    </Group>
  );
}
