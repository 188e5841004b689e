// /scim/v2/Groups through real HTTP on both databases: groups and their members as Entra ID and Okta
// manage them.
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { createSource, GROUP_SCHEMA, PATCH_OP, scimUser } from '../../test/scim-inbound.ts';
import { perSuite } from '../../test/suite.ts';

describe.each(dialects)('inbound SCIM Groups on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));
  let n = 0;

  async function withUsers(count: number) {
    const s = await createSource(t, `group source ${++n}`);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await s.scim('POST', '/Users', scimUser(`g${n}.member${i}`))).json().id);
    return { s, ids };
  }

  it('creates a group with members, gets it with ETag, renames it with PUT, and deletes it', async () => {
    const { s, ids } = await withUsers(2);
    const r = await s.scim('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: `Sales ${n}`,
      externalId: 'g-ext',
      members: [{ value: ids[0] }],
    });
    expect(r.statusCode, r.body).toBe(201);
    const group = r.json();
    expect(group).toMatchObject({ displayName: `Sales ${n}`, externalId: 'g-ext', members: [{ value: ids[0], type: 'User' }] });
    expect(r.headers.etag).toBe(group.meta.version);
    expect((await t.admin({ method: 'GET', url: `/api/v1/groups/${group.id}` })).json().source).toEqual({ type: 'scim', sourceId: s.id });
    const rest = (await t.admin({ method: 'GET', url: `/api/v1/groups/${group.id}/members?limit=10` })).json();
    expect(rest.items.map((m: { id: string }) => m.id)).toEqual([ids[0]]);
    const user = (await s.scim('GET', `/Users/${ids[0]}`)).json();
    expect(user.groups).toEqual([expect.objectContaining({ value: group.id, display: `Sales ${n}` })]);
    const put = await s.scim('PUT', `/Groups/${group.id}`, {
      schemas: [GROUP_SCHEMA],
      displayName: `Sales EMEA ${n}`,
      members: [{ value: ids[1] }],
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().members.map((m: { value: string }) => m.value)).toEqual([ids[1]]);
    expect((await s.scim('PUT', `/Groups/${group.id}`, { displayName: 'x' }, { 'if-match': group.meta.version })).statusCode).toBe(412);
    const dup = await s.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: `sales emea ${n}` });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().scimType).toBe('uniqueness');
    expect((await s.scim('DELETE', `/Groups/${group.id}`)).statusCode).toBe(204);
    expect((await s.scim('GET', `/Groups/${group.id}`)).statusCode).toBe(404);
  });

  it('adds and removes members as Entra ID and Okta send it', async () => {
    const { s, ids } = await withUsers(4);
    const group = (await s.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: `Engineering ${n}` })).json();
    const members = async () =>
      ((await s.scim('GET', `/Groups/${group.id}`)).json().members ?? []).map((m: { value: string }) => m.value).sort();
    // Entra ID: capitalized "Add" of members, then "Remove" with a value array.
    let r = await s.scim('PATCH', `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Add', path: 'members', value: ids.map((value) => ({ value })) }],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(await members()).toEqual([...ids].sort());
    r = await s.scim('PATCH', `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Remove', path: 'members', value: [{ value: ids[0] }] }],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(await members()).toEqual(ids.slice(1).sort());
    // Okta: remove by a value filter; rename with replace.
    r = await s.scim('PATCH', `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'remove', path: `members[value eq "${ids[1]}"]` },
        { op: 'replace', value: { id: group.id, displayName: `Engineering Core ${n}` } },
      ],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().displayName).toBe(`Engineering Core ${n}`);
    expect(await members()).toEqual(ids.slice(2).sort());
    // A member who is no user: 400, nothing changed.
    r = await s.scim('PATCH', `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: ids[0] }, { value: 'no-such-user' }] }],
    });
    expect(r.statusCode).toBe(400);
    expect(await members()).toEqual(ids.slice(2).sort());
    const events = (await t.admin({ method: 'GET', url: '/api/v1/insights/events?eventType=group_member_add' })).json().items;
    expect(events.some((e: { initiatedBy: { type: string } }) => e.initiatedBy.type === 'scim_source')).toBe(true);
  });

  it('lists groups by displayName (Entra ID looks them up before creating) without members when excluded', async () => {
    const { s, ids } = await withUsers(1);
    await s.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: `Lookup ${n}`, members: [{ value: ids[0] }] });
    const r = await s.scim('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "lookup ${n}"`)}&excludedAttributes=members`);
    expect(r.statusCode).toBe(200);
    expect(r.json().totalResults).toBe(1);
    expect(r.json().Resources[0]).not.toHaveProperty('members');
    const byMember = (await s.scim('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${ids[0]}"]`)}`)).json();
    expect(byMember.Resources.map((g: { displayName: string }) => g.displayName)).toEqual([`Lookup ${n}`]);
  });

  it('refuses groups to a source whose settings say groups: false', async () => {
    const s = await createSource(t, `no groups ${++n}`, { groups: false });
    const r = await s.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Nope' });
    expect(r.statusCode).toBe(403);
    expect(r.json().status).toBe('403');
  });
});
