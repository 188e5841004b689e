import { describe, expect, it } from 'vitest';
import { matchesFilter, simpleEquality } from './evaluate.ts';
import { parseFilter } from './filter.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const bjensen = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: 'BJensen-ext',
  userName: 'bjensen@example.com',
  name: { familyName: "O'Malley", givenName: 'Barbara' },
  title: 'Tour Guide',
  userType: 'Employee',
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  ims: [{ value: 'someaimhandle', type: 'aim' }],
  meta: { created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z' },
  [ENT]: { employeeNumber: '701984', manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } },
  shoeSize: 42,
  nickname2: 'Babs',
};

const matches = (text: string, resource: object = bjensen) => matchesFilter(resource, parseFilter(text, 'User'), 'User');

describe('matchesFilter', () => {
  it('evaluates the RFC 7644 §3.4.2.2 examples on a user', () => {
    expect(matches('userName eq "bjensen@example.com"')).toBe(true);
    expect(matches('name.familyName co "O\'Malley"')).toBe(true);
    expect(matches('userName sw "B"')).toBe(true);
    expect(matches('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"')).toBe(false);
    expect(matches('title pr')).toBe(true);
    expect(matches('meta.lastModified gt "2011-05-13T04:42:34Z"')).toBe(false);
    expect(matches('meta.lastModified ge "2011-05-13T04:42:34Z"')).toBe(true);
    expect(matches('meta.lastModified lt "2011-05-13T04:42:35Z"')).toBe(true);
    expect(matches('meta.lastModified le "2011-05-13T04:42:33Z"')).toBe(false);
    expect(matches('title pr and userType eq "Employee"')).toBe(true);
    expect(matches('title pr or userType eq "Intern"')).toBe(true);
    expect(matches(`schemas eq "${ENT}"`)).toBe(true);
    expect(matches('userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")')).toBe(true);
    expect(matches('userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")')).toBe(false);
    expect(matches('userType eq "Employee" and (emails.type eq "work")')).toBe(true);
    expect(matches('userType eq "Employee" and emails[type eq "work" and value co "@example.com"]')).toBe(true);
    expect(matches('emails[type eq "work" and value co "@example.org"] or ims[type eq "xmpp" and value co "@foo.com"]')).toBe(false);
  });

  it('compares strings case-insensitively unless the attribute is caseExact', () => {
    expect(matches('USERNAME eq "BJENSEN@EXAMPLE.COM"')).toBe(true);
    expect(matches('userType eq "EMPLOYEE"')).toBe(true);
    expect(matches('externalId eq "bjensen-ext"')).toBe(false); // caseExact
    expect(matches('externalId eq "BJensen-ext"')).toBe(true);
    expect(matches('id eq "2819C223-7F76-453A-919D-413861904646"')).toBe(false);
    expect(matches('nickname2 eq "BABS"')).toBe(true); // unknown: case-insensitive
    expect(matches('title ew "GUIDE" and title sw "tour"')).toBe(true);
    expect(matches('title gt "tour a" and title lt "TOUR Z"')).toBe(true);
  });

  it('finds attributes and keys in any letter case, extension attributes under their URN', () => {
    const shouty = { USERNAME: 'x', Emails: [{ VALUE: 'a@b.c', Type: 'work' }], [ENT.toUpperCase()]: { EmployeeNumber: '7' } };
    expect(matches('userName eq "x"', shouty)).toBe(true);
    expect(matches('emails[type eq "work" and value eq "A@B.C"]', shouty)).toBe(true);
    expect(matches(`${ENT}:employeeNumber eq "7"`, shouty)).toBe(true);
    expect(matches(`${ENT}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toBe(true);
    expect(matches(`${ENT}:manager pr`)).toBe(true);
    expect(matches(`${ENT}:department pr`)).toBe(false);
    expect(matches('employeeNumber eq "701984"')).toBe(false); // the extension needs its URN
  });

  it('matches a multi-valued attribute when any value does; complex ones compare their value', () => {
    expect(matches('emails co "@jensen.org"')).toBe(true);
    expect(matches('emails eq "babs@jensen.org"')).toBe(true);
    expect(matches('emails.type eq "home"')).toBe(true);
    expect(matches('emails.type ne "work"')).toBe(true); // the home one differs
    expect(matches('emails[type eq "home" and primary eq true]')).toBe(false);
    expect(matches('emails[type eq "work" and primary eq true]')).toBe(true);
    expect(matches('emails[not (type eq "work")]')).toBe(true);
    expect(matches('ims.type eq "aim" and ims.value sw "some"')).toBe(true);
  });

  it('compares numbers numerically, dateTimes as instants and booleans by value', () => {
    expect(matches('shoeSize gt 9')).toBe(true); // 42 > 9, where a string comparison says no
    expect(matches('shoeSize eq 42.0')).toBe(true);
    expect(matches('meta.created lt "2010-01-23T05:56:22+01:00"')).toBe(false); // the same instant
    expect(matches('meta.created eq "2010-01-23T05:56:22+01:00"')).toBe(true);
    expect(matches('meta.created gt "2010-01-23T04:56:21.999Z"')).toBe(true);
    expect(matches('active eq true')).toBe(true);
    expect(matches('active ne true')).toBe(false);
    expect(matches('active eq false', { active: 'False' })).toBe(true);
    expect(matches('meta.created gt "2000-01-01T00:00:00Z"', { meta: { created: 'garbage' } })).toBe(false);
  });

  it('treats absent, null, "" and [] as unassigned for pr and null', () => {
    const sparse = { userName: 'x', title: '', emails: [], name: { givenName: null }, nickName: null };
    for (const attr of ['title', 'emails', 'name', 'nickName', 'displayName']) {
      expect(matches(`${attr} pr`, sparse)).toBe(false);
    }
    expect(matches('name pr')).toBe(true);
    expect(matches('displayName eq null', sparse)).toBe(true);
    expect(matches('nickName eq null', sparse)).toBe(true);
    expect(matches('userName eq null', sparse)).toBe(false);
    expect(matches('userName ne null', sparse)).toBe(true);
    expect(matches('emails.value ne null', sparse)).toBe(false);
  });

  it('matches ne on an absent attribute (its state is null, which differs from any value)', () => {
    expect(matches('displayName ne "Babs"', { userName: 'x' })).toBe(true);
    expect(matches('displayName eq "Babs"', { userName: 'x' })).toBe(false);
    expect(matches('not (displayName eq "Babs")', { userName: 'x' })).toBe(true);
    expect(matches('emails.type ne "work"', { emails: [{ type: 'work' }] })).toBe(false);
  });

  it('evaluates group filters', () => {
    const group = { displayName: 'Tour Guides', members: [{ value: 'u1' }, { value: 'u2', display: 'Babs' }] };
    const g = (text: string) => matchesFilter(group, parseFilter(text, 'Group'), 'Group');
    expect(g('displayName eq "tour guides"')).toBe(true);
    expect(g('members[value eq "u2"]')).toBe(true);
    expect(g('members eq "u3"')).toBe(false);
  });
});

describe('simpleEquality', () => {
  const terms = (text: string) => simpleEquality(parseFilter(text, 'User'));

  it('lists the eq terms of a conjunction of eq terms', () => {
    expect(terms('userName eq "bjensen"')).toEqual([{ path: { attr: 'userName' }, value: 'bjensen' }]);
    expect(terms('USERNAME eq "x" and active eq true')).toEqual([
      { path: { attr: 'userName' }, value: 'x' },
      { path: { attr: 'active' }, value: true },
    ]);
    expect(terms('externalId eq "e" and (id eq "i" and emails.value eq "a@b.c")')).toEqual([
      { path: { attr: 'externalId' }, value: 'e' },
      { path: { attr: 'id' }, value: 'i' },
      { path: { attr: 'emails', sub: 'value' }, value: 'a@b.c' },
    ]);
    expect(terms('emails[value eq "a@b.c"]')).toEqual([{ path: { attr: 'emails', sub: 'value' }, value: 'a@b.c' }]);
    expect(terms(`${ENT}:employeeNumber eq "7"`)).toEqual([{ path: { schema: ENT, attr: 'employeeNumber' }, value: '7' }]);
  });

  it('answers undefined for anything else', () => {
    for (const text of [
      'userName eq "a" or userName eq "b"',
      'userName ne "a"',
      'not (userName eq "a")',
      'userName eq null',
      'title pr and userName eq "a"',
      'emails[type eq "work" and value eq "a"]',
      'userName sw "a"',
    ]) {
      expect(terms(text)).toBeUndefined();
    }
  });
});
