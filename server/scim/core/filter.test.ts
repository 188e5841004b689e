import { describe, expect, it } from 'vitest';
import { ScimRequestError } from './errors.ts';
import { parseFilter, type Filter } from './filter.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const user = (text: string): Filter => parseFilter(text, 'User');

function failure(text: string, type: 'User' | 'Group' = 'User'): ScimRequestError {
  try {
    parseFilter(text, type);
  } catch (err) {
    expect(err).toBeInstanceOf(ScimRequestError);
    return err as ScimRequestError;
  }
  throw new Error(`parsed: ${text}`);
}

describe('parseFilter: the RFC 7644 §3.4.2.2 examples', () => {
  it('parses every example of the section into the expected tree', () => {
    expect(user('userName eq "bjensen"')).toEqual({ op: 'eq', path: { attr: 'userName' }, value: 'bjensen' });
    expect(user('name.familyName co "O\'Malley"')).toEqual({ op: 'co', path: { attr: 'name', sub: 'familyName' }, value: "O'Malley" });
    expect(user('userName sw "J"')).toEqual({ op: 'sw', path: { attr: 'userName' }, value: 'J' });
    expect(user('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"')).toEqual(user('userName sw "J"'));
    expect(user('title pr')).toEqual({ op: 'pr', path: { attr: 'title' } });
    for (const op of ['gt', 'ge', 'lt', 'le']) {
      expect(user(`meta.lastModified ${op} "2011-05-13T04:42:34Z"`)).toEqual({
        op,
        path: { attr: 'meta', sub: 'lastModified' },
        value: '2011-05-13T04:42:34Z',
      });
    }
    expect(user('title pr and userType eq "Employee"')).toEqual({
      op: 'and',
      left: { op: 'pr', path: { attr: 'title' } },
      right: { op: 'eq', path: { attr: 'userType' }, value: 'Employee' },
    });
    expect(user('title pr or userType eq "Intern"').op).toBe('or');
    expect(user(`schemas eq "${ENT}"`)).toEqual({ op: 'eq', path: { attr: 'schemas' }, value: ENT });
    expect(user('userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")')).toEqual({
      op: 'and',
      left: { op: 'eq', path: { attr: 'userType' }, value: 'Employee' },
      right: {
        op: 'or',
        left: { op: 'co', path: { attr: 'emails' }, value: 'example.com' },
        right: { op: 'co', path: { attr: 'emails', sub: 'value' }, value: 'example.org' },
      },
    });
    expect(user('userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")')).toMatchObject({
      op: 'and',
      left: { op: 'ne' },
      right: { op: 'not', filter: { op: 'or' } },
    });
    expect(user('userType eq "Employee" and (emails.type eq "work")')).toMatchObject({
      right: { op: 'eq', path: { attr: 'emails', sub: 'type' }, value: 'work' },
    });
    expect(user('userType eq "Employee" and emails[type eq "work" and value co "@example.com"]')).toEqual({
      op: 'and',
      left: { op: 'eq', path: { attr: 'userType' }, value: 'Employee' },
      right: {
        op: 'valuePath',
        path: { attr: 'emails' },
        filter: {
          op: 'and',
          left: { op: 'eq', path: { attr: 'type' }, value: 'work' },
          right: { op: 'co', path: { attr: 'value' }, value: '@example.com' },
        },
      },
    });
    expect(user('emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]')).toMatchObject({
      op: 'or',
      left: { op: 'valuePath', path: { attr: 'emails' } },
      right: { op: 'valuePath', path: { attr: 'ims' } },
    });
  });
});

describe('parseFilter: grammar', () => {
  it('reads operators and keywords in any case and names in canonical spelling', () => {
    expect(user('USERNAME EQ "x" AND Active Eq TRUE')).toEqual({
      op: 'and',
      left: { op: 'eq', path: { attr: 'userName' }, value: 'x' },
      right: { op: 'eq', path: { attr: 'active' }, value: true },
    });
    expect(user('NAME.GIVENNAME Pr')).toEqual({ op: 'pr', path: { attr: 'name', sub: 'givenName' } });
    expect(user('EMAILS[TYPE eq "work"]')).toMatchObject({ path: { attr: 'emails' }, filter: { path: { attr: 'type' } } });
  });

  it('accepts every compare operator and every kind of value', () => {
    for (const op of ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le']) expect(user(`displayName ${op} "a"`)).toMatchObject({ op });
    expect(user('x eq null')).toMatchObject({ value: null });
    expect(user('x eq false')).toMatchObject({ value: false });
    expect(user('x ge -1.5e3')).toMatchObject({ value: -1500 });
    expect(user('x eq "a\\"b\\\\c\\u00e9\\n"')).toMatchObject({ value: 'a"b\\cé\n' });
    expect(user('members.$ref eq "x"')).toMatchObject({ path: { attr: 'members', sub: '$ref' } });
  });

  it('lets and bind tighter than or, and parentheses and not regroup', () => {
    expect(user('a pr or b pr and c pr')).toEqual({
      op: 'or',
      left: { op: 'pr', path: { attr: 'a' } },
      right: { op: 'and', left: { op: 'pr', path: { attr: 'b' } }, right: { op: 'pr', path: { attr: 'c' } } },
    });
    expect(user('(a pr or b pr) and c pr')).toMatchObject({ op: 'and', left: { op: 'or' } });
    expect(user('a pr and b pr and c pr')).toMatchObject({ op: 'and', left: { op: 'and' }, right: { path: { attr: 'c' } } });
    expect(user('not(a pr)')).toEqual({ op: 'not', filter: { op: 'pr', path: { attr: 'a' } } });
    expect(user('  ( ( a pr ) )  ')).toEqual({ op: 'pr', path: { attr: 'a' } });
    // A plain attribute may be called "not", "and" or "or".
    expect(user('not pr and or eq "x"')).toMatchObject({ op: 'and', left: { path: { attr: 'not' } }, right: { path: { attr: 'or' } } });
  });

  it('keeps the URN of enterprise attributes and canonicalizes it', () => {
    expect(user(`${ENT.toUpperCase()}:EMPLOYEENUMBER eq "701984"`)).toEqual({
      op: 'eq',
      path: { schema: ENT, attr: 'employeeNumber' },
      value: '701984',
    });
    expect(user(`${ENT}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toMatchObject({
      path: { schema: ENT, attr: 'manager', sub: 'value' },
    });
    // Unprefixed, employeeNumber is not the enterprise attribute: an unknown one, kept as spelled.
    expect(user('EmployeeNumber eq "1"')).toMatchObject({ path: { attr: 'EmployeeNumber' } });
  });

  it('keeps unknown attributes in the client spelling', () => {
    expect(user('favoriteColor eq "blue"')).toEqual({ op: 'eq', path: { attr: 'favoriteColor' }, value: 'blue' });
    expect(user('urn:example:custom:1.0:User:Shoe.Size gt 40')).toEqual({
      op: 'gt',
      path: { schema: 'urn:example:custom:1.0:User', attr: 'Shoe', sub: 'Size' },
      value: 40,
    });
  });

  it('coerces values to the attribute type where the client was loose', () => {
    expect(user('active eq "True"')).toMatchObject({ value: true });
    expect(user('externalId eq 42')).toMatchObject({ value: '42' });
    expect(parseFilter('displayName eq "Admins"', 'Group')).toMatchObject({ path: { attr: 'displayName' } });
  });
});

describe('parseFilter: errors', () => {
  it('says what was expected at which character', () => {
    const cases: [string, RegExp][] = [
      ['userName eq', /Expected a space and a value after "eq", found the end, at character 12/],
      ['userName eq "x', /closing '"'.* at character 13/],
      ['userName equals "x"', /Expected an operator \(eq, ne, co, sw, ew, gt, lt, ge, le or pr\), found "equals", at character 10/],
      ['userName', /a space and an operator .* at character 9/],
      ['(userName pr', /Expected "\)" or "and"\/"or", found the end, at character 13/],
      ['userName pr)', /Expected "and", "or" or the end of the filter, found "\)", at character 12/],
      ['userName pr and', /Expected a space after "and", found the end, at character 16/],
      ['userName pr and ', /Expected an attribute path, found the end, at character 17/],
      ['userName pr andtitle pr', /Expected "and", "or" or the end/],
      ['emails[type eq "work"', /Expected "\]" or "and"\/"or", found the end, at character 22/],
      ['emails[type eq "work" and value[x pr]] pr', /cannot hold another "\["/],
      ['userName eq bjensen', /Expected a value .* found "bjensen", at character 13/],
      ['userName eq "a\\x"', /Invalid JSON string .* at character 13/],
      ['1abc eq "x"', /attribute name starts with a letter/],
      ['name.given-Name.x eq "x"', /sub-attribute name/],
      ['', /empty/],
    ];
    for (const [text, detail] of cases) {
      const err = failure(text);
      expect(err.status).toBe(400);
      expect(err.scimType).toBe('invalidFilter');
      expect(err.detail).toMatch(detail);
    }
  });

  it('refuses comparisons the RFC forbids and values of the wrong type', () => {
    expect(failure('active gt true').detail).toMatch(/active is boolean: only eq and ne apply to it, not gt/);
    expect(failure('active co "t"').detail).toMatch(/only eq and ne/);
    expect(failure('x509Certificates.value sw "MII"').detail).toMatch(/binary: only eq and ne/);
    expect(failure('unknownFlag lt false').detail).toMatch(/boolean: only eq and ne/);
    expect(failure('active eq "yes"').detail).toMatch(/active is boolean: expected true or false at character 11/);
    expect(failure('meta.created gt "yesterday"').detail).toMatch(/dateTime: expected a quoted RFC 3339 timestamp/);
    expect(failure('title gt null').detail).toMatch(/null can only be compared with eq or ne/);
    expect(failure('name eq "Barbara"').detail).toMatch(/name is complex: compare one of its sub-attributes/);
    expect(failure('userName[value eq "x"]').detail).toMatch(/userName is not a complex attribute/);
    expect(failure('emails.value[type eq "x"]').detail).toMatch(/not a sub-attribute/);
  });

  it('limits length and nesting so that no input can exhaust the stack', () => {
    expect(failure(`userName eq "${'a'.repeat(10_000)}"`).detail).toMatch(/longer than 10000 characters/);
    expect(failure(`${'('.repeat(51)}a pr${')'.repeat(51)}`).detail).toMatch(/nests deeper than 50 levels at character 51/);
    expect(failure(`${'not ('.repeat(60)}a pr${')'.repeat(60)}`).detail).toMatch(/deeper than 50/);
    expect(user(`${'('.repeat(50)}a pr${')'.repeat(50)}`)).toEqual({ op: 'pr', path: { attr: 'a' } });
    // Long flat chains are iterative, not recursive.
    const chain = Array.from({ length: 700 }, (_, i) => `a${i} pr`).join(' and ');
    expect(user(chain).op).toBe('and');
  });

  it('quotes the client text in errors safely and briefly', () => {
    const err = failure(`userName eq "x" junk${'\u0000'.repeat(3)}`);
    expect(err.detail).toContain('\\u0000');
    expect(failure(`a pr ${'b'.repeat(5000)}`).detail.length).toBeLessThan(400);
  });
});
