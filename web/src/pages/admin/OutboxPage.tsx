// Every email Roster sent or kept. Shown as text: the HTML is Roster's own, but text needs no sandbox.
import { Anchor, Badge, Modal, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { client, data } from '../../api/client.ts';
import { mailKeys } from '../../api/keys.ts';
import type { OutboxMail } from '../../api/types.ts';
import type { ListColumn } from '../../components/ListTable.tsx';
import { LabelledText } from '../../components/LabelledText.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryTable } from '../../components/QueryList.tsx';
import { SearchInput } from '../../components/SearchInput.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useKeysetPager } from '../../lib/keyset.ts';

const PAGE = 50;
const statusColor = { queued: 'gray', sent: 'green', failed: 'red', stored: 'blue' } as const;

function mailColumns(show: (m: OutboxMail) => void): ListColumn<OutboxMail>[] {
  return [
    {
      header: 'Created',
      cell: (m) => (
        <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
          {formatDateTime(m.createdAt)}
        </Text>
      ),
    },
    { header: 'To', cell: (m) => <Text size="sm">{m.to}</Text> },
    {
      header: 'Subject',
      cell: (m) => (
        <Anchor component="button" type="button" size="sm" onClick={() => show(m)} ta="left">
          {m.subject}
        </Anchor>
      ),
    },
    {
      header: 'Status',
      cell: (m) => (
        <>
          <Badge color={statusColor[m.status]} variant="light">
            {m.status}
          </Badge>
          {m.lastError && (
            <Text size="xs" c="red">
              {m.lastError}
            </Text>
          )}
        </>
      ),
    },
  ];
}

export function OutboxPage() {
  const [to, setTo] = useState('');
  const [debounced] = useDebouncedValue(to.trim(), 300);
  const pager = useKeysetPager(debounced);
  const [shown, setShown] = useState<OutboxMail | null>(null);
  const mail = useQuery({
    queryKey: mailKeys.list(debounced, pager.cursor),
    queryFn: ({ signal }) =>
      data(client.GET('/api/v1/mail/outbox', { params: { query: { to: debounced, limit: PAGE, cursor: pager.cursor } }, signal })),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
  return (
    <>
      <PageHeader
        title="Mail outbox"
        description="Every email Roster sent or stored, newest first. Without SMTP configured, emails are kept here (status stored)."
      />
      <SearchInput label="Recipient" placeholder="name@example.com" value={to} onSearch={setTo} mb="sm" />
      <QueryTable
        query={mail}
        errorTitle="Could not load the outbox"
        paging={{ pager, pageSize: PAGE, label: 'emails' }}
        label="Emails"
        minWidth={720}
        highlightOnHover
        columns={mailColumns(setShown)}
        empty={
          debounced
            ? { title: 'No email to this recipient' }
            : { title: 'No emails yet', hint: 'Import results and account emails will appear here.' }
        }
      />
      <MailModal mail={shown} onClose={() => setShown(null)} />
    </>
  );
}

function MailModal({ mail: shown, onClose }: { mail: OutboxMail | null; onClose: () => void }) {
  return (
    <Modal opened={Boolean(shown)} onClose={onClose} title={shown?.subject} size="lg">
      {shown && (
        <Stack gap="xs">
          <LabelledText label="To">{shown.to}</LabelledText>
          <LabelledText label="Created">
            {formatDateTime(shown.createdAt)}
            {shown.sentAt && ` · sent ${formatDateTime(shown.sentAt)}`} · {shown.attempts} attempt(s)
          </LabelledText>
          {shown.attachments.length > 0 && (
            <LabelledText label="Attachments">{shown.attachments.map((a) => a.filename).join(', ')}</LabelledText>
          )}
          <pre className="block" style={{ fontSize: 'var(--mantine-font-size-sm)' }}>
            {shown.text}
          </pre>
        </Stack>
      )}
    </Modal>
  );
}
