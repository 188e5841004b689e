// The real ScimClient listing against the project's test SCIM server under every pagination quirk
// (SCIM-QUIRKS.md P1-P18) and the combinations real servers ship. 237 users so that no page size
// divides the total: an off-by-one in the paging engine shows up as a missing or extra id.
import { describe, expect, it } from 'vitest';
import { codeUnitOrder } from '../../test/order.ts';
import { scimClientFixture } from '../../test/scim-client.ts';
import type { Quirks, RunningScimServer } from '../../test/scim-server/index.ts';
import { ScimClientError, eq, fromScimUser, diffDirectoryAttributes, type ScimClientOptions, type ScimUser } from './index.ts';

const TOKEN = 'paging-quirks-token';
const USERS = 237;
const FAST: Partial<ScimClientOptions> = { retries: { max: 3, baseDelayMs: 1, maxDelayMs: 20 }, rateLimit: null, timeoutMs: 3_000 };

const { setup } = scimClientFixture({ token: TOKEN, server: { users: USERS, groups: 3, seed: 7 }, client: FAST });

function storeIds(scim: RunningScimServer, keep: (u: ScimUser) => boolean = () => true): string[] {
  return scim.store
    .listUsers()
    .filter((u) => keep(u as ScimUser))
    .map((u) => u.id as string)
    .sort();
}

/** Ids in listing order, asserting each came once. */
async function listIds(listing: AsyncIterable<{ id?: string }>): Promise<string[]> {
  const ids: string[] = [];
  for await (const r of listing) ids.push(r.id as string);
  expect(new Set(ids).size).toBe(ids.length);
  return ids;
}

const listRequests = (scim: RunningScimServer, endpoint = 'Users') =>
  scim.requests.filter((r) => r.method === 'GET' && new RegExp(`/${endpoint}$`).test(r.path));

// [name, server quirks, client options]
const CASES: Array<[string, Partial<Quirks>, Partial<ScimClientOptions>?]> = [
  ['RFC behaviour', {}],
  ['P1 count capped at 30 (ServiceProviderConfig honest)', { maxPageSize: 30 }],
  ['P1 count capped at 30 (ServiceProviderConfig claims 1000)', { maxPageSize: 30, advertisedMaxPageSize: 1000 }],
  ['P1 count capped, no discovery', { maxPageSize: 30 }, { paging: { discover: false } }],
  ['P2 default page of 10 when count is left out', { defaultPageSize: 10 }],
  ['P3 totalResults is the page length', { totalResultsIsPageCount: true }],
  ['P1+P3', { maxPageSize: 30, advertisedMaxPageSize: 1000, totalResultsIsPageCount: true }],
  ['P4 past the end answers page 1 again', { pastEndBehavior: 'firstPage' }],
  ['P4 past the end answers the last item', { pastEndBehavior: 'lastItem' }],
  ['P1+P4+P11', { maxPageSize: 40, advertisedMaxPageSize: 1000, pastEndBehavior: 'firstPage', itemsPerPageEchoesCount: true }],
  ['P3+P4 (no honest total, past end repeats)', { totalResultsIsPageCount: true, pastEndBehavior: 'firstPage' }],
  ['P5 startIndex is 0-based', { startIndexMode: 'zeroBased' }],
  ['P5 startIndex 0, 1 and 2 are the same', { startIndexMode: 'lowIndicesSame' }],
  ['P5+P3 0-based without an honest total', { startIndexMode: 'zeroBased', totalResultsIsPageCount: true }],
  ['P5+P4 0-based, past the end repeats page 1', { startIndexMode: 'zeroBased', pastEndBehavior: 'firstPage' }],
  ['P6 cursor only (learnt from ServiceProviderConfig)', { cursorOnly: true, maxPageSize: 100 }],
  ['P6 cursor only, startIndex refused with 400', { cursorOnly: true, cursorOnlyStartIndex: 'reject' }],
  ['P6 cursor only, startIndex ignored, no discovery', { cursorOnly: true }, { paging: { discover: false } }],
  [
    'P6 cursor only, startIndex refused, no discovery',
    { cursorOnly: true, cursorOnlyStartIndex: 'reject' },
    { paging: { discover: false } },
  ],
  ['P7 unsolicited nextCursor on index pages', { unsolicitedNextCursor: true }],
  ['P7 unsolicited nextCursor, then expiredCursor (restart)', { unsolicitedNextCursor: true, expireNextCursors: 1 }],
  ['P7 cursor mode asked for, then expiredCursor (restart)', { expireNextCursors: 1 }, { paging: { mode: 'cursor' } }],
  ['P7 cursor parameter ignored by the server', { cursorSupported: false }, { paging: { mode: 'auto' } }],
  ['P8 deep startIndex refused: keyset paging', { maxStartIndex: 100 }],
  ['P8+P1+P3', { maxStartIndex: 60, maxPageSize: 30, advertisedMaxPageSize: 1000, totalResultsIsPageCount: true }],
  ['P9 Resources left out of the empty last page', { emptyListShape: 'omitResources' }],
  ['P9 bare empty page (no Resources/startIndex/itemsPerPage)', { emptyListShape: 'bare' }],
  ['P10 lower-case envelope keys', { lowerCaseEnvelopeKeys: true }],
  ['P11 itemsPerPage echoes count', { itemsPerPageEchoesCount: true }],
  ['P12 count=0 is a 400', { countZero: 'error' }],
  ['P12 count=0 answers the largest page', { countZero: 'maxPage' }],
  ['P13 empty lists unless startIndex and count are both sent', { requireStartIndexAndCount: true }],
  ['P13+P1', { requireStartIndexAndCount: true, maxPageSize: 30, advertisedMaxPageSize: 1000 }],
  // Shapes of real servers (SCIM-QUIRKS.md vendor notes and recorded peers).
  ['like scimmy 1.3.5', { defaultPageSize: 20, pastEndBehavior: 'firstPage', itemsPerPageEchoesCount: true, cursorSupported: false }],
  [
    'like scim2-server 0.1.7',
    {
      maxPageSize: 50,
      advertisedMaxPageSize: 1000,
      totalResultsIsPageCount: true,
      countZero: 'zeroTotal',
      emptyListShape: 'omitResources',
      cursorSupported: false,
    },
  ],
  ['like AWS IAM Identity Center', { cursorOnly: true, maxPageSize: 100, advertisedMaxPageSize: 1000 }],
  ['like Entra ID', { lowerCaseEnvelopeKeys: true, countZero: 'error', cursorSupported: false }],
  ['like Salesforce', { maxStartIndex: 100, cursorSupported: false }],
  ['like WSO2 IS', { totalResultsIsPageCount: true, pastEndBehavior: 'firstPage', emptyListShape: 'bare', cursorSupported: false }],
];

describe('listing users yields exactly the stored ids', () => {
  for (const [name, quirks, client] of CASES) {
    it(name, async () => {
      const { scim, c } = await setup(quirks, { paging: { pageSize: 50 }, ...client });
      const listing = c.listUsers();
      const ids = await listIds(listing);
      expect(ids.sort()).toEqual(storeIds(scim));
      expect(listing.stats.done).toBe(true);
      const lists = listRequests(scim);
      // Never count=0 (P12), never without count (P2); index pages always carry startIndex too (P13).
      for (const r of lists) {
        expect(r.query.count, JSON.stringify(r.query)).toMatch(/^[1-9]\d*$/);
        if (r.query.cursor === undefined) expect(r.query.startIndex).toMatch(/^\d+$/);
      }
      // A handful of extra requests (probes, restarts) at most; no runaway paging.
      const pageSize = Math.min(50, quirks.maxPageSize ?? 50);
      expect(lists.length).toBeLessThanOrEqual(2 * Math.ceil(USERS / pageSize) + 6);
      expect(scim.stats().byStatus[500] ?? 0).toBe(0);
    });
  }

  it('P1: advances by what it received, not by what it asked for', async () => {
    const { scim, c } = await setup({ maxPageSize: 30, advertisedMaxPageSize: 1000 }, { paging: { pageSize: 100 } });
    expect((await listIds(c.listUsers())).length).toBe(USERS);
    // Pages after the first go out together (paging-parallel.ts), so they may arrive in any order.
    const starts = listRequests(scim)
      .map((r) => Number(r.query.startIndex))
      .sort((a, b) => a - b);
    expect(starts.slice(0, 4)).toEqual([1, 31, 61, 91]);
  });

  it('P5: reports the 0-based probe and recovers the skipped first user', async () => {
    const { scim, c } = await setup({ startIndexMode: 'zeroBased', totalResultsIsPageCount: true }, { paging: { pageSize: 50 } });
    const listing = c.listUsers();
    const ids = await listIds(listing);
    expect(ids).toContain(scim.store.listUsers()[0].id);
    expect(listing.stats.zeroBasedProbe).toBe(true);
  });

  it('P6: with a cursor-only server every page after the first is asked for by cursor', async () => {
    const { scim, c } = await setup({ cursorOnly: true, maxPageSize: 100 }, { paging: { pageSize: 100 } });
    const listing = c.listUsers();
    expect((await listIds(listing)).length).toBe(USERS);
    expect(listing.stats.mode).toBe('cursor');
    const lists = listRequests(scim);
    expect(lists[0].query.cursor).toBe('');
    expect(lists.slice(1).every((r) => r.query.cursor && r.query.startIndex === undefined)).toBe(true);
  });

  it('P7: keeps filter, attributes and count identical between cursor pages', async () => {
    const { scim, c } = await setup({ maxPageSize: 40 }, { paging: { mode: 'cursor' } });
    const listing = c.listUsers({ filter: eq('active', true), attributes: ['userName', 'active'], pageSize: 40 });
    const ids = await listIds(listing);
    expect(ids.sort()).toEqual(storeIds(scim, (u) => u.active !== false));
    const lists = listRequests(scim);
    const fixed = lists.map(({ query: { cursor: _c, ...rest } }) => JSON.stringify(rest));
    expect(new Set(fixed).size).toBe(1);
    expect(scim.stats().byStatus[400] ?? 0).toBe(0);
  });

  it('P8: keyset paging keeps the caller filter and sorts by id', async () => {
    const { scim, c } = await setup({ maxStartIndex: 40 }, { paging: { pageSize: 25 } });
    const listing = c.listUsers({ filter: eq('active', true) });
    const ids = await listIds(listing);
    expect(ids.sort()).toEqual(storeIds(scim, (u) => u.active !== false));
    expect(listing.stats.modesUsed).toEqual(['index', 'keyset']);
    const keyset = listRequests(scim).filter((r) => r.query.sortBy === 'id');
    expect(keyset.length).toBeGreaterThan(1);
    expect(keyset.at(-1)?.query.filter).toMatch(/^active eq true and id gt "/);
  });

  it('P9: a filter without matches answers without Resources: an empty listing, not an error', async () => {
    for (const shape of ['omitResources', 'bare'] as const) {
      const { c } = await setup({ emptyListShape: shape });
      const listing = c.listUsers({ filter: eq('userName', 'nobody@nowhere.invalid') });
      expect(await listing.toArray()).toEqual([]);
      expect(listing.stats.stopReason).toBe('empty-page');
    }
  });

  it('P10: lower-case envelope keys on ResourceTypes and Schemas too', async () => {
    const { c } = await setup({ lowerCaseEnvelopeKeys: true });
    expect((await c.getResourceTypes()).map((r) => r.name).sort()).toEqual(['Group', 'User']);
    expect((await c.getSchemas()).length).toBeGreaterThanOrEqual(3);
  });
});

describe('groups', () => {
  it('lists every group with members excluded by default (P18), exact ids', async () => {
    const { scim, c } = await setup({ maxPageSize: 2, advertisedMaxPageSize: 1000, pastEndBehavior: 'firstPage' }, {}, { groups: 7 });
    const ids = await listIds(c.listGroups());
    expect(ids.sort()).toEqual(
      scim.store
        .listGroups()
        .map((g) => g.id)
        .sort(),
    );
    expect(listRequests(scim, 'Groups').every((r) => r.query.excludedAttributes === 'members')).toBe(true);
  });

  it('P17: group GETs show no members, yet membership is found by filter and never "cleared"', async () => {
    const { scim, c } = await setup({ groupMembersAlwaysEmpty: true }, {}, { groups: 0 });
    const [a, b] = scim.store.listUsers();
    const g = scim.store.addGroup({ displayName: 'Ops', members: [{ value: a.id }, { value: b.id }] });
    const fetched = await c.getGroup(g.id as string);
    expect(fetched.members).toEqual([]);
    const found = await c.listGroups({ filter: eq('members.value', a.id as string) }).toArray();
    expect(found.map((x) => x.id)).toEqual([g.id]);
    // Removing one member sends a remove for that member only: nothing replaces the member list.
    await c.removeGroupMembers(g.id as string, [b.id as string]);
    const patches = scim.requests.filter((r) => r.method === 'PATCH');
    expect(JSON.stringify(patches.map((p) => p.body))).not.toMatch(/"replace"/);
    expect(scim.store.getGroup(g.id as string)?.members?.map((m) => m.value)).toEqual([a.id]);
  });

  it('P18: big groups are slow to serialise; the default list leaves members out and stays fast', async () => {
    const { scim, c } = await setup({}, {}, { groups: 0 });
    scim.store.addGroup({ displayName: 'Huge', members: scim.store.listUsers().map((u) => ({ value: u.id })) });
    // 237 members at 20 s per 1000 would hold every answer that carries them for about 4.7 s.
    scim.setQuirks({ groupMemberLatencyMsPer1000: 20_000 });
    const groups = await c.listGroups().toArray();
    expect(groups).toHaveLength(1);
    expect(groups[0].members).toBeUndefined();
    // Every listing request asked the server to leave members out, so none paid their latency.
    const lists = scim.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Groups'));
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.every((r) => r.query.excludedAttributes === 'members')).toBe(true);
  });

  it('P18: a server refusing excludedAttributes is asked again without it', async () => {
    const { scim, c } = await setup({}, {}, { groups: 4 });
    scim.setQuirks({ faults: [{ kind: 'status', status: 400, path: '/Groups', method: 'GET', first: 1 }] });
    const ids = await listIds(c.listGroups());
    expect(ids.length).toBe(4);
    const lists = listRequests(scim, 'Groups');
    expect(lists[0].query.excludedAttributes).toBe('members');
    expect(lists[1].query.excludedAttributes).toBeUndefined();
  });
});

describe('odd list contents', () => {
  it('P16: phantom entries with null fields are listed as resources without those fields', async () => {
    const { scim, c } = await setup({ phantomListEntries: 3 });
    const users = await c.listUsers({ pageSize: 50 }).toArray();
    const phantoms = users.filter((u) => u.id?.startsWith('pending-invitation-'));
    expect(users.map((u) => u.id).sort(codeUnitOrder)).toEqual([...storeIds(scim), ...phantoms.map((p) => p.id as string)].sort());
    expect(phantoms).toHaveLength(3);
    for (const p of phantoms) {
      expect(p.userName).toBeUndefined();
      expect(p.emails).toBeUndefined();
      expect(p.active).toBe(false);
      // Mapping must not invent values (nor crash) for the unlinked identity.
      expect(fromScimUser(p)).toEqual({});
    }
  });

  it('P14: an unfiltered list answering one placeholder is visible to the caller (totalResults 1)', async () => {
    const { scim, c } = await setup({ placeholderOnUnfilteredList: true });
    const listing = c.listUsers();
    const users = await listing.toArray();
    // The client cannot know the tenant size; it hands over what it got so the import can flag it.
    expect(users.map((u) => u.id)).toEqual(['SCIM_PLACEHOLDER_USER']);
    expect(listing.stats.totalResults).toBe(1);
    // Filtered lookups still work on such a server.
    const known = scim.store.listUsers()[5];
    expect((await c.lookupUser('userName', known.userName as string)).user?.id).toBe(known.id);
  });

  it('P15: attributes missing from the list are "unknown", not "cleared", when diffing', async () => {
    const manager = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department';
    const { scim, c } = await setup({ listOmitsAttributes: [manager, 'title'] });
    const listed = await c.listUsers({ pageSize: 100 }).toArray();
    const full = await c.getUser(listed[0].id as string);
    expect(full.title).toBeDefined();
    expect(listed[0].title).toBeUndefined();
    const desired = fromScimUser(full);
    expect(diffDirectoryAttributes(desired, fromScimUser(listed[0]), { missing: 'unknown' })).toEqual([]);
    expect(scim.stats().writes).toBe(0);
  });
});

describe('runaway servers end with PAGINATION_LIMIT', () => {
  async function limitError(p: Promise<unknown>): Promise<ScimClientError> {
    try {
      await p;
    } catch (err) {
      return err as ScimClientError;
    }
    throw new Error('expected PAGINATION_LIMIT');
  }

  it('a never-ending index listing stops at maxPages', async () => {
    const { scim, c } = await setup({ neverEnding: true }, { paging: { pageSize: 20, maxPages: 15 } });
    const listing = c.listUsers();
    const err = await limitError(listing.toArray());
    expect(err).toBeInstanceOf(ScimClientError);
    expect(err.code).toBe('PAGINATION_LIMIT');
    expect(err.message).toMatch(/more than 15 pages/);
    // Its total grows with every page, so reading in parallel falls back at once; the pages it had
    // asked for ahead are dropped and not charged to the cap.
    expect(listing.stats.parallel.fellBack).toMatch(/totalResults changed/);
    expect(listRequests(scim).length).toBe(15 + listing.stats.parallel.discarded);
  });

  it('a never-ending cursor listing stops at maxResources', async () => {
    const { c } = await setup({ neverEnding: true, cursorOnly: true }, { paging: { pageSize: 50, maxResources: 400 } });
    const err = await limitError(c.listUsers().toArray());
    expect(err.code).toBe('PAGINATION_LIMIT');
    expect(err.message).toMatch(/more than 400 resources/);
  });

  it('a slow never-ending listing stops at the deadline', async () => {
    const { c } = await setup({ neverEnding: true, latencyMs: 15 }, { paging: { pageSize: 10, deadlineMs: 150 } });
    // The listing never ends by itself: only the 150 ms deadline stops it.
    const err = await limitError(c.listUsers().toArray());
    expect(err.code).toBe('PAGINATION_LIMIT');
    expect(err.message).toMatch(/time allowed/);
  });

  it('pages already yielded stay usable when the limit hits', async () => {
    const { c } = await setup({ neverEnding: true }, { paging: { pageSize: 10, maxPages: 5 } });
    const seen: string[] = [];
    const err = await limitError(
      (async () => {
        for await (const page of c.listUsers().pages()) seen.push(...page.map((u) => u.id as string));
      })(),
    );
    expect(err.code).toBe('PAGINATION_LIMIT');
    expect(seen).toHaveLength(50);
  });
});
