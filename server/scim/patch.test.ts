import { describe, expect, it } from 'vitest';
import { buildMemberPatches, buildUserPatch, isIdempotentPatch, patchOp } from './patch.ts';
import { parseUser } from './parse.ts';
import { ENTERPRISE_USER, SCHEMAS } from './types.ts';

describe('buildUserPatch', () => {
  /** The user as the server holds it: the current state a patch is built against. */
  const current = (attributes: Record<string, unknown>) => ({ current: parseUser({ id: 'a', ...attributes }) });

  it('replaces changed simple attributes by path and removes cleared ones', () => {
    const ops = buildUserPatch(['firstname', 'lastname', 'jobTitle', 'employeeIdentifier', 'displayname'], {
      firstname: 'Ada',
      lastname: '',
      jobTitle: 'Director',
      employeeIdentifier: 'E-9',
      displayname: undefined,
    });
    expect(ops).toEqual([
      { op: 'replace', path: 'name.givenName', value: 'Ada' },
      { op: 'remove', path: 'name.familyName' },
      { op: 'replace', path: 'title', value: 'Director' },
      { op: 'replace', path: `${ENTERPRISE_USER}:employeeNumber`, value: 'E-9' },
      { op: 'remove', path: 'displayName' },
    ]);
  });

  it('never removes userName (C13)', () => {
    expect(buildUserPatch(['username'], { username: '' })).toEqual([]);
    expect(buildUserPatch(['username'], { username: 'new' })).toEqual([{ op: 'replace', path: 'userName', value: 'new' }]);
  });

  it('targets the work email when the server has one, otherwise sets the list', () => {
    const withWorkEmail = current({
      emails: [
        { value: 'old@x', type: 'Work' },
        { value: 'h@x', type: 'home' },
      ],
    });
    expect(buildUserPatch(['email'], { email: 'new@x' }, withWorkEmail)).toEqual([
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'new@x' },
    ]);
    expect(buildUserPatch(['email'], { email: 'new@x' })).toEqual([
      { op: 'replace', path: 'emails', value: [{ value: 'new@x', type: 'work', primary: true }] },
    ]);
    expect(buildUserPatch(['email'], { email: '' }, withWorkEmail)).toEqual([{ op: 'remove', path: 'emails[type eq "work"]' }]);
  });

  it('updates typed phone numbers and addresses entry by entry when the current state is known', () => {
    const ops = buildUserPatch(
      ['phoneNumbers', 'addresses'],
      {
        phoneNumbers: [{ type: 'work', number: '9' }],
        addresses: [{ type: 'work', streetAddress: '1 Main', locality: 'Austin', region: '', postalCode: '', country: 'US' }],
      },
      current({
        phoneNumbers: [
          { value: '1', type: 'work' },
          { value: '2', type: 'home' },
        ],
        addresses: [{ type: 'home', locality: 'X' }],
      }),
    );
    expect(ops).toEqual([
      { op: 'replace', path: 'phoneNumbers[type eq "work"]', value: { value: '9', type: 'work' } },
      { op: 'remove', path: 'phoneNumbers[type eq "home"]' },
      { op: 'add', path: 'addresses', value: [{ type: 'work', streetAddress: '1 Main', locality: 'Austin', country: 'US' }] },
      { op: 'remove', path: 'addresses[type eq "home"]' },
    ]);
  });

  it('replaces typed lists wholesale without the current state', () => {
    expect(buildUserPatch(['phoneNumbers'], { phoneNumbers: [{ type: 'home', number: '5' }] })).toEqual([
      { op: 'replace', path: 'phoneNumbers', value: [{ value: '5', type: 'home' }] },
    ]);
    expect(buildUserPatch(['addresses'], { addresses: [] })).toEqual([{ op: 'remove', path: 'addresses' }]);
  });

  it('sets active as a JSON boolean', () => {
    expect(buildUserPatch([], {}, { active: false })).toEqual([{ op: 'replace', path: 'active', value: false }]);
  });

  it('wraps operations in a PatchOp message', () => {
    expect(patchOp([{ op: 'replace', path: 'active', value: true }])).toEqual({
      schemas: [SCHEMAS.patchOp],
      Operations: [{ op: 'replace', path: 'active', value: true }],
    });
  });
});

describe('buildMemberPatches', () => {
  const ids = (n: number, prefix = 'u') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it('chunks adds to at most 100 members per request (G1) and never replaces all (G2)', () => {
    const patches = buildMemberPatches(ids(250), []);
    expect(patches.map((p) => (p.Operations[0].value as unknown[]).length)).toEqual([100, 100, 50]);
    for (const p of patches) {
      expect(p.schemas).toEqual([SCHEMAS.patchOp]);
      expect(p.Operations).toEqual([{ op: 'add', path: 'members', value: expect.any(Array) }]);
    }
    const sent = patches.flatMap((p) => (p.Operations[0].value as Array<{ value: string }>).map((m) => m.value));
    expect(sent).toEqual(ids(250));
  });

  it('removes with value filters, at most chunkSize per request', () => {
    const patches = buildMemberPatches([], ids(5), { chunkSize: 2 });
    expect(patches).toHaveLength(3);
    expect(patches[0].Operations).toEqual([
      { op: 'remove', path: 'members[value eq "u0"]' },
      { op: 'remove', path: 'members[value eq "u1"]' },
    ]);
    expect(patches.flatMap((p) => p.Operations).every((o) => o.op === 'remove' && o.path !== 'members')).toBe(true);
  });

  it('supports Entra-style value-list removal', () => {
    expect(buildMemberPatches([], ['a', 'b'], { removeStyle: 'value' })).toEqual([
      { schemas: [SCHEMAS.patchOp], Operations: [{ op: 'remove', path: 'members', value: [{ value: 'a' }, { value: 'b' }] }] },
    ]);
  });

  it('dedupes ids and sends nothing for nothing', () => {
    expect(buildMemberPatches(['a', 'a', ''], [])).toEqual([
      { schemas: [SCHEMAS.patchOp], Operations: [{ op: 'add', path: 'members', value: [{ value: 'a' }] }] },
    ]);
    expect(buildMemberPatches([], [])).toEqual([]);
  });
});

describe('isIdempotentPatch', () => {
  it('allows replace, remove and member adds; not other adds', () => {
    expect(
      isIdempotentPatch([
        { op: 'replace', path: 'active', value: false },
        { op: 'remove', path: 'title' },
      ]),
    ).toBe(true);
    expect(isIdempotentPatch([{ op: 'add', path: 'members', value: [] }])).toBe(true);
    expect(isIdempotentPatch([{ op: 'add', path: 'emails', value: [] }])).toBe(false);
  });
});
