import { describe, expect, it } from 'vitest';
import { resourceTypeDocuments, schemaDocuments } from './documents.ts';
import { ScimRequestError, scimErrorBody } from './errors.ts';
import { parseAttributePath } from './path.ts';
import { RESOURCE_TYPES, resolvePath } from './schema.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('resolvePath', () => {
  it('resolves names in any case, with or without the core URN, to the schema spelling', () => {
    expect(resolvePath('User', 'USERNAME')).toMatchObject({
      schema: 'urn:ietf:params:scim:schemas:core:2.0:User',
      extension: false,
      def: { name: 'userName', required: true, uniqueness: 'server', caseExact: false },
      path: { attr: 'userName' },
    });
    expect(resolvePath('User', 'urn:ietf:params:scim:schemas:core:2.0:user:name.GivenName')).toMatchObject({
      subDef: { name: 'givenName' },
      path: { attr: 'name', sub: 'givenName' },
    });
    expect(resolvePath('User', 'password')?.def).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(resolvePath('User', 'id')?.def).toMatchObject({ mutability: 'readOnly', returned: 'always', caseExact: true });
    expect(resolvePath('User', 'groups.value')?.subDef?.mutability).toBe('readOnly');
    expect(resolvePath('Group', 'displayName')?.def.required).toBe(true);
    expect(resolvePath('Group', 'members.value')?.subDef?.mutability).toBe('immutable');
  });

  it('needs the URN prefix for enterprise attributes', () => {
    expect(resolvePath('User', `${ENT}:employeeNumber`)).toMatchObject({
      schema: ENT,
      extension: true,
      path: { schema: ENT, attr: 'employeeNumber' },
    });
    expect(resolvePath('User', `${ENT}:manager.value`)).toMatchObject({ path: { schema: ENT, attr: 'manager', sub: 'value' } });
    expect(resolvePath('User', 'employeeNumber')).toBeUndefined();
    expect(resolvePath('Group', `${ENT}:department`)).toBeUndefined();
    expect(resolvePath('User', 'name.nickname')).toBeUndefined();
    expect(resolvePath('User', 'urn:example:other:User:userName')).toBeUndefined();
  });
});

describe('parseAttributePath', () => {
  it('parses attribute paths, value paths and a sub-attribute after the filter', () => {
    expect(parseAttributePath('name.givenName', 'User')).toMatchObject({
      path: { attr: 'name', sub: 'givenName' },
      subDef: { name: 'givenName' },
    });
    expect(parseAttributePath('EMAILS[type eq "work"].VALUE', 'User')).toMatchObject({
      path: { attr: 'emails' },
      filter: { op: 'eq', path: { attr: 'type' }, value: 'work' },
      subAttr: 'value',
    });
    expect(parseAttributePath('members[value eq "2819c223"]', 'Group')).toMatchObject({
      path: { attr: 'members' },
      filter: { op: 'eq', path: { attr: 'value' }, value: '2819c223' },
    });
    expect(parseAttributePath(`${ENT}:manager.value`, 'User')).toMatchObject({ path: { schema: ENT, attr: 'manager', sub: 'value' } });
    expect(parseAttributePath('customThing', 'User')).toEqual({ path: { attr: 'customThing' }, def: undefined });
  });

  it('refuses malformed paths with invalidPath and the position', () => {
    const cases: [string, RegExp][] = [
      ['emails[type eq "work"', /Expected "\]" or "and"\/"or", found the end, at character 22/],
      ['emails[type eq "work"].', /a sub-attribute name after "\.", found the end, at character 24/],
      ['emails[type eq "work"] x', /Expected the end of the path, found " ", at character 23/],
      ['name.givenName[x eq 1]', /not a sub-attribute/],
      ['', /empty/],
      ['title[value eq "x"]', /title is not a complex attribute/],
    ];
    for (const [text, detail] of cases) {
      let err: unknown;
      try {
        parseAttributePath(text, 'User');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ScimRequestError);
      expect((err as ScimRequestError).scimType).toBe('invalidPath');
      expect((err as ScimRequestError).detail).toMatch(detail);
    }
  });
});

describe('discovery documents and error bodies', () => {
  it('describes the User, Enterprise User and Group schemas as RFC 7643 §7 wants', () => {
    const docs = schemaDocuments('https://roster.example.com/scim/v2/');
    expect(docs.map((d) => d.id)).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:User',
      ENT,
      'urn:ietf:params:scim:schemas:core:2.0:Group',
    ]);
    const userDoc = docs[0] as { attributes: Record<string, unknown>[]; meta: unknown; schemas: string[] };
    expect(userDoc.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:Schema']);
    expect(userDoc.meta).toEqual({
      resourceType: 'Schema',
      location: 'https://roster.example.com/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User',
    });
    expect(userDoc.attributes.map((a) => a.name)).toEqual([
      'userName', 'name', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'active',
      'password', 'emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'groups', 'entitlements', 'roles', 'x509Certificates',
    ]); // prettier-ignore
    expect(userDoc.attributes.find((a) => a.name === 'emails')).toMatchObject({
      type: 'complex',
      multiValued: true,
      subAttributes: [
        { name: 'value' },
        { name: 'display' },
        { name: 'type', canonicalValues: ['work', 'home', 'other'] },
        { name: 'primary', type: 'boolean' },
      ],
    });
    const enterprise = docs[1] as { attributes: Record<string, unknown>[] };
    expect(enterprise.attributes.map((a) => a.name)).toEqual([
      'employeeNumber',
      'costCenter',
      'organization',
      'division',
      'department',
      'manager',
    ]);
  });

  it('lists the resource types with the enterprise extension optional', () => {
    expect(resourceTypeDocuments('https://r.example/scim/v2')).toEqual([
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
        id: 'User',
        name: 'User',
        endpoint: '/Users',
        description: 'User Account',
        schema: 'urn:ietf:params:scim:schemas:core:2.0:User',
        schemaExtensions: [{ schema: ENT, required: false }],
        meta: { resourceType: 'ResourceType', location: 'https://r.example/scim/v2/ResourceTypes/User' },
      },
      expect.objectContaining({ id: 'Group', endpoint: '/Groups', schemaExtensions: [] }),
    ]);
    expect(Object.keys(RESOURCE_TYPES)).toEqual(['User', 'Group']);
  });

  it('shapes errors as RFC 7644 §3.12 objects with the status as a string', () => {
    expect(scimErrorBody(new ScimRequestError(400, 'invalidFilter', 'bad'))).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '400',
      scimType: 'invalidFilter',
      detail: 'bad',
    });
    expect(scimErrorBody(new ScimRequestError(404, undefined, 'Resource x not found'))).not.toHaveProperty('scimType');
  });
});
