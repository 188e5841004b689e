// Directory Insights: the audit trail, filtered and paged on the server, exportable as CSV.
import { Anchor, Badge, Button, Collapse, Table, Text, UnstyledButton } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { Link } from 'react-router';
import { client, data, json, withQuery } from '../../api/client.ts';
import { insightKeys } from '../../api/keys.ts';
import type { InsightEvent } from '../../api/types.ts';
import { ListBody } from '../../components/ListTable.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryList } from '../../components/QueryList.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useKeysetPager } from '../../lib/keyset.ts';
import { useUrlState } from '../../lib/url-state.ts';
import { InsightsFilters } from './InsightsFilters.tsx';
import { apiQuery, INSIGHTS_DEFAULTS } from './insightsFilters.ts';

const EVENTS = '/api/v1/insights/events' as const;

export function InsightsPage() {
  const [f, set] = useUrlState(INSIGHTS_DEFAULTS);
  const pager = useKeysetPager(JSON.stringify(f));
  const filter = apiQuery(f);
  const events = useQuery({
    queryKey: insightKeys.list(f, pager.cursor),
    queryFn: async ({ signal }) => {
      const query = { ...filter, limit: Number(f.limit), cursor: pager.cursor };
      return json(await data(client.GET(EVENTS, { params: { query }, signal })));
    },
    placeholderData: keepPreviousData,
  });
  const filtered = Object.keys(filter).length > 0;
  return (
    <>
      <PageHeader
        title="Directory Insights"
        description="Every change, import, provisioning operation and admin action, newest first."
        actions={
          <Button component="a" href={withQuery(EVENTS, { ...filter, format: 'csv' })} download variant="default">
            Export CSV
          </Button>
        }
      />
      <InsightsFilters f={f} set={set} />
      {filtered && (
        <Button variant="subtle" size="xs" mb="sm" onClick={() => set(INSIGHTS_DEFAULTS)}>
          Clear all filters
        </Button>
      )}
      <QueryList
        query={events}
        errorTitle="Could not load the events"
        loadingLabel="Loading events…"
        paging={{ pager, pageSize: Number(f.limit), onPageSize: (n) => set({ limit: String(n) }), label: 'events' }}
      >
        {(items) => (
          <Table.ScrollContainer minWidth={900}>
            <Table striped aria-label="Events" style={{ opacity: events.isPlaceholderData ? 0.6 : 1 }}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Event</Table.Th>
                  <Table.Th>Initiated by</Table.Th>
                  <Table.Th>Resource</Table.Th>
                  <Table.Th>Application</Table.Th>
                  <Table.Th>Result</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <ListBody
                items={items}
                colSpan={6}
                empty={
                  filtered
                    ? { title: 'No event matches these filters', hint: 'Widen the time range or clear filters.' }
                    : { title: 'No events yet' }
                }
              >
                {(e) => <EventRow key={e.id} e={e} />}
              </ListBody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryList>
    </>
  );
}

function resourceLink(e: InsightEvent) {
  const { type, id, username } = e.resource;
  const label = username ?? (id ? `${type} ${id.slice(0, 8)}…` : type);
  const to = !id
    ? null
    : type === 'user'
      ? `/users/${id}`
      : type === 'group'
        ? `/groups/${id}`
        : type === 'application'
          ? `/applications/${id}`
          : type === 'import_run'
            ? `/import-runs/${id}`
            : null;
  return to ? (
    <Anchor component={Link} to={to} size="sm">
      {label}
    </Anchor>
  ) : (
    <Text size="sm">{label}</Text>
  );
}

function EventRow({ e }: { e: InsightEvent }) {
  const [open, setOpen] = useState(false);
  const hasDetails = e.changes !== undefined || e.message || e.importRunId || e.clientIp;
  return (
    <Fragment>
      <Table.Tr>
        <Table.Td>
          <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
            {formatDateTime(e.timestamp, true)}
          </Text>
        </Table.Td>
        <Table.Td>
          {hasDetails ? (
            <UnstyledButton onClick={() => setOpen((o) => !o)} aria-expanded={open} className="mono" title="Show details">
              {open ? '▾' : '▸'} {e.eventType}
            </UnstyledButton>
          ) : (
            <span className="mono">{e.eventType}</span>
          )}
        </Table.Td>
        <Table.Td>
          <Text size="sm">{e.initiatedBy.email ?? e.initiatedBy.type}</Text>
        </Table.Td>
        <Table.Td>{resourceLink(e)}</Table.Td>
        <Table.Td>
          {e.application ? (
            <Anchor component={Link} to={`/applications/${e.application.id}`} size="sm">
              {e.application.name}
            </Anchor>
          ) : null}
        </Table.Td>
        <Table.Td>
          <Badge color={e.success ? 'green' : 'red'} variant="light">
            {e.success ? 'success' : 'failed'}
          </Badge>
        </Table.Td>
      </Table.Tr>
      {hasDetails && (
        <Table.Tr style={{ display: open ? undefined : 'none' }}>
          <Table.Td colSpan={6}>
            <Collapse expanded={open}>
              {e.message && (
                <Text size="sm" mb={4}>
                  {e.message}
                </Text>
              )}
              {e.importRunId && (
                <Anchor component={Link} to={`/import-runs/${e.importRunId}`} size="sm">
                  Import run
                </Anchor>
              )}
              {e.clientIp && (
                <Text size="xs" c="dimmed">
                  From {e.clientIp}
                </Text>
              )}
              {e.changes !== undefined && <pre className="block">{JSON.stringify(e.changes, null, 2)}</pre>}
            </Collapse>
          </Table.Td>
        </Table.Tr>
      )}
    </Fragment>
  );
}
