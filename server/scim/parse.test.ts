import { describe, expect, it } from 'vitest';
import { ScimClientError } from './errors.ts';
import {
  parseGroup,
  parseListOrArray,
  parseListResponse,
  parseResourceType,
  parseSchema,
  parseServiceProviderConfig,
  parseUser,
} from './parse.ts';
import { ENTERPRISE_USER } from './types.ts';
import { parseTimestamp } from './util.ts';

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

function expectNotScim(fn: () => unknown): ScimClientError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ScimClientError);
    expect((err as ScimClientError).code).toBe('NOT_SCIM');
    return err as ScimClientError;
  }
  throw new Error('expected NOT_SCIM');
}

describe('parseListResponse', () => {
  it('reads envelope keys in any case and numbers as strings (P10, RFC 7643 §2.1)', () => {
    const list = parseListResponse(
      { schemas: [LIST], totalresults: '3', STARTINDEX: '1', itemsperpage: 'abc', resources: [{ id: 'a' }, { ID: 7 }] },
      parseUser,
    );
    expect(list.totalResults).toBe(3);
    expect(list.startIndex).toBe(1);
    expect(list.itemsPerPage).toBeUndefined();
    expect(list.resources.map((u) => u.id)).toEqual(['a', '7']);
  });

  it('treats a missing Resources as empty, with or without startIndex/itemsPerPage (P9)', () => {
    expect(parseListResponse({ schemas: [LIST], totalResults: 0 }, parseUser).resources).toEqual([]);
    expect(parseListResponse({ totalResults: 0, Resources: null }, parseUser).resources).toEqual([]);
  });

  it('refuses a Resources that is not a list, and bodies that are not lists at all', () => {
    expect(expectNotScim(() => parseListResponse({ schemas: [LIST], Resources: { id: 'a' } }, parseUser)).message).toMatch(/not a list/);
    expectNotScim(() => parseListResponse({ message: 'ok' }, parseUser));
    expectNotScim(() => parseListResponse([], parseUser));
    expectNotScim(() => parseListResponse('<html>', parseUser));
  });

  it('skips entries that are not objects and counts them', () => {
    const list = parseListResponse({ totalResults: 3, Resources: [null, 'x', { id: 'a' }] }, parseUser);
    expect(list.resources).toHaveLength(1);
    expect(list.dropped).toBe(2);
  });

  it('reads RFC 9865 cursors; an empty nextCursor means none', () => {
    expect(parseListResponse({ itemsPerPage: 1, nextCursor: 'abc', Resources: [], schemas: [LIST] }, parseUser).nextCursor).toBe('abc');
    expect(parseListResponse({ totalResults: 0, nextCursor: '' }, parseUser).nextCursor).toBeUndefined();
    expect(parseListResponse({ totalResults: -5, startIndex: 1.5 }, parseUser).totalResults).toBeUndefined();
  });
});

describe('parseUser', () => {
  it('normalises attribute names, string booleans and numeric ids', () => {
    const u = parseUser({
      Schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      ID: 12345,
      UserName: 'Alice@Example.test',
      Active: 'True',
      NAME: { GivenName: 'Alice', familyname: 'Doe' },
      Emails: [{ Value: 'alice@example.test', Primary: 'true', TYPE: 'Work' }],
    });
    expect(u.id).toBe('12345');
    expect(u.userName).toBe('Alice@Example.test');
    expect(u.active).toBe(true);
    expect(u.name).toEqual({ givenName: 'Alice', familyName: 'Doe' });
    expect(u.emails).toEqual([{ value: 'alice@example.test', primary: true, type: 'Work' }]);
  });

  it('treats null fields as absent and tolerates missing schemas and meta (P16, T13)', () => {
    const u = parseUser({ id: 'x', userName: null, displayName: null, name: null, emails: null, active: null });
    expect(u).toEqual({ id: 'x', schemas: [] });
    const projected = parseUser({ id: '2849d73e', userName: 'hana@example.test' });
    expect(projected.schemas).toEqual([]);
    expect(projected.meta).toBeUndefined();
  });

  it('keeps unknown attributes and extension blocks untouched (T11)', () => {
    const zoom = { loginType: '100', 'licenseType ': 'zoomUnited', nested: { a: [1, null] }, nothing: null };
    const u = parseUser({
      id: 'z',
      'urn:ietf:params:scim:schemas:extension:zoom:1.0:User': zoom,
      customThing: 'kept',
      'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER': { EmployeeNumber: 1200, department: 'Ops' },
    });
    expect(u['urn:ietf:params:scim:schemas:extension:zoom:1.0:User']).toEqual(zoom);
    expect(u.customThing).toBe('kept');
    expect(u[ENTERPRISE_USER]).toEqual({ employeeNumber: '1200', department: 'Ops' });
  });

  it('prefers the canonical spelling when a server sends two', () => {
    expect(parseUser({ id: 'a', username: 'lower', userName: 'Canonical' }).userName).toBe('Canonical');
    expect(parseUser({ id: 'a', userName: 'Canonical', USERNAME: 'upper' }).userName).toBe('Canonical');
  });

  it('wraps a single object or bare strings given for a multi-valued attribute', () => {
    expect(parseUser({ id: 'a', emails: { value: 'a@x.test' } }).emails).toEqual([{ value: 'a@x.test' }]);
    expect(parseUser({ id: 'a', emails: ['a@x.test', null] }).emails).toEqual([{ value: 'a@x.test' }]);
  });

  it('normalises RFC 3339 timestamps with offsets and microseconds (T10)', () => {
    const u = parseUser({
      id: 'a',
      meta: { created: '2026-11-28T19:09:12.921498Z', lastModified: '2011-08-01T18:29:49-08:00', resourceType: 'user', version: 'W/"1"' },
    });
    expect(u.meta).toEqual({
      created: '2026-11-28T19:09:12.921Z',
      lastModified: '2011-08-02T02:29:49.000Z',
      resourceType: 'user',
      version: 'W/"1"',
    });
    expect(parseUser({ id: 'a', meta: { created: 'yesterday' } }).meta).toEqual({});
  });

  it('refuses what is not an object', () => {
    expectNotScim(() => parseUser('hello'));
    expectNotScim(() => parseUser(null));
  });
});

describe('parseTimestamp', () => {
  it.each([
    ['2024-01-01T00:00:01.000Z', '2024-01-01T00:00:01.000Z'],
    ['2024-01-01T00:00:01Z', '2024-01-01T00:00:01.000Z'],
    ['2024-01-01T05:30:00+05:30', '2024-01-01T00:00:00.000Z'],
    ['2024-01-01t00:00:00.123456789z', '2024-01-01T00:00:00.123Z'],
    ['2024-01-01T00:00:00', '2024-01-01T00:00:00.000Z'],
  ])('%s', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });
  it('rejects garbage', () => {
    for (const bad of ['', '2024-13-01T00:00:00Z', 'now', 5, '2024-01-01T25:00:00Z']) expect(parseTimestamp(bad)).toBeUndefined();
  });
});

describe('parseGroup', () => {
  it('reads members with only a value (G7) and absent members stay absent (G6)', () => {
    expect(parseGroup({ id: 'g', displayName: 'Staff', members: [{ value: 'u1' }, { VALUE: 2, Display: 'Two' }] }).members).toEqual([
      { value: 'u1' },
      { value: '2', display: 'Two' },
    ]);
    expect(parseGroup({ id: 'g', displayName: 'Staff' }).members).toBeUndefined();
  });
});

describe('discovery documents', () => {
  it('reads a ServiceProviderConfig with RFC 9865 pagination and string booleans', () => {
    const spc = parseServiceProviderConfig({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: 'true' },
      bulk: { supported: false, maxOperations: '1000', maxPayloadSize: 1048576 },
      filter: { supported: true, maxResults: 100 },
      authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth', primary: 'True' }],
      Pagination: { cursor: true, index: 'false', defaultPaginationMethod: 'Cursor', maxPageSize: '200', cursorTimeout: 3600 },
    });
    expect(spc.patch.supported).toBe(true);
    expect(spc.bulk).toEqual({ supported: false, maxOperations: 1000, maxPayloadSize: 1048576 });
    expect(spc.filter.maxResults).toBe(100);
    expect(spc.sort.supported).toBe(false);
    expect(spc.authenticationSchemes[0].primary).toBe(true);
    expect(spc.pagination).toEqual({
      cursor: true,
      index: false,
      defaultPaginationMethod: 'cursor',
      defaultPageSize: undefined,
      maxPageSize: 200,
      cursorTimeout: 3600,
    });
  });

  it('reads ResourceTypes from a lower-case envelope (Entra, P10) or a bare array', () => {
    const rt = {
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      schema: 'urn:ietf:params:scim:schemas:core:2.0:User',
      schemaExtensions: [{ schema: ENTERPRISE_USER, required: 'true' }],
    };
    const fromList = parseListOrArray({ schemas: [LIST], totalResults: 1, resources: [rt] }, parseResourceType);
    expect(fromList[0].schemaExtensions).toEqual([{ schema: ENTERPRISE_USER, required: true }]);
    expect(parseListOrArray([rt, 'junk'], parseResourceType).map((r) => r.endpoint)).toEqual(['/Users']);
  });

  it('reads Schemas with nested sub-attributes', () => {
    const schema = parseSchema({
      id: 'urn:ietf:params:scim:schemas:core:2.0:User',
      attributes: [{ name: 'emails', type: 'complex', multiValued: true, subAttributes: [{ name: 'value', caseExact: 'false' }] }],
    });
    expect(schema.attributes[0].subAttributes?.[0]).toMatchObject({ name: 'value', caseExact: false });
  });
});
