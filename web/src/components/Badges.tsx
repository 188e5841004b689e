import { Badge } from '@mantine/core';
import type { IntegrationStatus, Outcome, PasswordStatus, PreviewStatus, RunStatus, UserState } from '../api/types.ts';

const userStateColor: Record<UserState, string> = { ACTIVE: 'green', SUSPENDED: 'orange', STAGED: 'gray' };
const passwordColor: Record<PasswordStatus, string> = { ACTIVE: 'green', PENDING: 'yellow', EXPIRED: 'red' };
const integrationColor: Record<IntegrationStatus, string> = { unconfigured: 'gray', inactive: 'yellow', active: 'green', error: 'red' };
const runColor: Record<RunStatus, string> = { queued: 'gray', running: 'blue', completed: 'green', failed: 'red' };
const previewColor: Record<PreviewStatus, string> = { new: 'blue', exists: 'gray', invalid: 'red' };
const outcomeColor: Record<Outcome, string> = { created: 'green', skipped: 'gray', failed: 'red' };

export const UserStateBadge = ({ state }: { state: UserState }) => (
  <Badge color={userStateColor[state]} variant="light">
    {state}
  </Badge>
);
export const PasswordBadge = ({ status }: { status: PasswordStatus }) => (
  <Badge color={passwordColor[status]} variant="outline">
    {status}
  </Badge>
);
export const IntegrationBadge = ({ status }: { status: IntegrationStatus }) => <Badge color={integrationColor[status]}>{status}</Badge>;
export const RunStatusBadge = ({ status }: { status: RunStatus }) => <Badge color={runColor[status]}>{status}</Badge>;
export const PreviewBadge = ({ status }: { status: PreviewStatus }) => (
  <Badge color={previewColor[status]} variant="light">
    {status}
  </Badge>
);
export const OutcomeBadge = ({ outcome }: { outcome: Outcome }) => (
  <Badge color={outcomeColor[outcome]} variant="light">
    {outcome}
  </Badge>
);
