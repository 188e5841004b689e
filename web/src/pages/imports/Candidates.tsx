// A remote user in conflict: the directory users the match rules found (each by its rule, linked to
// its page), and the admin's pick. Nothing is linked or updated for him until one is picked.
import { Anchor, Radio, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { client, data } from '../../api/client.ts';
import { userKeys } from '../../api/keys.ts';
import type { PreviewUser } from '../../api/types.ts';
import { RULE_LABELS, type MatchRule } from './api.ts';

function CandidateLabel({ userId, by }: { userId: string; by: MatchRule }) {
  const user = useQuery({
    queryKey: userKeys.detail(userId),
    queryFn: () => data(client.GET('/api/v1/users/{id}', { params: { path: { id: userId } } })),
    staleTime: 60_000,
  });
  return (
    <Text size="sm" span>
      <Anchor component={Link} to={`/users/${userId}`} size="sm">
        {user.data ? user.data.username : userId}
      </Anchor>{' '}
      <Text span size="xs" c="dimmed">
        by {RULE_LABELS[by]}
      </Text>
    </Text>
  );
}

export function Candidates(props: { user: PreviewUser; picked: string | undefined; onPick: (userId: string | null) => void }) {
  const { user: u, picked } = props;
  const candidates = u.candidates ?? [];
  const who = u.userName || u.email || u.remoteId;
  return (
    <Radio.Group value={picked ?? ''} onChange={(v) => props.onPick(v || null)} label={<Text size="xs">Link {who} to</Text>}>
      <Stack gap={4} mt={4}>
        {candidates.map((c) => (
          <Radio key={c.userId} size="xs" value={c.userId} label={<CandidateLabel userId={c.userId} by={c.by} />} />
        ))}
        <Radio size="xs" value="" label={<Text size="xs">nobody yet (skipped)</Text>} />
      </Stack>
    </Radio.Group>
  );
}
