import { Badge, type BadgeVariant } from '@mantine/core';
import type { IntegrationStatus, Outcome, PasswordStatus, PreviewStatus, RunStatus, UserState } from '../api/types.ts';

const userStateColor: Record<UserState, string> = { ACTIVE: 'green', SUSPENDED: 'orange', STAGED: 'gray' };
const passwordColor: Record<PasswordStatus, string> = { ACTIVE: 'green', PENDING: 'yellow', EXPIRED: 'red' };
const integrationColor: Record<IntegrationStatus, string> = { unconfigured: 'gray', inactive: 'yellow', active: 'green', error: 'red' };
const runColor: Record<RunStatus, string> = { queued: 'gray', running: 'blue', paused: 'orange', completed: 'green', failed: 'red' };
const previewColor: Record<PreviewStatus, string> = { new: 'blue', exists: 'gray', conflict: 'orange', invalid: 'red' };
const outcomeColor: Record<Outcome, string> = {
  created: 'green',
  linked: 'teal',
  updated: 'blue',
  skipped: 'gray',
  failed: 'red',
  deleted: 'grape',
  suspended: 'orange',
  reverted: 'indigo',
  unlinked: 'cyan',
};

/** A status word on a badge in its status's colour. */
function StatusBadge<S extends string>({ value, colors, variant }: { value: S; colors: Record<S, string>; variant?: BadgeVariant }) {
  return (
    <Badge color={colors[value]} variant={variant}>
      {value}
    </Badge>
  );
}

export const UserStateBadge = ({ state }: { state: UserState }) => <StatusBadge value={state} colors={userStateColor} variant="light" />;
export const PasswordBadge = ({ status }: { status: PasswordStatus }) => (
  <StatusBadge value={status} colors={passwordColor} variant="outline" />
);
export const IntegrationBadge = ({ status }: { status: IntegrationStatus }) => <StatusBadge value={status} colors={integrationColor} />;
export const RunStatusBadge = ({ status }: { status: RunStatus }) => <StatusBadge value={status} colors={runColor} />;
export const PreviewBadge = ({ status }: { status: PreviewStatus }) => <StatusBadge value={status} colors={previewColor} variant="light" />;
export const OutcomeBadge = ({ outcome }: { outcome: Outcome }) => <StatusBadge value={outcome} colors={outcomeColor} variant="light" />;
