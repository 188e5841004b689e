import { describe, expect, it } from 'vitest';
import { and, canonicalAttribute, eq, filterValue, valuePath } from './filter.ts';

describe('filters', () => {
  it('escapes " and \\ inside values (RFC 7644 §3.4.2.2)', () => {
    expect(eq('userName', 'a"b\\c')).toBe('userName eq "a\\"b\\\\c"');
    expect(eq('userName', "O'Brien")).toBe('userName eq "O\'Brien"');
    expect(filterValue('line\nbreak\u0001')).toBe('"line\\nbreak\\u0001"');
  });

  it('cannot be broken out of by a crafted value', () => {
    const f = eq('userName', 'x" or userName pr or userName eq "y');
    expect(f).toBe('userName eq "x\\" or userName pr or userName eq \\"y"');
    // The value stays one JSON string.
    expect(JSON.parse(f.slice('userName eq '.length))).toBe('x" or userName pr or userName eq "y');
  });

  it('sends canonical attribute casing (F4)', () => {
    expect(eq('USERNAME', 'x')).toBe('userName eq "x"');
    expect(eq('externalid', 'x')).toBe('externalId eq "x"');
    expect(eq('Emails.Value', 'x')).toBe('emails.value eq "x"');
    expect(canonicalAttribute('urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:employeenumber')).toBe(
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
    );
    expect(canonicalAttribute('customAttr')).toBe('customAttr');
  });

  it('refuses attribute names that are not attribute paths', () => {
    for (const bad of ['userName eq "x" or id', '', 'a b', 'emails[type eq "work"]', '1abc']) {
      expect(() => eq(bad, 'x')).toThrow(TypeError);
    }
  });

  it('writes booleans, numbers and null as JSON', () => {
    expect(eq('active', true)).toBe('active eq true');
    expect(eq('id', 5)).toBe('id eq 5');
    expect(eq('title', null)).toBe('title eq null');
    expect(() => eq('id', Number.NaN)).toThrow(TypeError);
  });

  it('combines with and, bracketing sub-expressions that contain or', () => {
    expect(and(eq('userName', 'a'), eq('active', true))).toBe('userName eq "a" and active eq true');
    expect(and('a eq 1 or b eq 2', eq('id', 'x'))).toBe('(a eq 1 or b eq 2) and id eq "x"');
    expect(and('', eq('id', 'x'))).toBe('id eq "x"');
    expect(() => and()).toThrow(TypeError);
  });

  it('builds value paths for PATCH', () => {
    expect(valuePath('emails', 'type', 'work', 'value')).toBe('emails[type eq "work"].value');
    expect(valuePath('members', 'value', 'a"b')).toBe('members[value eq "a\\"b"]');
  });
});
