import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { ctxOf, collectPages, countRows } from '../../test/factories.ts';
import { createGroup, findGroupByIdOrName, getGroup } from './groups.service.ts';

describe.each(dialects)('groups on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t?.close();
  });

  const create = (payload: unknown) => t.admin({ method: 'POST', url: '/api/v1/groups', payload: payload as object });
  const eventsOf = async (resourceId: string, eventType: string) =>
    (await t.admin({ method: 'GET', url: `/api/v1/insights/events?resourceId=${resourceId}&eventType=${eventType}` })).json().items;
  /** Groups and Insights rows, to show a refused request wrote nothing. */
  const snapshot = async () => ({
    groups: await countRows(t.database.db, 'groups'),
    events: await countRows(t.database.db, 'insight_events'),
  });

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

  it('keeps names unique in any letter case, with 409 GROUP_NAME_TAKEN naming the field and nothing written', async () => {
    const a = (await create({ name: 'Sales' })).json();
    const b = (await create({ name: 'Marketing' })).json();
    const before = await snapshot();
    for (const name of ['Sales', 'SALES', ' sales ']) {
      const r = await create({ name });
      expect(r.statusCode).toBe(409);
      expect(r.json().error).toMatchObject({ code: 'GROUP_NAME_TAKEN', details: [{ path: 'body.name', message: 'already taken' }] });
    }
    const rename = await t.admin({ method: 'PATCH', url: `/api/v1/groups/${b.id}`, payload: { name: 'sAlEs' } });
    expect(rename.statusCode).toBe(409);
    expect(rename.json().error.code).toBe('GROUP_NAME_TAKEN');
    expect(await snapshot()).toEqual(before);
    expect((await t.admin({ method: 'GET', url: `/api/v1/groups/${b.id}` })).json().name).toBe('Marketing');

    // A group may change the letter case of its own name.
    const recase = await t.admin({ method: 'PATCH', url: `/api/v1/groups/${a.id}`, payload: { name: 'SALES' } });
    expect(recase.statusCode).toBe(200);
    expect(recase.json().name).toBe('SALES');
  });

  it('refuses invalid input with 400 naming the field, and writes nothing', async () => {
    const g = (await create({ name: 'Valid' })).json();
    const before = await snapshot();
    const cases: Array<[unknown, string]> = [
      [{}, 'body.name'],
      [{ name: '   ' }, 'body.name'],
      [{ name: 'x'.repeat(101) }, 'body.name'],
      [{ name: 'two\nlines' }, 'body.name'],
      [{ name: 42 }, 'body.name'],
      [{ name: 'Ok', description: 'd'.repeat(1001) }, 'body.description'],
      [{ name: 'Ok', description: 'nul\u0000' }, 'body.description'],
      [{ name: 'Ok', memberCount: 3 }, 'body.memberCount'],
    ];
    for (const [payload, path] of cases) {
      const r = await create(payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().error.code).toBe('VALIDATION_FAILED');
      expect(r.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    for (const [payload, path] of cases.slice(1)) {
      const r = await t.admin({ method: 'PATCH', url: `/api/v1/groups/${g.id}`, payload: payload as object });
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const badId = await t.admin({ method: 'GET', url: '/api/v1/groups/not-a-uuid' });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().error.details[0].path).toBe('params.id');
    expect(await snapshot()).toEqual(before);
    expect((await t.admin({ method: 'GET', url: `/api/v1/groups/${g.id}` })).json()).toEqual(g);
  });

  it('answers concurrent creates of one name with a single 201 and 409 for the rest', async () => {
    const before = await snapshot();
    const results = await Promise.all(['Race', 'RACE', 'race', 'Race', 'rAce'].map((name) => create({ name })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(results.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === 'GROUP_NAME_TAKEN')).toBe(true);
    expect(await snapshot()).toEqual({ groups: before.groups + 1, events: before.events + 1 });
  });

  it('maps a name taken by a transaction that commits mid-way to 409, not a database error', async () => {
    const { db } = t.database;
    let resolveCreated!: () => void;
    const created = new Promise<void>((resolve) => {
      resolveCreated = resolve;
    });
    // The first transaction holds the new name uncommitted while the second checks (sees nothing) and writes.
    const first = db.transaction().execute(async (trx) => {
      await createGroup(ctxOf(t, trx), t.adminActor, { name: 'Late Commit' });
      resolveCreated();
      await new Promise((r) => setTimeout(r, 300));
    });
    await created;
    const second = createGroup(ctxOf(t), t.adminActor, { name: 'LATE COMMIT' });
    await first;
    await expect(second).rejects.toMatchObject({ code: 'GROUP_NAME_TAKEN', status: 409 });
  });

  it('accepts exactly 100 characters of name and 1000 of description', async () => {
    const r = await create({ name: 'n'.repeat(100), description: 'd'.repeat(1000) });
    expect(r.statusCode).toBe(201);
  });

  it('records nothing for a PATCH that changes nothing', async () => {
    const g = (await create({ name: 'Quiet', description: 'same' })).json();
    const before = await snapshot();
    for (const payload of [{}, { name: 'Quiet' }, { description: ' same ' }]) {
      const r = await t.admin({ method: 'PATCH', url: `/api/v1/groups/${g.id}`, payload });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual(g);
    }
    expect(await snapshot()).toEqual(before);
    expect(await eventsOf(g.id, 'group_update')).toEqual([]);
  });

  it('404s on unknown groups', async () => {
    const id = '01900000-0000-7000-8000-000000000000';
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const r = await t.admin({ method, url: `/api/v1/groups/${id}`, payload: method === 'PATCH' ? { name: 'x' } : undefined });
      expect(r.statusCode).toBe(404);
      expect(r.json().error.code).toBe('NOT_FOUND');
    }
  });

  it('pages through every group exactly once, sorted by name case-insensitively, with a total', async () => {
    const names = Array.from({ length: 23 }, (_, i) => `${i % 2 ? 'page' : 'PAGE'} ${String.fromCharCode(97 + ((i * 7) % 23))}${i}`);
    for (const name of names) expect((await create({ name })).statusCode).toBe(201);
    const totals = new Set<number>();
    const pages = await collectPages<{ name: string }>(async (cursor) => {
      const r = await t.admin({ method: 'GET', url: `/api/v1/groups?q=PaGe&limit=5${cursor ? `&cursor=${cursor}` : ''}` });
      expect(r.statusCode).toBe(200);
      totals.add(r.json().total);
      return r.json();
    });
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    const seen = pages.flat().map((g: { name: string }) => g.name);
    expect(seen).toEqual([...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
    expect([...totals]).toEqual([23]);

    const all = (await t.admin({ method: 'GET', url: '/api/v1/groups?limit=500' })).json();
    expect(all.items.length).toBe(all.total);
    expect(all.nextCursor).toBeNull();
    expect(all.total).toBeGreaterThan(23);
  });

  it('treats LIKE wildcards in q literally', async () => {
    await create({ name: '100% Remote' });
    await create({ name: '100 Remote' });
    const r = (await t.admin({ method: 'GET', url: `/api/v1/groups?q=${encodeURIComponent('0%')}` })).json();
    expect(r.items.map((g: { name: string }) => g.name)).toEqual(['100% Remote']);
    expect(r.total).toBe(1);
    expect((await t.admin({ method: 'GET', url: '/api/v1/groups?q=_' })).json().total).toBe(0);
  });

  it('refuses a bad cursor with 400 INVALID_CURSOR and unknown query parameters', async () => {
    for (const cursor of ['garbage!', Buffer.from('[1,2]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')]) {
      const r = await t.admin({ method: 'GET', url: `/api/v1/groups?cursor=${encodeURIComponent(cursor)}` });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.code).toBe('INVALID_CURSOR');
    }
    const unknown = await t.admin({ method: 'GET', url: '/api/v1/groups?sort=name' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details[0].path).toBe('querystring.sort');
    expect((await t.admin({ method: 'GET', url: '/api/v1/groups?limit=501' })).statusCode).toBe(400);
  });

  it('lets read_only keys read but not write, and anonymous requests nothing', async () => {
    const g = (await create({ name: 'Readable' })).json();
    expect((await t.readOnly({ method: 'GET', url: '/api/v1/groups' })).statusCode).toBe(200);
    expect((await t.readOnly({ method: 'GET', url: `/api/v1/groups/${g.id}` })).statusCode).toBe(200);
    const before = await snapshot();
    const writes = [
      { method: 'POST' as const, url: '/api/v1/groups', payload: { name: 'Nope' } },
      { method: 'PATCH' as const, url: `/api/v1/groups/${g.id}`, payload: { name: 'Nope' } },
      { method: 'DELETE' as const, url: `/api/v1/groups/${g.id}` },
    ];
    for (const w of writes) {
      const r = await t.readOnly(w);
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('FORBIDDEN');
      expect((await t.anonymous(w)).statusCode).toBe(401);
    }
    expect((await t.anonymous({ method: 'GET', url: '/api/v1/groups' })).statusCode).toBe(401);
    expect(await snapshot()).toEqual(before);
  });

  it("commits the group and its event with the caller's transaction, or neither", async () => {
    const before = await snapshot();
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await createGroup(ctxOf(t, trx), t.adminActor, { name: 'Rolled back' });
        throw new Error('caller fails later');
      }),
    ).rejects.toThrow('caller fails later');
    expect(await snapshot()).toEqual(before);

    const g = await t.database.db.transaction().execute((trx) => createGroup(ctxOf(t, trx), t.adminActor, { name: 'Committed' }));
    expect(await getGroup(ctxOf(t), t.adminActor.organizationId, g.id)).toEqual(g);
    expect(await snapshot()).toEqual({ groups: before.groups + 1, events: before.events + 1 });
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

  it('finds a group by id or by name in any letter case', async () => {
    const g = await createGroup(ctxOf(t), t.adminActor, { name: 'Lookup Me' });
    const org = t.adminActor.organizationId;
    expect(await findGroupByIdOrName(ctxOf(t), org, g.id)).toEqual(g);
    expect(await findGroupByIdOrName(ctxOf(t), org, 'LOOKUP me')).toEqual(g);
    expect(await findGroupByIdOrName(ctxOf(t), org, 'nobody')).toBeUndefined();
  });
});
