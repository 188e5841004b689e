// A source's base URL and a token that is shown this once (after creation or rotation), with copy
// buttons and where each goes in Entra ID and Okta.
import { Alert, Button, Code, CopyButton, Group, List, Stack, Text, Title } from '@mantine/core';

function CopyValue({ label, value, copyLabel }: { label: string; value: string; copyLabel: string }) {
  return (
    <Stack gap={4}>
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" fw={600}>
          {label}
        </Text>
        <CopyButton value={value}>
          {({ copied, copy }) => (
            <Button size="xs" variant="default" onClick={copy}>
              {copied ? 'Copied' : copyLabel}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Code block aria-label={label} style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>
        {value}
      </Code>
    </Stack>
  );
}

export function TokenReveal({ baseUrl, token }: { baseUrl: string; token: string }) {
  return (
    <Stack>
      <Alert color="yellow" title="This token is shown only now">
        Copy it now and paste it into your identity provider. Roster stores only a hash of it: if it is lost, rotate the token on the
        source&apos;s page.
      </Alert>
      <CopyValue label="Base URL" value={baseUrl} copyLabel="Copy URL" />
      <CopyValue label="Token" value={token} copyLabel="Copy token" />
      <Stack gap={4}>
        <Title order={3} size="h5">
          Connect your identity provider
        </Title>
        <List size="sm" spacing={4}>
          <List.Item>
            <b>Microsoft Entra ID</b>: in the enterprise application, Provisioning, mode Automatic, Admin Credentials: <i>Tenant URL</i> =
            the base URL, <i>Secret Token</i> = the token; then Test Connection and start provisioning.
          </List.Item>
          <List.Item>
            <b>Okta</b>: in the app integration&apos;s Provisioning, Integration: <i>SCIM connector base URL</i> = the base URL, unique
            identifier field <i>userName</i>, authentication mode <i>HTTP Header</i>, <i>Bearer</i> = the token.
          </List.Item>
          <List.Item>
            Other clients: send <Code>Authorization: Bearer &lt;token&gt;</Code> to the base URL&apos;s <Code>/Users</Code> and{' '}
            <Code>/Groups</Code>.
          </List.Item>
        </List>
      </Stack>
    </Stack>
  );
}
