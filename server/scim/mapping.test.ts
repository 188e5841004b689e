import { describe, expect, it } from 'vitest';
import {
  diffDirectoryAttributes,
  DIRECTORY_ATTRIBUTES,
  fromScimUser,
  normalizeForCompare,
  toScimUser,
  type DirectoryUserForScim,
} from './mapping.ts';
import { parseUser } from './parse.ts';
import { ENTERPRISE_USER, SCHEMAS } from './types.ts';

// Shaped like a scimmy 1.3.5 list entry (recorded fixture), trimmed.
const FULL = parseUser({
  schemas: [SCHEMAS.user, ENTERPRISE_USER],
  id: '98f17e7e-dd6f-4f40-afbb-4523072899c9',
  externalId: 'EXT-100200',
  userName: 'obrien.gupta200@example.test',
  name: { formatted: "O'Brien Gupta", familyName: 'Gupta', givenName: "O'Brien", middleName: 'Q' },
  displayName: "O'Brien Gupta",
  title: 'Engineer',
  userType: 'Employee',
  active: false,
  emails: [
    { value: 'obrien.gupta200@home.example', type: 'home', primary: false },
    { value: 'obrien.gupta200@example.test', type: 'work', primary: true },
  ],
  phoneNumbers: [
    { value: '+1-555-1200', type: 'Work' },
    { value: '+1-555-9999', type: 'mobile' },
    { value: '+1-555-0000', type: 'HOME' },
  ],
  addresses: [
    { formatted: 'Austin, TX 73301 US', locality: 'Austin', region: 'TX', postalCode: '73301', country: 'US', type: 'work', primary: true },
    { locality: 'Elsewhere', type: 'other' },
  ],
  [ENTERPRISE_USER]: {
    employeeNumber: '1200',
    costCenter: 'CC-119',
    organization: 'Example Corp',
    division: 'G&A',
    department: 'Operations',
  },
});

describe('fromScimUser (directory <- SCIM)', () => {
  it('maps all 14 attributes', () => {
    const d = fromScimUser(FULL);
    expect(d).toEqual({
      username: 'obrien.gupta200@example.test',
      email: 'obrien.gupta200@example.test',
      firstname: "O'Brien",
      middlename: 'Q',
      lastname: 'Gupta',
      displayname: "O'Brien Gupta",
      jobTitle: 'Engineer',
      employeeType: 'Employee',
      employeeIdentifier: '1200',
      costCenter: 'CC-119',
      organization: 'Example Corp',
      department: 'Operations',
      addresses: [{ type: 'work', streetAddress: '', locality: 'Austin', region: 'TX', postalCode: '73301', country: 'US' }],
      phoneNumbers: [
        { type: 'work', number: '+1-555-1200' },
        { type: 'home', number: '+1-555-0000' },
      ],
    });
    expect(Object.keys(d).sort()).toEqual([...DIRECTORY_ATTRIBUTES].sort());
  });

  it('picks the primary email, else the work one, else the first', () => {
    const pick = (emails: unknown[]) => fromScimUser(parseUser({ id: 'a', emails })).email;
    expect(
      pick([
        { value: 'h@x', type: 'home' },
        { value: 'w@x', type: 'work' },
        { value: 'p@x', type: 'other', primary: 'True' },
      ]),
    ).toBe('p@x');
    expect(
      pick([
        { value: 'h@x', type: 'home' },
        { value: 'w@x', type: 'WORK' },
      ]),
    ).toBe('w@x');
    expect(
      pick([
        { value: 'o@x', type: 'other' },
        { value: 'h@x', type: 'home' },
      ]),
    ).toBe('o@x');
    expect(pick([{ type: 'work' }])).toBe('');
  });

  it('falls back to name.formatted for the display name and accepts a misplaced department', () => {
    const d = fromScimUser(parseUser({ id: 'a', name: { formatted: 'Ada Lovelace' }, department: 'R&D' }));
    expect(d.displayname).toBe('Ada Lovelace');
    expect(d.department).toBe('R&D');
  });

  it('leaves out what the server did not send, so an import never reads "cleared" (P15)', () => {
    expect(fromScimUser(parseUser({ id: 'a', userName: 'u' }))).toEqual({ username: 'u' });
    expect(fromScimUser(parseUser({ id: 'a', addresses: [] })).addresses).toEqual([]);
  });
});

const ROSTER_USER: DirectoryUserForScim = {
  id: '0190c2a4-0000-7000-8000-000000000001',
  state: 'ACTIVE',
  username: 'ada@example.test',
  email: 'Ada@Example.test',
  firstname: 'Ada',
  middlename: 'King',
  lastname: 'Lovelace',
  displayname: 'Ada Lovelace',
  jobTitle: 'Analyst',
  department: 'Engineering',
  costCenter: 'CC-1',
  employeeType: 'Employee',
  employeeIdentifier: 'E-1',
  organization: 'Example Corp',
  addresses: [
    { type: 'work', streetAddress: '1 Main St', locality: 'Austin', region: 'TX', postalCode: '73301', country: 'US', poBox: '12' },
    { type: 'home', streetAddress: '', locality: '', region: '', postalCode: '', country: '' },
  ],
  phoneNumbers: [{ type: 'home', number: '+1 555 0100' }],
};

describe('toScimUser (directory -> SCIM)', () => {
  it('writes canonical RFC 7643 with all 14 attributes', () => {
    expect(toScimUser(ROSTER_USER)).toEqual({
      schemas: [SCHEMAS.user, ENTERPRISE_USER],
      externalId: ROSTER_USER.id,
      userName: 'ada@example.test',
      name: { givenName: 'Ada', middleName: 'King', familyName: 'Lovelace' },
      displayName: 'Ada Lovelace',
      title: 'Analyst',
      userType: 'Employee',
      active: true,
      emails: [{ value: 'Ada@Example.test', type: 'work', primary: true }],
      phoneNumbers: [{ value: '+1 555 0100', type: 'home' }],
      addresses: [{ type: 'work', streetAddress: '1 Main St', locality: 'Austin', region: 'TX', postalCode: '73301', country: 'US' }],
      [ENTERPRISE_USER]: { employeeNumber: 'E-1', costCenter: 'CC-1', organization: 'Example Corp', department: 'Engineering' },
    });
  });

  it('includes only attributes with values and derives active from the state', () => {
    const minimal = toScimUser({
      id: 'r1',
      state: 'SUSPENDED',
      username: 'u',
      firstname: '  ',
      email: '',
      phoneNumbers: [{ type: 'work', number: '' }],
    });
    expect(minimal).toEqual({ schemas: [SCHEMAS.user], externalId: 'r1', userName: 'u', active: false });
    expect(toScimUser({ id: 'r1', state: 'STAGED' }).active).toBe(false);
    expect(toScimUser({ id: 'r1', state: 'SUSPENDED', active: true }).active).toBe(true);
    expect(toScimUser({ id: 'r1' }).active).toBeUndefined();
    expect(typeof toScimUser(ROSTER_USER).active).toBe('boolean');
  });

  it('lower-cases types and drops non work/home entries', () => {
    const out = toScimUser({
      id: 'r',
      phoneNumbers: [
        { type: 'Work' as 'work', number: '1' },
        { type: 'mobile' as 'work', number: '2' },
      ],
    });
    expect(out.phoneNumbers).toEqual([{ value: '1', type: 'work' }]);
  });

  it('round-trips without a diff', () => {
    const back = fromScimUser(toScimUser(ROSTER_USER));
    expect(diffDirectoryAttributes(ROSTER_USER, back)).toEqual([]);
  });
});

describe('normalizeForCompare and diffDirectoryAttributes', () => {
  it('ignores what servers rewrite: email/userName case, phone formatting, country case (C18)', () => {
    const rewritten = {
      ...fromScimUser(toScimUser(ROSTER_USER)),
      email: 'ada@example.test',
      username: 'ADA@example.test',
      phoneNumbers: [{ type: 'home' as const, number: '+1-555-0100' }],
      addresses: [
        { type: 'work' as const, streetAddress: '1  Main St ', locality: 'Austin', region: 'TX', postalCode: '73301', country: 'us' },
      ],
    };
    expect(diffDirectoryAttributes(ROSTER_USER, rewritten)).toEqual([]);
    expect(normalizeForCompare({ email: ' A@B.test ' }).email).toBe('a@b.test');
  });

  it('does not count a display name or email the server synthesised as a change (C18)', () => {
    const desired = { username: 'rec-strbool@example.test', email: '', displayname: '' };
    expect(
      diffDirectoryAttributes(desired, {
        username: 'rec-strbool@example.test',
        displayname: 'rec-strbool@example.test',
        email: 'rec-strbool@example.test',
      }),
    ).toEqual([]);
    expect(
      diffDirectoryAttributes(
        { firstname: 'Rec', lastname: 'User', displayname: '' },
        { firstname: 'Rec', lastname: 'User', displayname: 'Rec User' },
      ),
    ).toEqual([]);
    expect(diffDirectoryAttributes({ displayname: 'Rec' }, { displayname: 'Rec User' })).toEqual(['displayname']);
  });

  it('reports changed attributes, including additions and clears', () => {
    const remote = fromScimUser(FULL);
    const desired = { ...remote, jobTitle: 'Director', costCenter: '', phoneNumbers: [{ type: 'work' as const, number: '+1-555-1200' }] };
    expect(diffDirectoryAttributes(desired, remote)).toEqual(
      ['costCenter', 'jobTitle', 'phoneNumbers'].sort(
        (a, b) => DIRECTORY_ATTRIBUTES.indexOf(a as never) - DIRECTORY_ATTRIBUTES.indexOf(b as never),
      ),
    );
    expect(diffDirectoryAttributes({ jobTitle: 'X' }, {})).toContain('jobTitle');
  });

  it("with missing: 'unknown', skips attributes one side does not have (P15)", () => {
    expect(diffDirectoryAttributes({ jobTitle: 'X', costCenter: 'A' }, { costCenter: 'B' }, { missing: 'unknown' })).toEqual([
      'costCenter',
    ]);
  });

  it('ignores poBox/extendedAddress, which SCIM cannot carry', () => {
    const a = [{ type: 'work' as const, streetAddress: 'S', locality: '', region: '', postalCode: '', country: '', poBox: '1' }];
    const b = [{ type: 'work' as const, streetAddress: 'S', locality: '', region: '', postalCode: '', country: '' }];
    expect(diffDirectoryAttributes({ addresses: a }, { addresses: b })).toEqual([]);
  });
});
