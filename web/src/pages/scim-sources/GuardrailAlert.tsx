// A source whose delete guardrail paused its removals: why, what it refused since (its request log's
// 503 answers), and the confirmation that lets removals through again.
import { Alert, Anchor, Group, List, Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { client, data } from '../../api/client.ts';
import { scimSourceKeys } from '../../api/keys.ts';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { formatDateTime, formatNumber, plural } from '../../lib/format.ts';
import { REFRESH_MS } from './refresh.ts';
import type { ScimSource, SourceRequest } from './types.ts';

/** The most requests read to find the refused ones (the API's largest page). */
const SCAN = 500;
/** How many refused removals the alert names; the count covers them all. */
const LISTED = 10;
// The log entry of the refusal that started the pause may carry a time a moment before the pause's own.
const SLACK_MS = 60_000;

/** The requests the guardrail refused since the source was paused (or since the last confirmation, if later). */
function useRefused(source: ScimSource) {
  const paused = new Date(source.guardrail.pausedAt ?? 0).getTime() - SLACK_MS;
  const confirmed = new Date(source.guardrail.confirmedAt ?? 0).getTime();
  const since = new Date(Math.max(paused, confirmed)).toISOString();
  return useQuery({
    queryKey: scimSourceKeys.refused(source.id, since),
    queryFn: async () => {
      const page = await data(
        client.GET('/api/v1/scim-sources/{id}/requests', { params: { path: { id: source.id }, query: { limit: SCAN } } }),
      );
      const recent = page.items.filter((r) => r.at >= since);
      // Every item newer than `since` and still a next page: older refusals may lie beyond it.
      const more = page.nextCursor !== null && recent.length === page.items.length;
      return { refused: recent.filter((r) => r.status === 503), more };
    },
    refetchInterval: REFRESH_MS,
  });
}

function RefusedRequest({ request: r }: { request: SourceRequest }) {
  const what = `${r.method} ${r.path}`;
  return (
    <List.Item>
      <Text size="sm" span className="mono">
        {r.resourceType === 'User' && r.resourceId ? (
          <Anchor component={Link} to={`/users/${r.resourceId}`} size="sm">
            {what}
          </Anchor>
        ) : (
          what
        )}
      </Text>{' '}
      <Text size="sm" span c="dimmed">
        {formatDateTime(r.at, true)}
      </Text>
    </List.Item>
  );
}

export function GuardrailAlert({ source, canWrite }: { source: ScimSource; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const refused = useRefused(source);
  const list = refused.data?.refused ?? [];
  const count = refused.data ? `${refused.data.more ? 'at least ' : ''}${plural(list.length, 'removal')}` : 'Removals';
  const confirm = async () => {
    await data(client.POST('/api/v1/scim-sources/{id}/guardrail/confirm', { params: { path: { id: source.id } } }));
    await queryClient.invalidateQueries({ queryKey: scimSourceKeys.all });
  };
  return (
    <Alert color="orange" title="Deletions and suspensions from this source are paused" mb="md">
      <Stack gap="xs">
        <Text size="sm">
          Since {formatDateTime(source.guardrail.pausedAt)} the source has removed more users within an hour than its delete guardrail
          allows. Its other requests go on as usual; deletions and suspensions are refused (503) until an admin confirms. Check with the
          owner of the identity provider that the removals are intended (a wrong filter or scope there removes everyone).
        </Text>
        <Text size="sm" fw={600} aria-live="polite">
          {refused.error ? 'The refused removals could not be read.' : `${count} refused since the pause.`}
        </Text>
        {list.length > 0 && (
          <List size="sm" spacing={2} aria-label="Refused removals">
            {list.slice(0, LISTED).map((r) => (
              <RefusedRequest key={r.id} request={r} />
            ))}
            {list.length > LISTED && <List.Item>and {formatNumber(list.length - LISTED)} more</List.Item>}
          </List>
        )}
        {canWrite && (
          <Group>
            <ConfirmAction
              label="Confirm and resume"
              color="orange"
              title={`Let ${source.name} remove users again?`}
              message={
                'Its deletions and suspensions are accepted again; a refused one takes effect when the source sends it ' +
                'again. Removals before now no longer count, and the guardrail pauses the source again if it passes the ' +
                'limit once more.'
              }
              confirmLabel="Resume removals"
              onConfirm={confirm}
            />
          </Group>
        )}
      </Stack>
    </Alert>
  );
}
