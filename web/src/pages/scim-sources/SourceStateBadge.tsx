import { Badge } from '@mantine/core';
import type { ScimSource } from './types.ts';

/** Deleted, paused by its delete guardrail, or active. */
export function SourceStateBadge({ source }: { source: Pick<ScimSource, 'deletedAt' | 'guardrail'> }) {
  if (source.deletedAt)
    return (
      <Badge color="gray" variant="light">
        deleted
      </Badge>
    );
  if (source.guardrail.pausedAt)
    return (
      <Badge color="orange" title="The delete guardrail paused its deletions and suspensions until an admin confirms">
        removals paused
      </Badge>
    );
  return (
    <Badge color="green" variant="light">
      active
    </Badge>
  );
}
