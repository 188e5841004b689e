// The signed-in frame: header with the admin and sign-out, navigation that folds into a burger menu
// on narrow windows.
import { Anchor, AppShell, Burger, Button, Group, NavLink, Text, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { NavLink as RouterNavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { client, data, setCsrfToken } from '../api/client.ts';
import { sessionKeys } from '../api/keys.ts';
import { useMe } from '../api/session.ts';
import { LazyPage } from './Loading.tsx';

const NAV = [
  { to: '/users', label: 'Users' },
  { to: '/groups', label: 'Groups' },
  { to: '/applications', label: 'Applications' },
  { to: '/scim-sources', label: 'SCIM sources' },
  { to: '/insights', label: 'Directory Insights' },
  { to: '/mail', label: 'Mail outbox' },
  { to: '/api-keys', label: 'API keys' },
  { to: '/admins', label: 'Admins' },
  { to: '/security', label: 'Security' },
];

export function AppLayout() {
  const [opened, { toggle, close }] = useDisclosure(false);
  const { data: me } = useMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();

  const signOut = async () => {
    try {
      await data(client.POST('/api/v1/auth/logout'));
    } finally {
      setCsrfToken(null);
      queryClient.clear();
      queryClient.setQueryData(sessionKeys.me, null);
      void navigate('/signin', { replace: true });
    }
  };

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <Anchor href="#main" className="skip-link">
        Skip to content
      </Anchor>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={opened ? 'Close navigation' : 'Open navigation'}
            />
            <Text fw={800} size="lg" c="blue.7">
              Roster
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" c="dimmed" visibleFrom="xs" truncate maw={260}>
              {me?.admin?.email ?? me?.actor.email}
              {me?.actor.role === 'read_only' && ' (read only)'}
            </Text>
            <Button variant="subtle" size="xs" onClick={() => void signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {NAV.filter((item) => !me?.mfaEnrolmentRequired || item.to === '/security').map((item) => (
          <NavLink
            key={item.to}
            component={RouterNavLink}
            to={item.to}
            label={item.label}
            active={
              location.pathname === item.to ||
              location.pathname.startsWith(`${item.to}/`) ||
              (item.to === '/applications' && location.pathname.startsWith('/import-runs/'))
            }
            onClick={close}
          />
        ))}
        <NavLink href="/api/docs" label="API documentation" target="_blank" rel="noopener" />
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <VisuallyHidden>
          <span aria-live="polite">{location.pathname}</span>
        </VisuallyHidden>
        <LazyPage>
          <Outlet />
        </LazyPage>
      </AppShell.Main>
    </AppShell>
  );
}
