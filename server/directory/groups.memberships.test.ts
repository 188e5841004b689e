import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { perSuite } from '../../test/suite.ts';
import { isGroupMember, listGroupsOfUser } from './groups.service.ts';
import { ctxOf, collectPages, insertUser, rowsAndEvents } from '../../test/factories.ts';

describe.each(dialects)('group memberships on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));

  let n = 0;
  const newGroup = async () => (await t.admin({ method: 'POST', url: '/api/v1/groups', payload: { name: `Group ${++n}` } })).json();
  const put = (groupId: string, userId: string) => t.admin({ method: 'PUT', url: `/api/v1/groups/${groupId}/members/${userId}` });
  const del = (groupId: string, userId: string) => t.admin({ method: 'DELETE', url: `/api/v1/groups/${groupId}/members/${userId}` });
  const events = async (eventType: string, resourceId: string) =>
    (await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=${eventType}&resourceId=${resourceId}` })).json().items;
  const snapshot = () => rowsAndEvents(t.database.db, 'group_members');

  it('adds a member idempotently: 201 then 200, one event, and the member is listed', async () => {
    const g = await newGroup();
    const userId = await insertUser(t.database.db, 'Alice');
    const first = await put(g.id, userId);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      id: userId,
      username: 'Alice',
      email: 'alice@example.com',
      firstname: 'First',
      lastname: 'Alice',
      state: 'ACTIVE',
    });
    const again = await put(g.id, userId);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());

    const added = await events('group_member_add', userId);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      service: 'directory',
      resource: { type: 'user', id: userId, username: 'Alice' },
      changes: { group: { id: g.id, name: g.name } },
    });

    expect((await t.admin({ method: 'GET', url: `/api/v1/groups/${g.id}` })).json().memberCount).toBe(1);
    const list = (await t.admin({ method: 'GET', url: `/api/v1/groups/${g.id}/members` })).json();
    expect(list).toEqual({ items: [first.json()], nextCursor: null, total: 1 });
    expect(await isGroupMember(ctxOf(t), t.adminActor.organizationId, g.id, userId)).toBe(true);
    expect(await listGroupsOfUser(ctxOf(t), t.adminActor.organizationId, userId)).toEqual([{ id: g.id, name: g.name }]);
  });

  it('adds a member once under concurrent PUTs', async () => {
    const g = await newGroup();
    const userId = await insertUser(t.database.db, 'Racer');
    const results = await Promise.all(Array.from({ length: 5 }, () => put(g.id, userId)));
    expect(results.map((r) => r.statusCode).sort((a, b) => a - b)).toEqual([200, 200, 200, 200, 201]);
    expect(await events('group_member_add', userId)).toHaveLength(1);
  });

  it('removes a member with an event; removing a non-member is 404 NOT_A_MEMBER and records nothing', async () => {
    const g = await newGroup();
    const userId = await insertUser(t.database.db, 'Bob');
    await put(g.id, userId);
    const removed = await del(g.id, userId);
    expect(removed.statusCode).toBe(204);
    const [ev] = await events('group_member_remove', userId);
    expect(ev).toMatchObject({ resource: { type: 'user', id: userId, username: 'Bob' }, changes: { group: { id: g.id, name: g.name } } });
    expect((await t.admin({ method: 'GET', url: `/api/v1/groups/${g.id}/members` })).json().total).toBe(0);

    const before = await snapshot();
    const again = await del(g.id, userId);
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('NOT_A_MEMBER');
    const stranger = await del(g.id, '01900000-0000-7000-8000-000000000000');
    expect(stranger.json().error.code).toBe('NOT_A_MEMBER');
    expect(await snapshot()).toEqual(before);
  });

  it('404s on an unknown group or user and writes nothing', async () => {
    const g = await newGroup();
    const userId = await insertUser(t.database.db, 'Carol');
    const unknown = '01900000-0000-7000-8000-000000000000';
    const before = await snapshot();
    for (const [groupId, uid, what] of [
      [unknown, userId, 'Group'],
      [g.id, unknown, 'User'],
    ]) {
      const r = await put(groupId, uid);
      expect(r.statusCode).toBe(404);
      expect(r.json().error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(what) });
    }
    expect((await del(unknown, userId)).json().error.code).toBe('NOT_FOUND');
    expect((await t.admin({ method: 'GET', url: `/api/v1/groups/${unknown}/members` })).statusCode).toBe(404);
    const bad = await put(g.id, 'nope');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('params.userId');
    expect(await snapshot()).toEqual(before);
  });

  it('pages through members exactly once, sorted by username case-insensitively', async () => {
    const g = await newGroup();
    const usernames = Array.from({ length: 12 }, (_, i) => `${i % 3 ? 'm' : 'M'}ember${String.fromCharCode(108 - i)}`);
    for (const u of usernames) expect((await put(g.id, await insertUser(t.database.db, u))).statusCode).toBe(201);
    // Users outside the group stay out of the list.
    await insertUser(t.database.db, 'memberOutside');
    const pages = await collectPages<{ username: string }>(async (cursor) => {
      const r = await t.admin({ method: 'GET', url: `/api/v1/groups/${g.id}/members?limit=5${cursor ? `&cursor=${cursor}` : ''}` });
      expect(r.statusCode).toBe(200);
      expect(r.json().total).toBe(12);
      return r.json();
    });
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    expect(pages.flat().map((m: { username: string }) => m.username)).toEqual(
      [...usernames].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)),
    );

    const bad = await t.admin({ method: 'GET', url: `/api/v1/groups/${g.id}/members?cursor=xyz` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_CURSOR');
    expect((await t.admin({ method: 'GET', url: `/api/v1/groups/${g.id}/members?q=x` })).statusCode).toBe(400);
  });

  it('deleting a group removes its memberships but not the users', async () => {
    const g = await newGroup();
    const other = await newGroup();
    const ids = [await insertUser(t.database.db, 'Dave'), await insertUser(t.database.db, 'Erin')];
    for (const id of ids) {
      await put(g.id, id);
      await put(other.id, id);
    }
    expect((await t.admin({ method: 'DELETE', url: `/api/v1/groups/${g.id}` })).statusCode).toBe(204);
    const [ev] = await events('group_delete', g.id);
    expect(ev.changes).toMatchObject({ memberCount: 2 });
    const left = await t.database.db.selectFrom('group_members').select('group_id').where('user_id', 'in', ids).execute();
    expect(left.map((r) => r.group_id)).toEqual([other.id, other.id]);
    const users = await t.database.db.selectFrom('users').select('id').where('id', 'in', ids).execute();
    expect(users).toHaveLength(2);
  });

  it('lets read_only keys list members but not change them, and anonymous requests nothing', async () => {
    const g = await newGroup();
    const userId = await insertUser(t.database.db, 'Frank');
    await put(g.id, userId);
    expect((await t.readOnly({ method: 'GET', url: `/api/v1/groups/${g.id}/members` })).statusCode).toBe(200);
    expect((await t.anonymous({ method: 'GET', url: `/api/v1/groups/${g.id}/members` })).statusCode).toBe(401);
    const before = await snapshot();
    for (const method of ['PUT', 'DELETE'] as const) {
      const url = `/api/v1/groups/${g.id}/members/${userId}`;
      expect((await t.readOnly({ method, url })).statusCode).toBe(403);
      expect((await t.anonymous({ method, url })).statusCode).toBe(401);
    }
    expect(await snapshot()).toEqual(before);
  });
});
