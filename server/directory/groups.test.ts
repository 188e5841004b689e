import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { namedResourceTests } from '../../test/named-resources.ts';
import { createGroup, findGroupByIdOrName, getGroup } from './groups.service.ts';
import { perSuite } from '../../test/suite.ts';

describe.each(dialects)('groups on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));

  namedResourceTests(() => t, {
    path: '/api/v1/groups',
    table: 'groups',
    takenCode: 'GROUP_NAME_TAKEN',
    countField: 'memberCount',
    create: createGroup,
    get: getGroup,
    findByIdOrName: findGroupByIdOrName,
  });

  const create = (payload: unknown) => t.admin({ method: 'POST', url: '/api/v1/groups', payload: payload as object });
  const eventsOf = async (resourceId: string, eventType: string) =>
    (await t.admin({ method: 'GET', url: `/api/v1/insights/events?resourceId=${resourceId}&eventType=${eventType}` })).json().items;

  it('creates, reads, updates and deletes a group, recording an event for each change', async () => {
    const created = await create({ name: '  Engineering  ', description: 'Builds things' });
    expect(created.statusCode).toBe(201);
    const g = created.json();
    expect(g).toMatchObject({ name: 'Engineering', description: 'Builds things', memberCount: 0 });
    expect(g.createdAt).toBe(g.updatedAt);

    expect((await t.admin({ method: 'GET', url: `/api/v1/groups/${g.id}` })).json()).toEqual(g);
    const [createEvent] = await eventsOf(g.id, 'group_create');
    expect(createEvent).toMatchObject({
      service: 'directory',
      success: true,
      resource: { type: 'group', id: g.id, username: 'Engineering' },
    });
    expect(createEvent.initiatedBy).toMatchObject({ type: 'admin', id: t.adminActor.id });

    const patched = await t.admin({
      method: 'PATCH',
      url: `/api/v1/groups/${g.id}`,
      payload: { name: 'Platform', description: 'Builds things' },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ id: g.id, name: 'Platform', description: 'Builds things' });
    const [updateEvent] = await eventsOf(g.id, 'group_update');
    expect(updateEvent.changes).toEqual({ name: { from: 'Engineering', to: 'Platform' } });

    const deleted = await t.admin({ method: 'DELETE', url: `/api/v1/groups/${g.id}` });
    expect(deleted.statusCode).toBe(204);
    expect((await t.admin({ method: 'GET', url: `/api/v1/groups/${g.id}` })).json().error.code).toBe('NOT_FOUND');
    const [deleteEvent] = await eventsOf(g.id, 'group_delete');
    expect(deleteEvent.changes).toMatchObject({ name: 'Platform', memberCount: 0, applications: [] });
    expect((await t.admin({ method: 'DELETE', url: `/api/v1/groups/${g.id}` })).statusCode).toBe(404);
  });

  it('documents the group endpoints in the OpenAPI document', async () => {
    const doc = (await t.anonymous({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    for (const path of [
      '/api/v1/groups',
      '/api/v1/groups/{id}',
      '/api/v1/groups/{id}/members',
      '/api/v1/groups/{id}/members/{userId}',
      '/api/v1/groups/{id}/applications',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
  });
});
