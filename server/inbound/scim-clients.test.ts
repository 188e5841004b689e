// The request sequences real identity providers send, replayed in their order and shapes as their
// documentation shows them (Microsoft Entra ID's SCIM provisioning tutorial and validator, Okta's SCIM
// 2.0 reference, OneLogin's SCIM 2.0 guide): each must succeed and leave the directory as intended.
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { createSource, ENTERPRISE, GROUP_SCHEMA, PATCH_OP, USER_SCHEMA } from '../../test/scim-inbound.ts';
import { perSuite } from '../../test/suite.ts';

const q = (filter: string) => encodeURIComponent(filter);

describe.each(dialects)('identity providers replayed against inbound SCIM on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));
  const rest = async (userId: string) => (await t.admin({ method: 'GET', url: `/api/v1/users/${userId}` })).json();

  it('Microsoft Entra ID: lookup, create, update, disable, manager, groups, delete', async () => {
    const s = await createSource(t, 'Entra ID');
    const userName = 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1';
    let r = await s.scim('GET', `/Users?filter=${q(`userName eq "${userName}"`)}`);
    expect(r.json()).toMatchObject({ totalResults: 0, Resources: [] });
    r = await s.scim('POST', '/Users', {
      schemas: [USER_SCHEMA, ENTERPRISE],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName,
      active: true,
      emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
    });
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json().id as string;
    expect(r.json()).toMatchObject({ userName, externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef', active: true });
    r = await s.scim('GET', `/Users?filter=${q(`userName eq "${userName.toLowerCase()}"`)}`);
    expect(r.json().totalResults).toBe(1);
    r = await s.scim('GET', `/Users/${id}`);
    expect(r.statusCode).toBe(200);
    r = await s.scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(await rest(id)).toMatchObject({ email: 'updatedEmail@microsoft.com', lastname: 'updatedFamilyName' });
    // The manager, as Entra ID sends it: the manager's id as a plain string value.
    r = await s.scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: '2819c223-7f76-453a-919d-413861904646' }],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()[ENTERPRISE].manager).toMatchObject({ value: '2819c223-7f76-453a-919d-413861904646' });
    // Disable, with the boolean as a string (Entra ID's non-compliant form).
    r = await s.scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(r.statusCode, r.body).toBe(200);
    expect((await rest(id)).state).toBe('SUSPENDED');
    r = await s.scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: true }] });
    expect((await rest(id)).state).toBe('ACTIVE');

    r = await s.scim('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'displayName',
      meta: { resourceType: 'Group' },
    });
    expect(r.statusCode, r.body).toBe(201);
    const groupId = r.json().id as string;
    r = await s.scim('GET', `/Groups?excludedAttributes=members&filter=${q('displayName eq "displayName"')}`);
    expect(r.json().totalResults).toBe(1);
    r = await s.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: id }] }],
    });
    expect(r.statusCode, r.body).toBe(200);
    // Entra ID checks a membership with a filter on the group's id and its members.
    r = await s.scim('GET', `/Groups?filter=${q(`id eq "${groupId}" and members[value eq "${id}"]`)}&excludedAttributes=members`);
    expect(r.json().totalResults).toBe(1);
    r = await s.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }],
    });
    expect(r.json().displayName).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');
    r = await s.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: id }] }],
    });
    expect(r.statusCode, r.body).toBe(200);
    r = await s.scim('GET', `/Groups?filter=${q(`id eq "${groupId}" and members[value eq "${id}"]`)}&excludedAttributes=members`);
    expect(r.json().totalResults).toBe(0);
    expect((await s.scim('DELETE', `/Groups/${groupId}`)).statusCode).toBe(204);
    expect((await s.scim('DELETE', `/Users/${id}`)).statusCode).toBe(204);
    expect((await s.scim('GET', `/Users/${id}`)).statusCode).toBe(404);
  });

  it('Okta: lookup before create, create with groups and password, PUT updates, deactivate by PATCH, group push', async () => {
    const s = await createSource(t, 'Okta');
    let r = await s.scim('GET', `/Users?filter=${q('userName eq "test.user@okta.local"')}&startIndex=1&count=100`);
    expect(r.json().totalResults).toBe(0);
    const body = {
      schemas: [USER_SCHEMA],
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    };
    r = await s.scim('POST', '/Users', body);
    expect(r.statusCode, r.body).toBe(201);
    const user = r.json();
    // The password is not kept, nor ever returned.
    expect(JSON.stringify(user)).not.toContain('1mz050nq');
    expect(user).toMatchObject({ locale: 'en-US', externalId: '00ujl29u0le5T6Aj10h7' });
    r = await s.scim('PUT', `/Users/${user.id}`, {
      ...body,
      id: user.id,
      name: { givenName: 'Another', familyName: 'User' },
      password: undefined,
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(await rest(user.id)).toMatchObject({ firstname: 'Another', displayname: 'Test User' });
    r = await s.scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(r.statusCode, r.body).toBe(200);
    expect((await rest(user.id)).state).toBe('SUSPENDED');

    r = await s.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2', members: [] });
    expect(r.statusCode, r.body).toBe(201);
    const groupId = r.json().id as string;
    r = await s.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { id: groupId, displayName: 'Test SCIMv2 renamed' } }],
    });
    expect(r.statusCode, r.body).toBe(200);
    r = await s.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: user.id, display: 'test.user@okta.local' }] }],
    });
    expect(r.json().members).toEqual([expect.objectContaining({ value: user.id })]);
    r = await s.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq "${user.id}"]` }],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().members ?? []).toEqual([]);
    expect((await s.scim('DELETE', `/Groups/${groupId}`)).statusCode).toBe(204);
  });

  it('OneLogin: create, replace with PUT, deprovision with PATCH active false, group membership', async () => {
    const s = await createSource(t, 'OneLogin');
    let r = await s.scim('POST', '/Users', {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName: 'katinka@onelogin.example',
      externalId: '123456',
      name: { givenName: 'Katinka', familyName: 'Onelogin' },
      emails: [{ value: 'katinka@onelogin.example', primary: true }],
      title: 'Developer',
      [ENTERPRISE]: { department: 'Engineering', organization: 'OneLogin' },
      active: true,
    });
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json().id as string;
    r = await s.scim('PUT', `/Users/${id}`, {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName: 'katinka@onelogin.example',
      externalId: '123456',
      name: { givenName: 'Katinka', familyName: 'Onelogin' },
      emails: [{ value: 'katinka@onelogin.example', primary: true }],
      title: 'Lead Developer',
      [ENTERPRISE]: { department: 'Platform', organization: 'OneLogin' },
      active: true,
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(await rest(id)).toMatchObject({ jobTitle: 'Lead Developer', department: 'Platform', organization: 'OneLogin' });
    r = await s.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'OneLogin Role' });
    const groupId = r.json().id as string;
    r = await s.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
    });
    expect(r.statusCode, r.body).toBe(200);
    r = await s.scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(r.statusCode, r.body).toBe(200);
    expect((await rest(id)).state).toBe('SUSPENDED');
  });
});
