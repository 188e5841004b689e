// Real ScimClients against the project's test SCIM server, for the client's quirk tests: every server
// and client a test starts is closed after it.
import { afterEach } from 'vitest';
import { ScimClient, type ScimClientOptions } from '../server/scim/index.ts';
import { type Quirks, type RunningScimServer, type ScimServerOptions, startScimServer } from './scim-server/index.ts';
import { TEST_NETWORK } from './network.ts';

export function scimClientFixture(defaults: { token: string; server: ScimServerOptions; client: Partial<ScimClientOptions> }) {
  const servers: RunningScimServer[] = [];
  const clients: ScimClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });
  /** A client of this server with the fixture's token and options (overridden by `client`). */
  const newClient = (scim: RunningScimServer, client: Partial<ScimClientOptions> = {}): ScimClient => {
    const c = new ScimClient({
      baseUrl: scim.baseUrl,
      auth: { type: 'bearer', token: defaults.token },
      network: TEST_NETWORK,
      ...defaults.client,
      ...client,
    });
    clients.push(c);
    return c;
  };
  /** A server with these quirks and a client of it. */
  const setup = async (quirks: Partial<Quirks> = {}, client: Partial<ScimClientOptions> = {}, server: ScimServerOptions = {}) => {
    const scim = await startScimServer({ ...defaults.server, auth: { type: 'bearer', token: defaults.token }, quirks, ...server });
    servers.push(scim);
    return { scim, c: newClient(scim, client) };
  };
  return { setup, newClient, servers };
}
