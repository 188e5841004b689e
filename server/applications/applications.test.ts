import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { ctxOf, collectPages, countRows } from '../../test/factories.ts';
import { createApplication, findApplicationByIdOrName, getApplication } from './index.ts';

describe.each(dialects)('applications on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  const create = (payload: unknown) => t.admin({ method: 'POST', url: '/api/v1/applications', payload: payload as object });
  const eventsOf = async (applicationId: string, eventType: string) =>
    (await t.admin({ method: 'GET', url: `/api/v1/insights/events?applicationId=${applicationId}&eventType=${eventType}` })).json().items;
  const snapshot = async () => ({
    applications: await countRows(t.database.db, 'applications'),
    events: await countRows(t.database.db, 'insight_events'),
  });

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

  it('keeps names unique in any letter case, with 409 APPLICATION_NAME_TAKEN naming the field and nothing written', async () => {
    const a = (await create({ name: 'Slack' })).json();
    const b = (await create({ name: 'Zoom' })).json();
    const before = await snapshot();
    for (const name of ['Slack', 'SLACK', ' slack']) {
      const r = await create({ name });
      expect(r.statusCode).toBe(409);
      expect(r.json().error).toMatchObject({ code: 'APPLICATION_NAME_TAKEN', details: [{ path: 'body.name', message: 'already taken' }] });
    }
    const rename = await t.admin({ method: 'PATCH', url: `/api/v1/applications/${b.id}`, payload: { name: 'sLACK' } });
    expect(rename.statusCode).toBe(409);
    expect(await snapshot()).toEqual(before);
    expect((await t.admin({ method: 'PATCH', url: `/api/v1/applications/${a.id}`, payload: { name: 'slack' } })).json().name).toBe('slack');
  });

  it('maps a name taken by a transaction that commits mid-way to 409, not a database error', async () => {
    const { db } = t.database;
    let resolveCreated!: () => void;
    const created = new Promise<void>((resolve) => {
      resolveCreated = resolve;
    });
    const first = db.transaction().execute(async (trx) => {
      await createApplication(ctxOf(t, trx), t.adminActor, { name: 'Late App' });
      resolveCreated();
      await new Promise((r) => setTimeout(r, 300));
    });
    await created;
    const second = createApplication(ctxOf(t), t.adminActor, { name: 'late app' });
    await first;
    await expect(second).rejects.toMatchObject({ code: 'APPLICATION_NAME_TAKEN', status: 409 });
  });

  it('refuses invalid input with 400 naming the field, and writes nothing', async () => {
    const a = (await create({ name: 'Valid App' })).json();
    const before = await snapshot();
    const cases: Array<[unknown, string]> = [
      [{}, 'body.name'],
      [{ name: '' }, 'body.name'],
      [{ name: 'y'.repeat(101) }, 'body.name'],
      [{ name: 'tab\there' }, 'body.name'],
      [{ name: 'Ok', description: 'd'.repeat(1001) }, 'body.description'],
      [{ name: 'Ok', groupCount: 1 }, 'body.groupCount'],
      [{ name: 'Ok', idm: {} }, 'body.idm'],
    ];
    for (const [payload, path] of cases) {
      const r = await create(payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().error.code).toBe('VALIDATION_FAILED');
      expect(r.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    for (const [payload, path] of cases.slice(1)) {
      const r = await t.admin({ method: 'PATCH', url: `/api/v1/applications/${a.id}`, payload: payload as object });
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect(await snapshot()).toEqual(before);
    expect((await t.admin({ method: 'GET', url: `/api/v1/applications/${a.id}` })).json()).toEqual(a);
  });

  it('records nothing for a PATCH that changes nothing', async () => {
    const a = (await create({ name: 'Steady' })).json();
    const before = await snapshot();
    expect(
      (await t.admin({ method: 'PATCH', url: `/api/v1/applications/${a.id}`, payload: { name: 'Steady ', description: '' } })).json(),
    ).toEqual(a);
    expect(await snapshot()).toEqual(before);
  });

  it('pages through every application exactly once, sorted by name case-insensitively', async () => {
    const names = Array.from({ length: 17 }, (_, i) => `${i % 2 ? 'pager' : 'Pager'} ${String.fromCharCode(122 - i)}`);
    for (const name of names) expect((await create({ name })).statusCode).toBe(201);
    const pages = await collectPages<{ name: string }>(async (cursor) => {
      const r = await t.admin({ method: 'GET', url: `/api/v1/applications?q=pager&limit=4${cursor ? `&cursor=${cursor}` : ''}` });
      expect(r.statusCode).toBe(200);
      expect(r.json().total).toBe(17);
      return r.json();
    });
    expect(pages.map((p) => p.length)).toEqual([4, 4, 4, 4, 1]);
    expect(pages.flat().map((a: { name: string }) => a.name)).toEqual(
      [...names].sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : 1)),
    );

    const bad = await t.admin({ method: 'GET', url: `/api/v1/applications?cursor=${Buffer.from('["a"]').toString('base64url')}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_CURSOR');
    expect((await t.admin({ method: 'GET', url: '/api/v1/applications?order=desc' })).statusCode).toBe(400);
  });

  it('lets read_only keys read but not write, and anonymous requests nothing', async () => {
    const a = (await create({ name: 'Guarded' })).json();
    expect((await t.readOnly({ method: 'GET', url: '/api/v1/applications' })).statusCode).toBe(200);
    expect((await t.readOnly({ method: 'GET', url: `/api/v1/applications/${a.id}` })).statusCode).toBe(200);
    const before = await snapshot();
    const writes = [
      { method: 'POST' as const, url: '/api/v1/applications', payload: { name: 'Nope' } },
      { method: 'PATCH' as const, url: `/api/v1/applications/${a.id}`, payload: { name: 'Nope' } },
      { method: 'DELETE' as const, url: `/api/v1/applications/${a.id}` },
    ];
    for (const w of writes) {
      const r = await t.readOnly(w);
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('FORBIDDEN');
      expect((await t.anonymous(w)).statusCode).toBe(401);
    }
    expect((await t.anonymous({ method: 'GET', url: `/api/v1/applications/${a.id}` })).statusCode).toBe(401);
    expect(await snapshot()).toEqual(before);
  });

  it('finds an application by id or by name in any letter case (for the CLI)', async () => {
    const org = t.adminActor.organizationId;
    const a = await createApplication(ctxOf(t), t.adminActor, { name: 'GitHub', description: 'code' });
    expect(await getApplication(ctxOf(t), org, a.id)).toEqual(a);
    expect(await findApplicationByIdOrName(ctxOf(t), org, a.id)).toEqual(a);
    expect(await findApplicationByIdOrName(ctxOf(t), org, ' github ')).toEqual(a);
    expect(await findApplicationByIdOrName(ctxOf(t), org, '01900000-0000-7000-8000-000000000000')).toBeUndefined();
    await expect(createApplication(ctxOf(t), t.adminActor, { name: '\u0007' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
    });
  });
});
