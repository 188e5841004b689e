// SCIM sources through the REST API on both databases: the token shown once and stored hashed,
// rotation and deletion as authenticateSource sees them, names, settings, who may do what, Insights.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { insertUser } from '../../test/factories.ts';
import { perSuite } from '../../test/suite.ts';
import { record } from '../insights/index.ts';
import { authenticateSource, sourceActor } from './index.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe.each(dialects)('SCIM sources API on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));
  let n = 0;
  const create = (payload: object) => t.admin({ method: 'POST', url: '/api/v1/scim-sources', payload });
  const newSource = async (settings?: object) => {
    const r = await create({ name: `Source ${++n}`, ...(settings ? { settings } : {}) });
    expect(r.statusCode, r.body).toBe(201);
    return r.json();
  };
  const get = (id: string) => t.admin({ method: 'GET', url: `/api/v1/scim-sources/${id}` });
  const patch = (id: string, payload: object) => t.admin({ method: 'PATCH', url: `/api/v1/scim-sources/${id}`, payload });
  const events = async (resourceId: string) =>
    (await t.admin({ method: 'GET', url: `/api/v1/insights/events?resourceId=${resourceId}` })).json().items;
  const auth = (token: string) => authenticateSource({ db: t.database.db }, token);

  it('creates a source with its base URL and a token shown once, stored only as its hash', async () => {
    const r = await create({ name: '  Entra ID  ' });
    expect(r.statusCode).toBe(201);
    const s = r.json();
    expect(s).toMatchObject({
      name: 'Entra ID',
      baseUrl: 'http://localhost:8080/scim/v2',
      settings: {
        onDelete: 'suspend',
        groups: true,
        activationEmail: 'off',
        deleteGuardrail: { percent: 10, minimum: 10 },
        rateLimitPerSecond: 100,
      },
      guardrail: { pausedAt: null, confirmedAt: null },
      counts: { users: 0, groups: 0 },
      createdBy: { type: 'admin', id: t.adminActor.id, email: t.adminActor.email },
      deletedAt: null,
    });
    expect(s.token).toMatch(/^rss_[A-Za-z0-9_-]{43}$/);
    expect(s.tokenHint).toBe(s.token.slice(-4));

    const row = await t.database.db.selectFrom('scim_sources').selectAll().where('id', '=', s.id).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(sha256(s.token));
    expect(JSON.stringify(row)).not.toContain(s.token);

    const one = await get(s.id);
    const list = await t.admin({ method: 'GET', url: '/api/v1/scim-sources' });
    for (const body of [one.body, list.body]) {
      expect(body).not.toContain(s.token);
      expect(body).not.toContain(row.token_hash);
    }
    const { token: _token, ...shown } = s;
    expect(one.json()).toEqual(shown);
    expect(list.json().items.find((i: { id: string }) => i.id === s.id)).toEqual(shown);

    expect(await auth(s.token)).toMatchObject({ id: s.id, name: 'Entra ID', settings: s.settings, guardrailPausedAt: null });
  });

  it('refuses malformed and unknown tokens without a match', async () => {
    const s = await newSource();
    for (const bad of ['', 'rss_', `${s.token}x`, s.token.replace('rss_', 'rk_'), `rss_${'A'.repeat(43)}`, s.token.toUpperCase()]) {
      expect(await auth(bad), bad).toBeUndefined();
    }
  });

  it('rotates the token: the old one is refused at once, the new one accepted, the event holds neither', async () => {
    const s = await newSource();
    const r = await t.admin({ method: 'POST', url: `/api/v1/scim-sources/${s.id}/token` });
    expect(r.statusCode).toBe(200);
    const { token } = r.json();
    expect(Object.keys(r.json())).toEqual(['token']);
    expect(token).not.toBe(s.token);
    expect(await auth(s.token)).toBeUndefined();
    expect((await auth(token))?.id).toBe(s.id);
    const after = (await get(s.id)).json();
    expect(after.tokenHint).toBe(token.slice(-4));
    expect(after.tokenRotatedAt).not.toBeNull();
    const evs = await events(s.id);
    expect(evs.map((e: { eventType: string }) => e.eventType)).toEqual(['scim_source_token_rotate', 'scim_source_create']);
    const text = JSON.stringify(evs);
    for (const secret of [s.token, token, sha256(s.token), sha256(token)]) expect(text).not.toContain(secret);
  });

  it('deletes a source: the token stops working, the row stays readable, the name is free again', async () => {
    const s = await newSource();
    const del = await t.admin({ method: 'DELETE', url: `/api/v1/scim-sources/${s.id}` });
    expect(del.statusCode).toBe(204);
    expect(await auth(s.token)).toBeUndefined();
    expect((await get(s.id)).json().deletedAt).not.toBeNull();
    const live = (await t.admin({ method: 'GET', url: '/api/v1/scim-sources' })).json().items.map((i: { id: string }) => i.id);
    expect(live).not.toContain(s.id);
    const all = (await t.admin({ method: 'GET', url: '/api/v1/scim-sources?includeDeleted=true' })).json().items;
    expect(all.map((i: { id: string }) => i.id)).toContain(s.id);
    for (const r of [
      await t.admin({ method: 'DELETE', url: `/api/v1/scim-sources/${s.id}` }),
      await patch(s.id, { name: 'Renamed' }),
      await t.admin({ method: 'POST', url: `/api/v1/scim-sources/${s.id}/token` }),
    ]) {
      expect(r.statusCode).toBe(404);
      expect(r.json().error.code).toBe('NOT_FOUND');
    }
    expect((await create({ name: s.name.toUpperCase() })).statusCode).toBe(201);
    expect((await events(s.id)).map((e: { eventType: string }) => e.eventType)).toEqual(['scim_source_delete', 'scim_source_create']);
  });

  it('keeps names unique in any letter case among live sources (409), on create and rename', async () => {
    const a = await newSource();
    const b = await newSource();
    const dup = await create({ name: a.name.toLowerCase() });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toMatchObject({ code: 'SCIM_SOURCE_NAME_TAKEN', details: [{ path: 'body.name', message: 'already taken' }] });
    const rename = await patch(b.id, { name: a.name.toUpperCase() });
    expect(rename.statusCode).toBe(409);
    expect((await patch(a.id, { name: a.name.toUpperCase() })).json().name).toBe(a.name.toUpperCase());
  });

  it('validates settings with errors naming the field', async () => {
    const cases: Array<[object, string]> = [
      [{ onDelete: 'archive' }, 'body.settings.onDelete'],
      [{ groups: 'yes' }, 'body.settings.groups'],
      [{ activationEmail: 'always' }, 'body.settings.activationEmail'],
      [{ deleteGuardrail: { percent: 0, minimum: 5 } }, 'body.settings.deleteGuardrail.percent'],
      [{ deleteGuardrail: { percent: 101 } }, 'body.settings.deleteGuardrail.percent'],
      [{ deleteGuardrail: { minimum: 0 } }, 'body.settings.deleteGuardrail.minimum'],
      [{ deleteGuardrail: { minimum: 2.5 } }, 'body.settings.deleteGuardrail.minimum'],
      [{ deleteGuardrail: { percent: 5, extra: 1 } }, 'body.settings.deleteGuardrail.extra'],
      [{ rateLimitPerSecond: 0 }, 'body.settings.rateLimitPerSecond'],
      [{ rateLimitPerSecond: 10_001 }, 'body.settings.rateLimitPerSecond'],
      [{ color: 'blue' }, 'body.settings.color'],
    ];
    const s = await newSource();
    const before = await t.database.db.selectFrom('insight_events').select('id').execute();
    for (const [settings, path] of cases) {
      for (const r of [await create({ name: 'Bad', settings }), await patch(s.id, { settings })]) {
        expect(r.statusCode, JSON.stringify(settings)).toBe(400);
        expect(r.json().error.code).toBe('VALIDATION_FAILED');
        expect(r.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
      }
    }
    const name = await create({ name: '' });
    expect(name.json().error.details[0].path).toBe('body.name');
    expect((await patch(s.id, {})).statusCode).toBe(400);
    expect(await t.database.db.selectFrom('insight_events').select('id').execute()).toHaveLength(before.length);
  });

  it('merges partial settings on PATCH, records what changed, and records nothing for a no-op', async () => {
    const s = await newSource({ onDelete: 'delete', deleteGuardrail: { percent: 20 } });
    expect(s.settings).toMatchObject({ onDelete: 'delete', deleteGuardrail: { percent: 20, minimum: 10 } });
    const r = await patch(s.id, { settings: { groups: false, deleteGuardrail: { minimum: 3 } } });
    expect(r.statusCode).toBe(200);
    expect(r.json().settings).toEqual({
      onDelete: 'delete',
      groups: false,
      activationEmail: 'off',
      deleteGuardrail: { percent: 20, minimum: 3 },
      rateLimitPerSecond: 100,
    });
    const [ev] = await events(s.id);
    expect(ev).toMatchObject({
      eventType: 'scim_source_update',
      service: 'idm',
      initiatedBy: { type: 'admin', id: t.adminActor.id },
      resource: { type: 'scim_source', id: s.id, username: s.name },
      changes: {
        settings: {
          groups: { from: true, to: false },
          deleteGuardrail: { from: { percent: 20, minimum: 10 }, to: { percent: 20, minimum: 3 } },
        },
      },
    });
    const off = await patch(s.id, { settings: { deleteGuardrail: null } });
    expect(off.json().settings.deleteGuardrail).toBeNull();
    const on = await patch(s.id, { settings: { deleteGuardrail: { percent: 5 } } });
    expect(on.json().settings.deleteGuardrail).toEqual({ percent: 5, minimum: 10 });
    const count = (await events(s.id)).length;
    expect((await patch(s.id, { name: s.name, settings: { groups: false } })).statusCode).toBe(200);
    expect(await events(s.id)).toHaveLength(count);
  });

  it('counts the users and groups each source created', async () => {
    const s = await newSource();
    for (const u of ['sc-a', 'sc-b']) await insertUser(t.database.db, u, { source_type: 'scim', source_scim_source_id: s.id });
    await t.admin({ method: 'POST', url: '/api/v1/groups', payload: { name: 'SCIM made' } });
    await t.database.db
      .updateTable('groups')
      .set({ source_type: 'scim', source_scim_source_id: s.id })
      .where('name', '=', 'SCIM made')
      .execute();
    expect((await get(s.id)).json().counts).toEqual({ users: 2, groups: 1 });
    const listed = (await t.admin({ method: 'GET', url: '/api/v1/scim-sources' })).json().items.find((i: { id: string }) => i.id === s.id);
    expect(listed.counts).toEqual({ users: 2, groups: 1 });
    expect((await t.admin({ method: 'GET', url: `/api/v1/scim-sources/${s.id}/stats` })).json().created).toEqual({ users: 2, groups: 1 });
  });

  it('lets read-only admins read and nothing else', async () => {
    const s = await newSource();
    for (const url of ['', `/${s.id}`, `/${s.id}/requests`, `/${s.id}/stats`]) {
      const r = await t.readOnly({ method: 'GET', url: `/api/v1/scim-sources${url}` });
      expect(r.statusCode, url).toBe(200);
    }
    const writes = [
      { method: 'POST', url: '/api/v1/scim-sources', payload: { name: 'RO' } },
      { method: 'PATCH', url: `/api/v1/scim-sources/${s.id}`, payload: { name: 'RO' } },
      { method: 'DELETE', url: `/api/v1/scim-sources/${s.id}` },
      { method: 'POST', url: `/api/v1/scim-sources/${s.id}/token` },
      { method: 'POST', url: `/api/v1/scim-sources/${s.id}/guardrail/confirm` },
    ] as const;
    for (const w of writes) {
      const r = await t.readOnly({ ...w, headers: { 'content-type': 'application/json' } });
      expect(r.statusCode, w.url).toBe(403);
      expect((await t.anonymous({ method: w.method, url: w.url })).statusCode).toBe(401);
    }
    expect(await auth(s.token)).toBeDefined();
  });

  it('names a source in Insights as the actor of its changes', async () => {
    const s = await newSource();
    const actor = sourceActor({ id: s.id, name: s.name, organizationId: t.adminActor.organizationId });
    expect(actor).toEqual({ type: 'scim_source', id: s.id, name: s.name, organizationId: t.adminActor.organizationId });
    await record(
      { db: t.database.db, clock: t.deps.clock },
      { eventType: 'user_create', service: 'directory', actor, resource: { type: 'user' } },
    );
    const r = await t.admin({ method: 'GET', url: `/api/v1/insights/events?initiatedBy=${s.id}` });
    expect(r.json().items[0].initiatedBy).toEqual({ type: 'scim_source', id: s.id, name: s.name });
    const byAdmin = (await events(s.id)).find((e: { eventType: string }) => e.eventType === 'scim_source_create');
    expect(byAdmin.initiatedBy).not.toHaveProperty('name');
    expect(byAdmin.changes).toEqual({ name: s.name, settings: s.settings });
  });

  it('answers 404 for unknown sources and 400 for malformed ids', async () => {
    const missing = '0190a000-0000-7000-8000-0000000000ff';
    for (const url of [`/${missing}`, `/${missing}/requests`, `/${missing}/stats`]) {
      expect((await t.admin({ method: 'GET', url: `/api/v1/scim-sources${url}` })).statusCode, url).toBe(404);
    }
    const bad = await t.admin({ method: 'GET', url: '/api/v1/scim-sources/nope' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('params.id');
  });
});
