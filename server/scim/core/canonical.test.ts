import { describe, expect, it } from 'vitest';
import { canonicalResource } from './canonical.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('canonicalResource', () => {
  it('spells every defined attribute as its schema does, at every level, and keeps unknown ones as sent', () => {
    const out = canonicalResource(
      {
        SCHEMAS: ['x'],
        USERNAME: 'bjensen',
        Name: { GIVENNAME: 'Barbara', nickname: 'kept' },
        emails: [{ VALUE: 'b@example.com', Primary: true }],
        [ENTERPRISE.toUpperCase()]: { EmployeeNumber: '7', Manager: { Value: 'm' } },
        customThing: { Inner: 1 },
      },
      'User',
    );
    expect(out).toEqual({
      schemas: ['x'],
      userName: 'bjensen',
      name: { givenName: 'Barbara', nickname: 'kept' },
      emails: [{ value: 'b@example.com', primary: true }],
      [ENTERPRISE]: { employeeNumber: '7', manager: { value: 'm' } },
      customThing: { Inner: 1 },
    });
  });

  it('drops keys that would reach the prototype', () => {
    const out = canonicalResource(JSON.parse('{"userName":"a","__proto__":{"polluted":true},"name":{"constructor":1}}'), 'User');
    expect(out).toEqual({ userName: 'a', name: {} });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
