// What the ScimClient's quirk and interop tests share: the failure they expect, the requests a test
// server saw, and a directory user with every kind of attribute.
import type { DirectoryUserForScim } from '../server/scim/index.ts';
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
