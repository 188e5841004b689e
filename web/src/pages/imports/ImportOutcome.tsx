// What an import request answered: the results at once (small runs), or where to follow a background run.
import { Alert, Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { ImportResult, ImportRun } from '../../api/types.ts';
import { formatNumber, plural } from '../../lib/format.ts';
import { ResultsTable } from './ResultsTable.tsx';

export type ImportResponse = { run: ImportRun & { results?: ImportResult[] } };

export function ImportOutcome({ response, email, onDismiss }: { response: ImportResponse; email?: string | null; onDismiss: () => void }) {
  const { run } = response;
  if (!run.results) {
    return (
      <Alert color="blue" title="The import runs in the background" withCloseButton onClose={onDismiss} role="status">
        <Stack gap="xs">
          <Text size="sm">
            Importing {run.mode === 'all' ? `every new user (${plural(run.total, 'user')} to check)` : plural(run.total, 'user')}. The
            results will be emailed to
            {email ? ` ${email}` : ' you'} when the run completes; you can leave this page.
          </Text>
          <Group>
            <Button component={Link} to={`/import-runs/${run.id}`} size="xs">
              Follow the progress
            </Button>
          </Group>
        </Stack>
      </Alert>
    );
  }
  return (
    <Stack gap="xs" aria-live="polite">
      <Group justify="space-between" wrap="wrap">
        <Title order={2} size="h4">
          Import results
        </Title>
        <Group gap="xs">
          <Anchor component={Link} to={`/import-runs/${run.id}`} size="sm">
            Run details
          </Anchor>
          <Button variant="subtle" size="xs" onClick={onDismiss}>
            Close results
          </Button>
        </Group>
      </Group>
      <Alert
        color={run.failed ? 'yellow' : 'green'}
        title={run.status === 'failed' ? 'The import failed' : run.dryRun ? 'Dry run completed' : 'Import completed'}
      >
        {formatNumber(run.created)} created, {formatNumber(run.linked)} linked, {formatNumber(run.updated)} updated,{' '}
        {formatNumber(run.skipped)} skipped, {formatNumber(run.failed)} failed.
        {run.error && ` ${run.error}`}{' '}
        {run.dryRun ? 'Nothing was written: these are what the run would do.' : 'The results were also emailed to you.'}
      </Alert>
      <ResultsTable results={run.results} />
    </Stack>
  );
}
