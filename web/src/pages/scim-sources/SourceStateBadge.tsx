import { Badge } from '@mantine/core';
import type { ScimSource } from './types.ts';

// A badge ellipsizes its label when a table column is squeezed; the state must stay readable.
const WHOLE = { minWidth: 'max-content' } as const;

/** Deleted, paused by its delete guardrail, or active. */
export function SourceStateBadge({ source }: { source: Pick<ScimSource, 'deletedAt' | 'guardrail'> }) {
  if (source.deletedAt)
    return (
      <Badge color="gray" variant="light" style={WHOLE}>
        deleted
      </Badge>
    );
  if (source.guardrail.pausedAt)
    return (
      <Badge color="orange" style={WHOLE} title="The delete guardrail paused its deletions and suspensions until an admin confirms">
        removals paused
      </Badge>
    );
  return (
    <Badge color="green" variant="light" style={WHOLE}>
      active
    </Badge>
  );
}
