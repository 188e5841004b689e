// Tests talk to SCIM servers on this machine over plain http: the operator's setting that allows it.
import { networkPolicy } from '../server/scim/index.ts';

const LOOPBACK_NETWORKS = '127.0.0.0/8,::1';
/** For loadConfig / a spawned server's environment. */
export const TEST_NETWORK_ENV = { ROSTER_SCIM_ALLOWED_NETWORKS: LOOPBACK_NETWORKS, ROSTER_SCIM_ALLOW_HTTP: 'true' };
/** For a ScimClient made by hand. */
export const TEST_NETWORK = networkPolicy(LOOPBACK_NETWORKS.split(','), true);
