import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { listGroupsOfApplication } from '../directory/groups.service.ts';
import { ctxOf, collectPages, insertUser, rowsAndEvents } from '../../test/factories.ts';
import { isUserInScope, listApplicationIdsOfUser, listUserIdsInScope } from './index.ts';
import { perSuite } from '../../test/suite.ts';
import { codeUnitOrder } from '../../test/order.ts';

describe.each(dialects)('application group bindings on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));

  let n = 0;
  const newGroup = async (name = `Team ${++n}`) => (await t.admin({ method: 'POST', url: '/api/v1/groups', payload: { name } })).json();
  const newApp = async (name = `App ${++n}`) => (await t.admin({ method: 'POST', url: '/api/v1/applications', payload: { name } })).json();
  const bind = (appId: string, groupId: string) => t.admin({ method: 'PUT', url: `/api/v1/applications/${appId}/groups/${groupId}` });
  const unbind = (appId: string, groupId: string) => t.admin({ method: 'DELETE', url: `/api/v1/applications/${appId}/groups/${groupId}` });
  const events = async (eventType: string, applicationId: string) =>
    (await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=${eventType}&applicationId=${applicationId}` })).json().items;
  const snapshot = () => rowsAndEvents(t.database.db, 'application_groups');
  const org = () => t.adminActor.organizationId;

  it('binds a group idempotently (201 then 200, one event) and lists it from both sides', async () => {
    const app = await newApp();
    const g = await newGroup();
    const first = await bind(app.id, g.id);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual(g);
    expect((await bind(app.id, g.id)).statusCode).toBe(200);

    const evs = await events('application_group_bind', app.id);
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({
      service: 'directory',
      resource: { type: 'group', id: g.id, username: g.name },
      application: { id: app.id, name: app.name },
    });

    expect((await t.admin({ method: 'GET', url: `/api/v1/applications/${app.id}` })).json().groupCount).toBe(1);
    expect((await t.admin({ method: 'GET', url: `/api/v1/applications/${app.id}/groups` })).json()).toEqual({
      items: [g],
      nextCursor: null,
      total: 1,
    });
    const ofGroup = (await t.admin({ method: 'GET', url: `/api/v1/groups/${g.id}/applications` })).json();
    expect(ofGroup.items.map((a: { id: string }) => a.id)).toEqual([app.id]);
    expect(ofGroup.total).toBe(1);
  });

  it('unbinds with an event; unbinding an unbound group is 404 NOT_BOUND and records nothing', async () => {
    const app = await newApp();
    const g = await newGroup();
    await bind(app.id, g.id);
    expect((await unbind(app.id, g.id)).statusCode).toBe(204);
    const [ev] = await events('application_group_unbind', app.id);
    expect(ev).toMatchObject({ resource: { type: 'group', id: g.id }, application: { id: app.id, name: app.name } });
    expect((await t.admin({ method: 'GET', url: `/api/v1/applications/${app.id}` })).json().groupCount).toBe(0);

    const before = await snapshot();
    const again = await unbind(app.id, g.id);
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('NOT_BOUND');
    expect(await snapshot()).toEqual(before);
  });

  it('404s on an unknown application or group and writes nothing', async () => {
    const app = await newApp();
    const g = await newGroup();
    const unknown = '01900000-0000-7000-8000-000000000000';
    const before = await snapshot();
    const r1 = await bind(unknown, g.id);
    expect(r1.statusCode).toBe(404);
    expect(r1.json().error.message).toContain('Application');
    const r2 = await bind(app.id, unknown);
    expect(r2.statusCode).toBe(404);
    expect(r2.json().error.message).toContain('Group');
    expect((await unbind(unknown, g.id)).json().error.code).toBe('NOT_FOUND');
    expect((await t.admin({ method: 'GET', url: `/api/v1/applications/${unknown}/groups` })).statusCode).toBe(404);
    expect((await t.admin({ method: 'GET', url: `/api/v1/groups/${unknown}/applications` })).statusCode).toBe(404);
    expect((await bind(app.id, 'x')).json().error.details[0].path).toBe('params.groupId');
    expect(await snapshot()).toEqual(before);
  });

  it('pages through bound groups exactly once', async () => {
    const app = await newApp();
    const groups = [];
    for (let i = 0; i < 7; i++) groups.push(await newGroup(`Bound ${String.fromCharCode(103 - i)}`));
    await newGroup('Bound but not really');
    for (const g of groups) await bind(app.id, g.id);
    const pages = await collectPages<{ name: string }>(async (cursor) =>
      (await t.admin({ method: 'GET', url: `/api/v1/applications/${app.id}/groups?limit=3${cursor ? `&cursor=${cursor}` : ''}` })).json(),
    );
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat().map((g: { name: string }) => g.name)).toEqual(groups.map((g) => g.name).sort(codeUnitOrder));
    const filtered = await listGroupsOfApplication(ctxOf(t), org(), app.id, { q: 'BOUND A', limit: 10 });
    expect(filtered.items.map((g) => g.name)).toEqual(['Bound a']);
    const bad = await t.admin({ method: 'GET', url: `/api/v1/applications/${app.id}/groups?cursor=AAAA` });
    expect(bad.json().error.code).toBe('INVALID_CURSOR');
  });

  it('puts a user in scope of the applications his groups are bound to, once each', async () => {
    const [crm, chat, other] = [await newApp(), await newApp(), await newApp()];
    const [sales, support] = [await newGroup(), await newGroup()];
    const [ann, ben, cy] = [
      await insertUser(t.database.db, 'ann'),
      await insertUser(t.database.db, 'ben'),
      await insertUser(t.database.db, 'cy'),
    ];
    for (const [g, u] of [
      [sales, ann],
      [support, ann],
      [support, ben],
    ] as const) {
      expect((await t.admin({ method: 'PUT', url: `/api/v1/groups/${g.id}/members/${u}` })).statusCode).toBe(201);
    }
    await bind(crm.id, sales.id);
    await bind(crm.id, support.id);
    await bind(chat.id, support.id);

    expect(await listApplicationIdsOfUser(ctxOf(t), org(), ann)).toEqual([crm.id, chat.id].sort(codeUnitOrder));
    expect(await listApplicationIdsOfUser(ctxOf(t), org(), ben)).toEqual([crm.id, chat.id].sort(codeUnitOrder));
    expect(await listApplicationIdsOfUser(ctxOf(t), org(), cy)).toEqual([]);
    expect(await isUserInScope(ctxOf(t), org(), crm.id, ann)).toBe(true);
    expect(await isUserInScope(ctxOf(t), org(), other.id, ann)).toBe(false);
    expect(await isUserInScope(ctxOf(t), org(), crm.id, cy)).toBe(false);

    const first = await listUserIdsInScope(ctxOf(t), org(), crm.id, { limit: 1 });
    const rest = await listUserIdsInScope(ctxOf(t), org(), crm.id, { limit: 10, afterId: first[0] });
    expect([...first, ...rest]).toEqual([ann, ben].sort());
    expect(await listUserIdsInScope(ctxOf(t), org(), other.id, { limit: 10 })).toEqual([]);
  });

  it('deleting a group unbinds it, recording an unbind event per application', async () => {
    const [a1, a2] = [await newApp(), await newApp()];
    const g = await newGroup();
    const kept = await newGroup();
    await bind(a1.id, g.id);
    await bind(a2.id, g.id);
    await bind(a1.id, kept.id);
    expect((await t.admin({ method: 'DELETE', url: `/api/v1/groups/${g.id}` })).statusCode).toBe(204);
    for (const a of [a1, a2]) {
      const [ev] = await events('application_group_unbind', a.id);
      expect(ev).toMatchObject({ resource: { type: 'group', id: g.id, username: g.name }, application: { id: a.id, name: a.name } });
    }
    const del = (await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=group_delete&resourceId=${g.id}` })).json().items;
    expect(del[0].changes.applications).toEqual([
      { id: a1.id, name: a1.name },
      { id: a2.id, name: a2.name },
    ]);
    expect(
      (await t.admin({ method: 'GET', url: `/api/v1/applications/${a1.id}/groups` })).json().items.map((x: { id: string }) => x.id),
    ).toEqual([kept.id]);
    expect((await t.admin({ method: 'GET', url: `/api/v1/applications/${a2.id}` })).json().groupCount).toBe(0);
  });

  it('deleting an application removes its bindings but keeps the groups', async () => {
    const app = await newApp();
    const g = await newGroup();
    await bind(app.id, g.id);
    expect((await t.admin({ method: 'DELETE', url: `/api/v1/applications/${app.id}` })).statusCode).toBe(204);
    const [ev] = await events('application_delete', app.id);
    expect(ev.changes.groups).toEqual([{ id: g.id, name: g.name }]);
    expect(await t.database.db.selectFrom('application_groups').select('group_id').where('application_id', '=', app.id).execute()).toEqual(
      [],
    );
    expect((await t.admin({ method: 'GET', url: `/api/v1/groups/${g.id}` })).statusCode).toBe(200);
    expect((await t.admin({ method: 'GET', url: `/api/v1/groups/${g.id}/applications` })).json().total).toBe(0);
  });

  it('lets read_only keys see bindings but not change them, and anonymous requests nothing', async () => {
    const app = await newApp();
    const g = await newGroup();
    await bind(app.id, g.id);
    expect((await t.readOnly({ method: 'GET', url: `/api/v1/applications/${app.id}/groups` })).statusCode).toBe(200);
    expect((await t.readOnly({ method: 'GET', url: `/api/v1/groups/${g.id}/applications` })).statusCode).toBe(200);
    expect((await t.anonymous({ method: 'GET', url: `/api/v1/groups/${g.id}/applications` })).statusCode).toBe(401);
    const before = await snapshot();
    for (const method of ['PUT', 'DELETE'] as const) {
      const url = `/api/v1/applications/${app.id}/groups/${g.id}`;
      expect((await t.readOnly({ method, url })).statusCode).toBe(403);
      expect((await t.anonymous({ method, url })).statusCode).toBe(401);
    }
    expect(await snapshot()).toEqual(before);
  });
});
