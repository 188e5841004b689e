import { describe, expect, it } from 'vitest';
import { ScimRequestError } from './errors.ts';
import { applyPatch } from './patch.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

const body = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

function bjensen() {
  return {
    schemas: [USER],
    id: '2819c223-7f76-453a-919d-413861904646',
    userName: 'bjensen',
    name: { familyName: 'Jensen', givenName: 'Barbara' },
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    addresses: [
      { type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', postalCode: '91608', primary: true },
      { type: 'home', streetAddress: '456 Hollywood Blvd', locality: 'Hollywood' },
    ],
    meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z', version: 'W/"a330bc54f0671c9"' },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const patchUser = (resource: object, ...ops: unknown[]) => applyPatch(deepFreeze(resource), body(...ops), 'User');

function failure(resource: object, ...ops: unknown[]): ScimRequestError {
  try {
    patchUser(resource, ...ops);
  } catch (err) {
    expect(err).toBeInstanceOf(ScimRequestError);
    return err as ScimRequestError;
  }
  throw new Error('patched');
}

describe('applyPatch: RFC 7644 §3.5.2.1 add', () => {
  it('adds attributes from a value object without a path (the RFC example), appending to multi-valued ones', () => {
    const { resource, changed } = patchUser(bjensen(), {
      op: 'add',
      value: { emails: [{ value: 'babs@jensen.net', type: 'home' }], nickname: 'Babs' },
    });
    expect(changed).toBe(true);
    expect(resource.nickName).toBe('Babs');
    expect(resource).not.toHaveProperty('nickname');
    expect(resource.emails).toEqual([...bjensen().emails, { value: 'babs@jensen.net', type: 'home' }]);
  });

  it('does not duplicate a value that is already there, and reports no change', () => {
    const { resource, changed } = patchUser(bjensen(), { op: 'add', path: 'emails', value: [{ value: 'babs@jensen.org', type: 'home' }] });
    expect(changed).toBe(false);
    expect(resource.emails).toHaveLength(2);
  });

  it('merges into a complex attribute and sets a singular one', () => {
    const { resource } = patchUser(
      bjensen(),
      { op: 'add', path: 'name', value: { middleName: 'Jane' } },
      { op: 'add', path: 'title', value: 'Tour Guide' },
      { op: 'add', path: 'title', value: 'Chief Guide' },
    );
    expect(resource.name).toEqual({ familyName: 'Jensen', givenName: 'Barbara', middleName: 'Jane' });
    expect(resource.title).toBe('Chief Guide');
  });

  it('keeps unknown attributes as the client spells them, matching existing keys in any case', () => {
    const { resource } = patchUser({ ...bjensen(), ShoeSize: 40 }, { op: 'add', value: { shoesize: 42, favoriteColor: 'blue' } });
    expect(resource.ShoeSize).toBe(42);
    expect(resource.favoriteColor).toBe('blue');
    expect(resource).not.toHaveProperty('shoesize');
  });

  it('gives primary to the value just added and takes it from the others', () => {
    const { resource } = patchUser(bjensen(), { op: 'add', path: 'emails', value: [{ value: 'new@example.com', primary: true }] });
    const emails = resource.emails as { value: string; primary?: boolean }[];
    expect(emails.filter((e) => e.primary).map((e) => e.value)).toEqual(['new@example.com']);
  });
});

describe('applyPatch: RFC 7644 §3.5.2.2 remove', () => {
  it('removes a singular attribute, a sub-attribute, and a whole multi-valued attribute', () => {
    const { resource } = patchUser(
      { ...bjensen(), title: 'Guide' },
      { op: 'remove', path: 'title' },
      { op: 'remove', path: 'name.givenName' },
      { op: 'remove', path: 'addresses' },
    );
    expect(resource).not.toHaveProperty('title');
    expect(resource.name).toEqual({ familyName: 'Jensen' });
    expect(resource).not.toHaveProperty('addresses');
  });

  it('removes the values a filter matches, and the attribute when none remain', () => {
    const { resource } = patchUser(bjensen(), { op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' });
    expect(resource.emails).toEqual([{ value: 'babs@jensen.org', type: 'home' }]);
    const again = patchUser(resource, { op: 'remove', path: 'emails[type eq "home"]' });
    expect(again.resource).not.toHaveProperty('emails');
  });

  it('removes a sub-attribute of the matching values only', () => {
    const { resource } = patchUser(bjensen(), { op: 'remove', path: 'addresses[type eq "work"].streetAddress' });
    expect(resource.addresses).toEqual([
      { type: 'work', locality: 'Hollywood', postalCode: '91608', primary: true },
      bjensen().addresses[1],
    ]);
  });

  it('removes a certificate by its binary value', () => {
    const cert = 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx';
    const { resource } = patchUser(
      { ...bjensen(), x509Certificates: [{ value: cert }] },
      {
        op: 'remove',
        path: `x509Certificates[value eq "${cert}"]`,
      },
    );
    expect(resource).not.toHaveProperty('x509Certificates');
  });

  it('changes nothing when the filter matches nothing or the attribute is absent', () => {
    expect(patchUser(bjensen(), { op: 'remove', path: 'emails[type eq "other"]' }).changed).toBe(false);
    expect(patchUser(bjensen(), { op: 'remove', path: 'nickName' }).changed).toBe(false);
  });

  it('needs a path (noTarget) and refuses to remove a required attribute', () => {
    expect(failure(bjensen(), { op: 'remove' })).toMatchObject({
      scimType: 'noTarget',
      detail: 'Operations[0] (remove): remove needs a path',
    });
    expect(failure(bjensen(), { op: 'remove', path: 'userName' })).toMatchObject({
      status: 400,
      scimType: 'invalidValue',
      detail: 'Operations[0] (remove userName): userName is required and cannot be removed',
    });
  });
});

describe('applyPatch: RFC 7644 §3.5.2.3 replace', () => {
  it('replaces the value a filter matches (the RFC address example)', () => {
    const work = {
      type: 'work',
      streetAddress: '911 Universal City Plaza',
      locality: 'Hollywood',
      region: 'CA',
      postalCode: '91608',
      country: 'US',
      formatted: '911 Universal City Plaza\nHollywood, CA 91608 US',
      primary: true,
    };
    const { resource } = patchUser(bjensen(), { op: 'replace', path: 'addresses[type eq "work"]', value: work });
    expect(resource.addresses).toEqual([work, bjensen().addresses[1]]);
  });

  it('replaces a sub-attribute of the matching values (the RFC streetAddress example)', () => {
    const { resource } = patchUser(bjensen(), {
      op: 'replace',
      path: 'addresses[type eq "work"].streetAddress',
      value: '1010 Broadway Ave',
    });
    expect((resource.addresses as object[])[0]).toMatchObject({ type: 'work', streetAddress: '1010 Broadway Ave', locality: 'Hollywood' });
  });

  it('replaces all values of a multi-valued attribute and listed attributes without a path (the RFC example)', () => {
    const emails = [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ];
    const { resource } = patchUser(
      { ...bjensen(), emails: [{ value: 'old@x.y' }] },
      { op: 'replace', value: { emails, nickname: 'Babs' } },
    );
    expect(resource.emails).toEqual(emails);
    expect(resource.nickName).toBe('Babs');
  });

  it('merges sub-attributes into a complex attribute, leaving the others', () => {
    const { resource } = patchUser(bjensen(), { op: 'replace', path: 'name', value: { givenName: 'Babs', formatted: null } });
    expect(resource.name).toEqual({ familyName: 'Jensen', givenName: 'Babs' });
  });

  it('treats a replace of an absent attribute as an add, and null as a removal', () => {
    const { resource } = patchUser(
      bjensen(),
      { op: 'replace', path: 'displayName', value: 'Babs' },
      { op: 'replace', path: 'name', value: null },
    );
    expect(resource.displayName).toBe('Babs');
    expect(resource).not.toHaveProperty('name');
  });

  it('fails with noTarget when a filter that is not all eq terms matches nothing', () => {
    expect(failure(bjensen(), { op: 'replace', path: 'emails[value co "@nowhere"].type', value: 'other' })).toMatchObject({
      scimType: 'noTarget',
      detail: 'Operations[0] (replace emails[value co "@nowhere"].type): no value of emails matches the filter',
    });
  });

  it('keeps one primary when a replace sets it on another value', () => {
    const { resource } = patchUser(bjensen(), { op: 'replace', path: 'emails[type eq "home"].primary', value: true });
    expect(resource.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work' },
      { value: 'babs@jensen.org', type: 'home', primary: true },
    ]);
  });
});

describe('applyPatch: mutability, types and the body', () => {
  it('refuses changes to read-only attributes (id, meta, groups) with mutability', () => {
    expect(failure(bjensen(), { op: 'replace', path: 'id', value: 'other' }).scimType).toBe('mutability');
    expect(failure(bjensen(), { op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' })).toMatchObject({
      scimType: 'mutability',
      detail: 'Operations[0] (replace meta.created): meta.created is read-only',
    });
    expect(failure(bjensen(), { op: 'add', path: 'groups', value: [{ value: 'g1' }] }).scimType).toBe('mutability');
    expect(failure(bjensen(), { op: 'remove', path: 'groups[value eq "g1"]' }).scimType).toBe('mutability');
    // Sending the value it already has is no change, not an error.
    expect(patchUser(bjensen(), { op: 'replace', value: { id: bjensen().id, title: 'x' } }).resource.title).toBe('x');
  });

  it('refuses values of the wrong type, naming the attribute', () => {
    expect(failure(bjensen(), { op: 'replace', path: 'active', value: 'yes' })).toMatchObject({
      scimType: 'invalidValue',
      detail: 'Operations[0] (replace active): active must be true or false',
    });
    expect(failure(bjensen(), { op: 'add', path: 'emails', value: [{ value: { nested: 1 } }] }).detail).toMatch(
      /emails\[0\]\.value must be a string/,
    );
    expect(failure(bjensen(), { op: 'replace', path: 'name', value: 'Barbara' }).detail).toMatch(/name must be an object/);
    expect(failure(bjensen(), { op: 'replace', path: 'userName', value: '' }).detail).toMatch(/userName is required/);
    expect(failure(bjensen(), { op: 'replace', value: 'x' }).detail).toMatch(/without a path, the value must be an object/);
  });

  it('validates the body and each operation, naming the operation', () => {
    const err = (b: unknown) => {
      try {
        applyPatch(bjensen(), b, 'User');
      } catch (e) {
        return e as ScimRequestError;
      }
      throw new Error('patched');
    };
    expect(err([])).toMatchObject({ scimType: 'invalidSyntax', detail: 'The PATCH body must be a JSON object' });
    expect(err({ Operations: [] }).detail).toMatch(/non-empty array/);
    expect(err({ schemas: [USER], Operations: [{ op: 'add', value: {} }] }).detail).toMatch(/schemas must be/);
    expect(err(body(...Array.from({ length: 1001 }, () => ({ op: 'remove', path: 'title' })))).detail).toMatch(/at most 1000/);
    expect(err(body({ op: 'add', value: {} }, 'x')).detail).toBe('Operations[1] must be an object');
    expect(err(body({ op: 'merge', path: 'title', value: 'x' })).detail).toBe('Operations[0].op must be "add", "remove" or "replace"');
    expect(err(body({ op: 'add', path: 'title' }))).toMatchObject({
      scimType: 'invalidSyntax',
      detail: 'Operations[0] (add title): add needs a value',
    });
    expect(err(body({ op: 'add', path: 42, value: 'x' })).scimType).toBe('invalidPath');
    expect(err(body({ op: 'add', path: 'emails[type eq', value: 'x' }))).toMatchObject({ scimType: 'invalidPath' });
    expect(err(body({ op: 'add', path: 'emails[type eq', value: 'x' })).detail).toMatch(/^Operations\[0\]: Expected a space and a value/);
    // schemas may be missing.
    expect(applyPatch(bjensen(), { Operations: [{ op: 'add', path: 'title', value: 'x' }] }, 'User').resource.title).toBe('x');
  });

  it('never changes its input', () => {
    const input = deepFreeze(bjensen());
    const before = structuredClone(input);
    const { resource } = applyPatch(input, body({ op: 'replace', path: 'name.givenName', value: 'B' }), 'User');
    expect(input).toEqual(before);
    expect(resource.name).not.toBe(input.name);
  });
});
