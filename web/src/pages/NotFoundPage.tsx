import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <Stack align="flex-start">
      <Title order={1} size="h2">
        Page not found
      </Title>
      <Text>There is no page at this address. It may have been deleted, or the link is mistyped.</Text>
      <Anchor component={Link} to="/users">
        Go to the users list
      </Anchor>
    </Stack>
  );
}
