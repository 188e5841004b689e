// Requests as Microsoft Entra ID and Okta document sending them, and group membership changes.
import { describe, expect, it } from 'vitest';
import { ScimRequestError } from './errors.ts';
import { applyPatch } from './patch.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const body = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

const user = () => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: '6764549bef60420686bc',
  userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
  active: true,
  name: { givenName: 'Given', familyName: 'Family' },
  emails: [{ type: 'work', value: 'Test_User_fd0ea19b@testuser.com', primary: true }],
});
const group = () => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  id: 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b',
  displayName: 'Test',
});

describe('Microsoft Entra ID', () => {
  it('replaces a filtered email and a sub-attribute with capitalized ops', () => {
    const { resource } = applyPatch(
      user(),
      body(
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ),
      'User',
    );
    expect(resource.emails).toEqual([{ type: 'work', value: 'updatedEmail@microsoft.com', primary: true }]);
    expect(resource.name).toEqual({ givenName: 'Given', familyName: 'updatedFamilyName' });
  });

  it('accepts "False" and "True" for booleans, with or without a path', () => {
    expect(applyPatch(user(), body({ op: 'Replace', path: 'active', value: 'False' }), 'User').resource.active).toBe(false);
    const { resource } = applyPatch({ ...user(), active: false }, body({ op: 'Replace', value: { active: 'TRUE' } }), 'User');
    expect(resource.active).toBe(true);
  });

  it('adds a typed value that does not exist yet from the filter (Add and Replace)', () => {
    const { resource } = applyPatch(
      user(),
      body(
        { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0100' },
        { op: 'Replace', path: 'addresses[type eq "work"].locality', value: 'Redmond' },
        { op: 'Add', path: 'emails[type eq "home"].value', value: 'home@example.com' },
      ),
      'User',
    );
    expect(resource.phoneNumbers).toEqual([{ type: 'work', value: '+1 555 0100' }]);
    expect(resource.addresses).toEqual([{ type: 'work', locality: 'Redmond' }]);
    expect(resource.emails).toEqual([...user().emails, { type: 'home', value: 'home@example.com' }]);
  });

  it('adds attributes by full path as keys of a path-less value, the enterprise ones by URN', () => {
    const { resource } = applyPatch(
      user(),
      body({
        op: 'Add',
        value: {
          displayName: 'Test User',
          'name.givenName': 'Ann',
          [`${ENT}:department`]: 'Sales',
          [`${ENT}:employeeNumber`]: 701984,
          'urn:ietf:params:scim:schemas:core:2.0:User:title': 'Guide',
        },
      }),
      'User',
    );
    expect(resource).toMatchObject({ displayName: 'Test User', name: { givenName: 'Ann', familyName: 'Family' }, title: 'Guide' });
    expect(resource[ENT]).toEqual({ department: 'Sales', employeeNumber: '701984' });
    expect(resource.schemas).toEqual([...user().schemas, ENT]);
  });

  it('sets enterprise attributes and the manager by their full URN path, a bare id for the manager', () => {
    const { resource } = applyPatch(
      user(),
      body(
        { op: 'Replace', path: `${ENT}:costCenter`, value: '4130' },
        { op: 'Add', path: `${ENT}:manager`, value: '2819c223-7f76-453a-919d-ab1234567891' },
      ),
      'User',
    );
    expect(resource[ENT]).toEqual({ costCenter: '4130', manager: { value: '2819c223-7f76-453a-919d-ab1234567891' } });
    const moved = applyPatch(resource, body({ op: 'Replace', path: `${ENT}:manager.value`, value: 'm2' }), 'User').resource;
    expect(moved[ENT]).toEqual({ costCenter: '4130', manager: { value: 'm2' } });
    const cleared = applyPatch(moved, body({ op: 'Remove', path: `${ENT}:manager` }, { op: 'Remove', path: `${ENT}:costCenter` }), 'User');
    expect(cleared.resource).not.toHaveProperty(ENT);
    expect(cleared.resource.schemas).toEqual(user().schemas);
  });

  it('takes the extension URN with an object, and drops read-only sub-attributes it sends', () => {
    const { resource } = applyPatch(
      user(),
      body({ op: 'replace', value: { [ENT]: { Department: 'R&D', manager: { value: 'm1', displayName: 'Boss' } } } }),
      'User',
    );
    expect(resource[ENT]).toEqual({ department: 'R&D', manager: { value: 'm1' } });
  });

  it('adds and removes group members the way Entra ID sends them', () => {
    const { memberOps, changed } = applyPatch(
      group(),
      body(
        { op: 'Add', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] },
        { op: 'Remove', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] },
        { op: 'Replace', path: 'displayName', value: '1879db59updatedDisplayName' },
      ),
      'Group',
    );
    expect(memberOps).toEqual([
      { kind: 'add', ids: ['f648f8d5ea4e4cd38e9c'] },
      { kind: 'remove', ids: ['f648f8d5ea4e4cd38e9c'] },
    ]);
    expect(changed).toBe(true);
  });
});

describe('Okta', () => {
  it('deactivates a user with a path-less replace of active', () => {
    const { resource, changed } = applyPatch(user(), body({ op: 'replace', value: { active: false } }), 'User');
    expect(resource.active).toBe(false);
    expect(changed).toBe(true);
  });

  it('renames a group sending its id along, and adds and removes members', () => {
    const { resource, memberOps } = applyPatch(
      group(),
      body(
        { op: 'replace', value: { id: 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b', displayName: 'Test SCIMv2' } },
        { op: 'add', path: 'members', value: [{ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' }] },
        { op: 'remove', path: 'members[value eq "89bb1940-b905-4575-9e7f-6f887cfb368e"]' },
      ),
      'Group',
    );
    expect(resource.displayName).toBe('Test SCIMv2');
    expect(resource).not.toHaveProperty('members');
    expect(memberOps).toEqual([
      { kind: 'add', ids: ['23a35c27-23d3-4c03-b4c5-6443c09e7173'] },
      { kind: 'remove', ids: ['89bb1940-b905-4575-9e7f-6f887cfb368e'] },
    ]);
  });
});

describe('group membership operations (RFC 7644 §3.5.2 examples)', () => {
  const ops = (...operations: unknown[]) => applyPatch(group(), body(...operations), 'Group').memberOps;
  const babs = { display: 'Babs Jensen', $ref: 'https://example.com/v2/Users/2819c223', value: '2819c223' };
  const mandy = { display: 'Mandy Pepperidge', $ref: 'https://example.com/v2/Users/902c246b', value: '902c246b' };

  it('reports add, remove, removeAll and replace in order', () => {
    expect(ops({ op: 'add', path: 'members', value: [babs] })).toEqual([{ kind: 'add', ids: ['2819c223'] }]);
    expect(ops({ op: 'remove', path: 'members[value eq "2819c223"]' })).toEqual([{ kind: 'remove', ids: ['2819c223'] }]);
    expect(ops({ op: 'remove', path: 'members' })).toEqual([{ kind: 'removeAll' }]);
    expect(ops({ op: 'remove', path: 'members' }, { op: 'add', path: 'members', value: [babs, mandy] })).toEqual([
      { kind: 'removeAll' },
      { kind: 'add', ids: ['2819c223', '902c246b'] },
    ]);
    expect(ops({ op: 'replace', path: 'members', value: [babs, mandy] })).toEqual([{ kind: 'replace', ids: ['2819c223', '902c246b'] }]);
    expect(ops({ op: 'replace', path: 'members', value: [] })).toEqual([{ kind: 'removeAll' }]);
    expect(ops({ op: 'add', value: { members: [mandy] } })).toEqual([{ kind: 'add', ids: ['902c246b'] }]);
    expect(ops({ op: 'remove', path: 'MEMBERS[VALUE eq "a" or value eq "b" or value eq "c"]' })).toEqual([
      { kind: 'remove', ids: ['a', 'b', 'c'] },
    ]);
  });

  it('refuses other member filters, sub-attribute paths and empty ids', () => {
    const err = (...operations: unknown[]) => {
      try {
        applyPatch(group(), body(...operations), 'Group');
      } catch (e) {
        return e as ScimRequestError;
      }
      throw new Error('patched');
    };
    expect(err({ op: 'remove', path: 'members[display eq "Babs"]' })).toMatchObject({
      scimType: 'invalidFilter',
      detail: 'Operations[0] (remove members[display eq "Babs"]): a members filter may only be value eq "<id>", or several joined by or',
    });
    expect(err({ op: 'remove', path: 'members[value eq "a" and type eq "User"]' }).scimType).toBe('invalidFilter');
    expect(err({ op: 'replace', path: 'members[value eq "a"]', value: { value: 'b' } }).scimType).toBe('invalidPath');
    expect(err({ op: 'remove', path: 'members.value' }).scimType).toBe('invalidPath');
    expect(err({ op: 'add', path: 'members', value: [{ value: '' }] })).toMatchObject({
      scimType: 'invalidValue',
      detail: 'Operations[0] (add members): members[0].value must be a non-empty string',
    });
    expect(err({ op: 'add', path: 'members', value: [{ display: 'no id' }] }).scimType).toBe('invalidValue');
    expect(err({ op: 'remove', path: 'displayName' }).scimType).toBe('invalidValue');
  });
});
