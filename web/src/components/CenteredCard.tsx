import { Center, Paper, Stack, Text, Title, type MantineSpacing, type StyleProp } from '@mantine/core';
import type { ReactNode } from 'react';

const ROSTER = (
  <Text fw={800} size="lg" c="blue.7">
    Roster
  </Text>
);

interface CenteredCardProps {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
  /** Above the title: the product's name unless told otherwise. */
  brand?: ReactNode;
  width?: number;
  padding?: StyleProp<MantineSpacing>;
}

/** The frame of the signed-out pages (sign in, first-admin setup, and the account pages' AccountFrame). */
export function CenteredCard({ title, subtitle, children, brand = ROSTER, width = 420, padding = 'xl' }: CenteredCardProps) {
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p={padding} radius="md" w="100%" maw={width}>
        <Stack>
          <div>
            {brand}
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
