import { describe, expect, it } from 'vitest';
import { ScimRequestError } from './errors.ts';
import { project, stripNever } from './projection.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const user = () => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT],
  id: 'u1',
  userName: 'bjensen',
  password: 't1meMa$heen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [
    { value: 'b@example.com', type: 'work', primary: true },
    { value: 'b@home.org', type: 'home' },
  ],
  meta: { resourceType: 'User', version: 'W/"1"' },
  [ENT]: { department: 'Tour', manager: { value: 'm1' } },
  favoriteColor: 'blue',
});

describe('project', () => {
  it('never returns returned:never attributes', () => {
    expect(stripNever(user(), 'User')).not.toHaveProperty('password');
    const { password: _password, ...rest } = user();
    expect(project(user(), {}, 'User')).toEqual(rest);
    expect(project(user(), { attributes: 'password,userName' }, 'User')).toEqual({
      schemas: user().schemas,
      id: 'u1',
      userName: 'bjensen',
    });
  });

  it('returns only the attributes asked for plus id and schemas, sub-attributes and extensions included', () => {
    expect(project(user(), { attributes: 'USERNAME, name.givenName, emails.value' }, 'User')).toEqual({
      schemas: user().schemas,
      id: 'u1',
      userName: 'bjensen',
      name: { givenName: 'Barbara' },
      emails: [{ value: 'b@example.com' }, { value: 'b@home.org' }],
    });
    expect(project(user(), { attributes: `${ENT}:department,favoritecolor` }, 'User')).toEqual({
      schemas: user().schemas,
      id: 'u1',
      [ENT]: { department: 'Tour' },
      favoriteColor: 'blue',
    });
    expect(project(user(), { attributes: ENT }, 'User')).toMatchObject({ [ENT]: user()[ENT] });
    expect(project(user(), { attributes: 'emails,emails.value' }, 'User').emails).toEqual(user().emails);
    expect(project(user(), { attributes: 'unknownThing,name.nickname' }, 'User')).toEqual({ schemas: user().schemas, id: 'u1' });
  });

  it('drops excluded attributes but never id or schemas', () => {
    const out = project(user(), { excludedAttributes: `emails.type,name,id,schemas,${ENT}:manager,meta` }, 'User');
    expect(out).toEqual({
      schemas: user().schemas,
      id: 'u1',
      userName: 'bjensen',
      emails: [{ value: 'b@example.com', primary: true }, { value: 'b@home.org' }],
      [ENT]: { department: 'Tour' },
      favoriteColor: 'blue',
    });
    expect(project(user(), { excludedAttributes: ENT }, 'User')).not.toHaveProperty(ENT);
  });

  it('refuses entries that are not attribute notation', () => {
    let err: unknown;
    try {
      project(user(), { attributes: 'userName,emails[type eq "work"]' }, 'User');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScimRequestError);
    expect(err).toMatchObject({ scimType: 'invalidPath' });
  });

  it('does not change its input', () => {
    const input = user();
    project(input, { attributes: 'emails.value' }, 'User');
    project(input, { excludedAttributes: 'emails.value,name.givenName' }, 'User');
    expect(input).toEqual(user());
  });
});
