// What the ScimClient's quirk and interop tests share: the failure they expect, the requests a test
// server saw, and a directory user with every kind of attribute.
import type { DirectoryUserForScim, ScimClientOptions } from '../server/scim/index.ts';
import { scimClientFixture } from './scim-client.ts';
import { ScimError } from '../server/scim/index.ts';
import type { RunningScimServer, ScimUserJson } from './scim-server/index.ts';

/** The ScimError `p` rejects with; anything else (or no failure) fails the test. */
export async function failure(p: Promise<unknown>): Promise<ScimError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ScimError) return err;
    throw err;
  }
  throw new Error('expected a ScimError');
}

export const requestsFor = (scim: RunningScimServer, method: string, path?: RegExp) =>
  scim.requests.filter((r) => r.method === method && (!path || path.test(r.path)));

export const ada: DirectoryUserForScim = {
  id: 'roster-ada',
  state: 'ACTIVE',
  username: 'ada.lovelace@example.com',
  email: 'ada.lovelace@example.com',
  firstname: 'Ada',
  lastname: 'Lovelace',
  displayname: 'Ada Lovelace',
  jobTitle: 'Analyst',
  department: 'Research',
  phoneNumbers: [{ type: 'work', number: '+44 20 7946 0000' }],
  addresses: [{ type: 'home', streetAddress: '12 St James Sq', locality: 'London', region: '', postalCode: 'SW1Y 4JH', country: 'gb' }],
};

/** A seeded user whose userName has capitals (F3: case-insensitive lookups). */
export function mixedCaseUser(scim: RunningScimServer): ScimUserJson {
  const u = scim.store.listUsers().find((x) => x.userName !== x.userName.toLowerCase());
  if (!u) throw new Error('the seed has no mixed-case userName');
  return u;
}

const QUIRKS_CLIENT: Partial<ScimClientOptions> = {
  retries: { max: 3, baseDelayMs: 1, maxDelayMs: 20 },
  rateLimit: null,
  timeoutMs: 3_000,
  paging: { pageSize: 50 },
};

/** Servers of 60 seeded users and clients with tiny backoffs, for the quirk tests of lookups, writes and groups. */
export const quirksFixture = () =>
  scimClientFixture({ token: 'client-quirks-token', server: { users: 60, seed: 3 }, client: QUIRKS_CLIENT });
