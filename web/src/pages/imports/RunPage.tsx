// One import run: its kind, trigger and dry-run badge, live progress while it runs (polled), then its
// per-user (or per-group) results and the CSV; the undo of a finished run, the decision on a paused one.
import { Alert, Anchor, Badge, Button, Group, NativeSelect, Paper, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { client, data, json } from '../../api/client.ts';
import { applicationKeys, importRunKeys, userKeys } from '../../api/keys.ts';
import type { ImportRun, Outcome } from '../../api/types.ts';
import { RunStatusBadge } from '../../components/Badges.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { LabelledText } from '../../components/LabelledText.tsx';
import { Loading } from '../../components/Loading.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Pager } from '../../components/Pager.tsx';
import { formatDateTime, formatNumber } from '../../lib/format.ts';
import { useKeysetPager } from '../../lib/keyset.ts';
import { ResultsTable } from './ResultsTable.tsx';
import { canUndo, PausedRun, UndoButton } from './RunActions.tsx';
import { RESULT_OUTCOMES } from './api.ts';

const PAGE = 100;
const finished = (r?: ImportRun) => r?.status === 'completed' || r?.status === 'failed';

export function RunPage() {
  const { id = '' } = useParams();
  const queryClient = useQueryClient();
  const run = useQuery({
    queryKey: importRunKeys.detail(id),
    queryFn: () => data(client.GET('/api/v1/import-runs/{id}', { params: { path: { id } } })),
    // A paused run waits for an admin (maybe in another tab): asked less often.
    refetchInterval: (q) => (!q.state.data || finished(q.state.data) ? false : q.state.data.status === 'paused' ? 3000 : 700),
  });
  const app = useQuery({
    queryKey: applicationKeys.detail(run.data?.applicationId),
    queryFn: () => data(client.GET('/api/v1/applications/{id}', { params: { path: { id: run.data!.applicationId } } })),
    enabled: Boolean(run.data),
    retry: false,
  });
  const done = finished(run.data);
  useEffect(() => {
    // The run just finished: lists elsewhere (users, history) are out of date.
    if (done) {
      void queryClient.invalidateQueries({ queryKey: userKeys.all });
      void queryClient.invalidateQueries({ queryKey: importRunKeys.lists() });
    }
  }, [done, queryClient]);

  if (run.isPending) return <Loading label="Loading the import run…" />;
  if (run.error) return <ErrorAlert error={run.error} title="Could not load the import run" />;
  const r = run.data;
  const appName = app.data?.name ?? 'application';

  return (
    <>
      <PageHeader
        title={`${KIND_TITLES[r.kind]} ${appName}`}
        crumbs={[
          { label: 'Applications', to: '/applications' },
          { label: appName, to: `/applications/${r.applicationId}?tab=idm` },
        ]}
        description={
          `Started ${formatDateTime(r.startedAt ?? r.createdAt)} by ` +
          `${r.initiatedBy.email ?? r.initiatedBy.type}${r.finishedAt ? ` · finished ${formatDateTime(r.finishedAt)}` : ''}`
        }
      />
      <Stack gap="lg">
        <RunFacts run={r} />
        {r.status === 'paused' && <PausedRun run={r} />}
        <RunProgress run={r} done={done} />
        {(done || r.processed > 0) && <RunResults run={r} />}
      </Stack>
    </>
  );
}

const KIND_TITLES: Record<ImportRun['kind'], string> = {
  users: 'Import from',
  groups: 'Group import from',
  undo: 'Undo of an import from',
};

/** What kind of run this is, what started it, and its links to the run it undoes or that undid it. */
function RunFacts({ run: r }: { run: ImportRun }) {
  // An undo that failed may be tried again: the run stays undoable while its undo run has failed.
  const undo = useQuery({
    queryKey: importRunKeys.detail(r.undoneBy ?? ''),
    queryFn: () => data(client.GET('/api/v1/import-runs/{id}', { params: { path: { id: r.undoneBy! } } })),
    enabled: r.undoneBy !== undefined,
  });
  return (
    <Group justify="space-between" wrap="wrap">
      <Group gap="xs" aria-label="Run">
        <Badge variant="outline">{r.kind} run</Badge>
        <Badge variant="outline" color={r.trigger === 'schedule' ? 'violet' : 'gray'}>
          {r.trigger === 'schedule' ? 'scheduled' : 'manual'}
        </Badge>
        {r.dryRun && <Badge color="yellow">dry run</Badge>}
        {r.undoOf && (
          <Anchor component={Link} to={`/import-runs/${r.undoOf}`} size="sm">
            The run it undoes
          </Anchor>
        )}
        {r.undoneBy && (
          <Anchor component={Link} to={`/import-runs/${r.undoneBy}`} size="sm">
            Undone: see the undo run
          </Anchor>
        )}
      </Group>
      {canUndo(r, undo.data?.status === 'failed') && <UndoButton run={r} />}
    </Group>
  );
}

function Count({ label, n }: { label: string; n: number }) {
  return (
    <LabelledText label={label}>
      <b>{formatNumber(n)}</b>
    </LabelledText>
  );
}

function RunProgress({ run: r, done }: { run: ImportRun; done: boolean }) {
  const total = Math.max(r.total, r.processed);
  const percent = total ? Math.round((r.processed / total) * 100) : done ? 100 : 0;
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Group justify="space-between">
          <Group gap="xs">
            <Text fw={600}>Status</Text>
            <RunStatusBadge status={r.status} />
          </Group>
          <Text size="sm" aria-live="polite">
            {formatNumber(r.processed)} of {formatNumber(total)} processed · {percent}%
          </Text>
        </Group>
        <Progress
          value={percent}
          size="xl"
          animated={!done}
          striped={!done}
          color={r.status === 'failed' ? 'red' : done ? 'green' : 'blue'}
          aria-label="Import progress"
        />
        <SimpleGrid cols={{ base: 3, sm: 6 }}>
          {r.kind === 'undo' ? <Count label="Reverted" n={r.reverted} /> : <Count label="Created" n={r.created} />}
          {r.kind === 'users' && <Count label="Linked" n={r.linked} />}
          {r.kind === 'users' && <Count label="Updated" n={r.updated} />}
          <Count label="Skipped" n={r.skipped} />
          <Count label="Failed" n={r.failed} />
        </SimpleGrid>
        {!done && r.estimate && (
          <Text size="sm" data-testid="run-estimate">
            Expected: {r.estimate.text}.
          </Text>
        )}
        {!done && r.status !== 'paused' && (
          <Text size="sm" c="dimmed">
            You can leave this page: the results will be emailed to {r.initiatedBy.email ?? 'you'} when the run completes.
          </Text>
        )}
        {r.status === 'completed' && (
          <Alert color="green" title={r.dryRun ? 'Dry run completed' : r.kind === 'undo' ? 'Undo completed' : 'Import completed'}>
            {r.dryRun
              ? 'Nothing was written: the results below are what the run would have done.'
              : `The results were emailed to ${r.initiatedBy.email ?? 'the admin who started it'}.`}
          </Alert>
        )}
        {r.status === 'failed' && (
          <Alert color="red" title="The import failed">
            {r.error ?? 'No reason was recorded.'} Users created before it stopped stay created.
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}

function RunResults({ run }: { run: ImportRun }) {
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const pager = useKeysetPager(outcome);
  const results = useQuery({
    queryKey: importRunKeys.results(run.id, outcome, pager.cursor, run.processed),
    queryFn: async () => {
      const query = { outcome: outcome || undefined, limit: PAGE, cursor: pager.cursor };
      return json(await data(client.GET('/api/v1/import-runs/{id}/results', { params: { path: { id: run.id }, query } })));
    },
    placeholderData: keepPreviousData,
  });
  const items = results.data?.items ?? [];
  return (
    <section aria-labelledby="results-title">
      <Group justify="space-between" mb="xs" wrap="wrap" align="flex-end">
        <Title order={2} size="h4" id="results-title">
          Results
        </Title>
        <Group gap="xs" align="flex-end">
          <NativeSelect
            label="Outcome"
            size="xs"
            value={outcome}
            onChange={(e) => setOutcome(e.currentTarget.value as Outcome | '')}
            data={[{ value: '', label: 'All outcomes' }, ...RESULT_OUTCOMES.map((o) => ({ value: o, label: o }))]}
          />
          <Button component="a" href={`/api/v1/import-runs/${run.id}/results?format=csv`} download variant="default" size="xs">
            Download CSV
          </Button>
        </Group>
      </Group>
      <ErrorAlert error={results.error} title="Could not load the results" />
      {results.isPending ? (
        <Loading />
      ) : (
        <ResultsTable results={items} kind={run.kind} emptyTitle={outcome ? `No ${outcome} results` : 'No results yet'} />
      )}
      <Pager pager={pager} nextCursor={results.data?.nextCursor} shown={items.length} pageSize={PAGE} label="results" />
      {run.kind !== 'undo' && (
        <Anchor
          component={Link}
          to={`/insights?eventType=${run.kind === 'groups' ? 'group' : 'user'}_create&applicationId=${run.applicationId}`}
          size="sm"
        >
          Imported {run.kind} in Directory Insights
        </Anchor>
      )}
    </section>
  );
}
