import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { namedResourceTests } from '../../test/named-resources.ts';
import { createApplication, findApplicationByIdOrName, getApplication } from './index.ts';
import { perSuite } from '../../test/suite.ts';

describe.each(dialects)('applications on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));

  namedResourceTests(() => t, {
    path: '/api/v1/applications',
    table: 'applications',
    takenCode: 'APPLICATION_NAME_TAKEN',
    countField: 'groupCount',
    invalid: [[{ name: 'Ok', idm: {} }, 'body.idm']],
    create: createApplication,
    get: getApplication,
    findByIdOrName: findApplicationByIdOrName,
  });

  const create = (payload: unknown) => t.admin({ method: 'POST', url: '/api/v1/applications', payload: payload as object });
  const eventsOf = async (applicationId: string, eventType: string) =>
    (await t.admin({ method: 'GET', url: `/api/v1/insights/events?applicationId=${applicationId}&eventType=${eventType}` })).json().items;

  it('creates, reads, updates and deletes an application, recording an event for each change', async () => {
    const created = await create({ name: ' Salesforce ' });
    expect(created.statusCode).toBe(201);
    const a = created.json();
    expect(a).toMatchObject({ name: 'Salesforce', description: '', groupCount: 0 });
    expect((await t.admin({ method: 'GET', url: `/api/v1/applications/${a.id}` })).json()).toEqual(a);
    const [createEvent] = await eventsOf(a.id, 'application_create');
    expect(createEvent).toMatchObject({
      service: 'directory',
      resource: { type: 'application', id: a.id, username: 'Salesforce' },
      application: { id: a.id, name: 'Salesforce' },
    });

    const patched = await t.admin({ method: 'PATCH', url: `/api/v1/applications/${a.id}`, payload: { description: 'CRM' } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'Salesforce', description: 'CRM' });
    const [updateEvent] = await eventsOf(a.id, 'application_update');
    expect(updateEvent.changes).toEqual({ description: { from: '', to: 'CRM' } });

    expect((await t.admin({ method: 'DELETE', url: `/api/v1/applications/${a.id}` })).statusCode).toBe(204);
    expect((await t.admin({ method: 'GET', url: `/api/v1/applications/${a.id}` })).statusCode).toBe(404);
    const [deleteEvent] = await eventsOf(a.id, 'application_delete');
    expect(deleteEvent.changes).toEqual({ name: 'Salesforce', groups: [] });
    expect((await t.admin({ method: 'DELETE', url: `/api/v1/applications/${a.id}` })).json().error.code).toBe('NOT_FOUND');
  });
});
