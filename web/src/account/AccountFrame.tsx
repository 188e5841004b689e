// The frame of the public account pages: no admin navigation, a centred card that fills a narrow
// window, and the page's name in the tab title.
import { Anchor, Button, Group, Text } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { CenteredCard } from '../components/CenteredCard.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { Loading } from '../components/Loading.tsx';

export function AccountFrame({
  title,
  subtitle,
  children,
  width = 440,
}: {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
  width?: number;
}) {
  useDocumentTitle(`${title} · Roster`);
  return (
    <CenteredCard title={title} subtitle={subtitle} brand={<Brand />} width={width} padding={{ base: 'md', xs: 'xl' }}>
      {children}
    </CenteredCard>
  );
}

/** An account page whose query has not answered yet. */
export function AccountLoading({ title, label }: { title: string; label: string }) {
  return (
    <AccountFrame title={title}>
      <Loading label={label} />
    </AccountFrame>
  );
}

/** An account page whose query failed: what went wrong, and a button that asks again. */
export function AccountRetry(props: {
  title: string;
  errorTitle: string;
  query: { error: unknown; isFetching: boolean; refetch: () => Promise<unknown> };
}) {
  const { query } = props;
  return (
    <AccountFrame title={props.title}>
      <ErrorAlert error={query.error} title={props.errorTitle} />
      <Button variant="light" onClick={() => void query.refetch()} loading={query.isFetching}>
        Try again
      </Button>
    </AccountFrame>
  );
}

export function Brand() {
  return (
    <Group gap={6} wrap="nowrap">
      <Text fw={800} size="lg" c="blue.7">
        Roster
      </Text>
      <Text size="sm" c="dimmed">
        Your account
      </Text>
    </Group>
  );
}

/** Each message of a field on its own line, first letter up: the API's messages continue "The password …". */
export function FieldMessages({ messages }: { messages: string[] }): ReactNode {
  if (messages.length === 0) return undefined;
  const cap = (m: string) => m.charAt(0).toUpperCase() + m.slice(1);
  if (messages.length === 1) return cap(messages[0]);
  return messages.map((m, i) => (
    <span key={i} style={{ display: 'block' }}>
      {cap(m)}
    </span>
  ));
}

export const AdminSignInLink = () => (
  <Text size="xs" c="dimmed">
    Administrator of this directory?{' '}
    <Anchor href="/signin" size="xs">
      Admin sign-in
    </Anchor>
  </Text>
);
