// The frame of the public account pages: no admin navigation, a centred card that fills a narrow
// window, and the page's name in the tab title.
import { Anchor, Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import type { ReactNode } from 'react';

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
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p={{ base: 'md', xs: 'xl' }} radius="md" w="100%" maw={width}>
        <Stack>
          <div>
            <Brand />
            <Title order={1} size="h3" style={{ overflowWrap: 'anywhere' }}>
              {title}
            </Title>
            {subtitle && (
              <Text c="dimmed" size="sm" mt={4} component="div">
                {subtitle}
              </Text>
            )}
          </div>
          {children}
        </Stack>
      </Paper>
    </Center>
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
