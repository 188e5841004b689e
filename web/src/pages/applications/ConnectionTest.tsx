// Test connection: what the application can do, and each problem found with what to do about it.
import { Alert, Badge, Button, Checkbox, Group, List, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client, data } from '../../api/client.ts';
import { integrationKeys } from '../../api/keys.ts';
import type { Capabilities, Integration, TestResult } from '../../api/types.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { formatDateTime, formatNumber } from '../../lib/format.ts';

const FLAGS: [keyof Capabilities, string][] = [
  ['patch', 'PATCH'],
  ['filter', 'Filtering'],
  ['sort', 'Sorting'],
  ['bulk', 'Bulk'],
  ['etag', 'ETags'],
  ['changePassword', 'Password changes'],
  ['cursorPagination', 'Cursor paging'],
  ['indexPagination', 'Index paging'],
  ['groups', 'Groups'],
  ['enterpriseUser', 'Enterprise user extension'],
];

export function ConnectionTest({ view, canWrite }: { view: Integration; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const [writeCheck, setWriteCheck] = useState(false);
  const test = useMutation({
    mutationFn: () =>
      data(client.POST('/api/v1/applications/{id}/idm/test', { params: { path: { id: view.applicationId } }, body: { writeCheck } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: integrationKeys.detail(view.applicationId) }),
  });
  const result = test.data ?? view.lastTest;
  return (
    <Stack gap="sm">
      {canWrite && (
        <Group align="center" wrap="wrap">
          <Button onClick={() => test.mutate()} loading={test.isPending} disabled={view.status === 'unconfigured'}>
            Test connection
          </Button>
          <Checkbox
            label="Also create and delete a clearly named test user (write check)"
            checked={writeCheck}
            onChange={(e) => setWriteCheck(e.currentTarget.checked)}
          />
        </Group>
      )}
      {view.status === 'unconfigured' && (
        <Text size="sm" c="dimmed">
          Save a configuration first, then test it.
        </Text>
      )}
      <ErrorAlert error={test.error} title="The test could not run" />
      {result && <TestResultView result={result} fresh={Boolean(test.data)} />}
    </Stack>
  );
}

function TestResultView({ result, fresh }: { result: TestResult; fresh: boolean }) {
  const errors = result.problems.filter((p) => p.severity === 'error');
  const c = result.capabilities;
  return (
    <Stack gap="sm" aria-live="polite">
      <Alert color={result.ok ? 'green' : 'red'} title={result.ok ? 'Connection OK' : 'The connection test found problems'}>
        {fresh ? 'Tested just now' : `Last tested ${formatDateTime(result.testedAt)}`} in {formatNumber(result.durationMs)} ms
        {result.writeCheck !== 'skipped' && ` · write check ${result.writeCheck}`}
        {!result.ok && errors.length > 0 && ` · ${errors.length} error${errors.length === 1 ? '' : 's'} to fix before activating`}
      </Alert>
      {result.problems.length > 0 && (
        <div>
          <Title order={4} size="h6" mb={4}>
            Problems
          </Title>
          <List spacing={4} aria-label="Problems found">
            {result.problems.map((p, i) => (
              <List.Item
                key={i}
                icon={
                  <Badge size="sm" color={p.severity === 'error' ? 'red' : 'yellow'}>
                    {p.severity}
                  </Badge>
                }
              >
                <Text size="sm">
                  {p.message}{' '}
                  <Text span c="dimmed" size="xs">
                    ({p.code})
                  </Text>
                </Text>
              </List.Item>
            ))}
          </List>
        </div>
      )}
      <div>
        <Title order={4} size="h6" mb={4}>
          Capabilities
        </Title>
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing={4} aria-label="Capabilities">
          {FLAGS.map(([k, label]) => (
            <Group key={k} gap={6} wrap="nowrap">
              <Badge size="sm" variant="light" color={c[k] ? 'green' : 'gray'} style={{ flexShrink: 0 }}>
                {c[k] ? 'yes' : 'no'}
              </Badge>
              <Text size="sm">{label}</Text>
            </Group>
          ))}
        </SimpleGrid>
        <Text size="sm" mt="xs" c="dimmed">
          {c.userCount !== undefined && `${formatNumber(c.userCount)} users · `}
          {c.maxPageSize !== undefined && `max page ${formatNumber(c.maxPageSize)} · `}
          {c.filterMaxResults !== undefined && `filter max ${formatNumber(c.filterMaxResults)} · `}
          {c.authenticationSchemes.length > 0 ? `auth: ${c.authenticationSchemes.join(', ')}` : 'no authentication schemes advertised'}
        </Text>
      </div>
    </Stack>
  );
}
