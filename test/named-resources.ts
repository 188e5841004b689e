// The behaviour groups and applications share (server/directory/named-resources.ts), tested once for
// each on every dialect, each dialect with a test app of its own.
import { describe, expect, it } from 'vitest';
import type { ApplicationContext } from '../server/applications/index.ts';
import type { Actor } from '../server/shared/actor.ts';
import { createTestApp, type TestApp } from './app.ts';
import { dialects } from './db.ts';
import { collectPages, ctxOf, rowsAndEvents } from './factories.ts';
import { perSuite } from './suite.ts';

interface Named {
  id: string;
  name: string;
}

export interface NamedResourceSpec<T extends Named> {
  /** The table, and the collection's name in the API: '/api/v1/groups'. */
  table: 'groups' | 'applications';
  /** 'GROUP_NAME_TAKEN'. */
  takenCode: string;
  /** The read-only count in the API ('memberCount'): a client may not set it. */
  countField: string;
  /** More refused bodies, with the field the 400 names. */
  invalid?: Array<[unknown, string]>;
  /** Whether the object's events also name it as their application (and are found by applicationId). */
  eventsNameApplication?: boolean;
  /** What the delete event lists of the object's relations (none here): `{ applications: [] }`. */
  deletedRelations: Record<string, unknown>;
  create(ctx: ApplicationContext, actor: Actor, input: { name: string; description?: string }): Promise<T>;
  get(ctx: ApplicationContext, organizationId: string, id: string): Promise<T>;
  findByIdOrName(ctx: ApplicationContext, organizationId: string, idOrName: string): Promise<T | undefined>;
}

type Helpers<T extends Named> = ReturnType<typeof helpersOf<T>>;

function helpersOf<T extends Named>(app: () => TestApp, spec: NamedResourceSpec<T>) {
  const path = `/api/v1/${spec.table}`;
  const create = (payload: unknown) => app().admin({ method: 'POST', url: path, payload: payload as object });
  const patch = (id: string, payload: unknown) => app().admin({ method: 'PATCH', url: `${path}/${id}`, payload: payload as object });
  /** Rows and Insights events, to show a refused request wrote nothing. */
  const snapshot = () => rowsAndEvents(app().database.db, spec.table);
  const updateEvents = async (id: string) =>
    (
      await app().admin({ method: 'GET', url: `/api/v1/insights/events?resourceId=${id}&eventType=${spec.table.slice(0, -1)}_update` })
    ).json().items;
  return { app, spec, path, create, patch, snapshot, updateEvents };
}

/**
 * The shared checks of groups or applications on every dialect; `more` adds the tests of one kind,
 * with the test app of that dialect.
 */
export function namedResourceSuite<T extends Named>(spec: NamedResourceSpec<T>, more?: (t: TestApp) => void): void {
  describe.each(dialects)(`${spec.table} on %s`, (dialect) => {
    const t = perSuite(() => createTestApp(dialect));
    namedResourceTests(() => t, spec);
    more?.(t);
  });
}

function namedResourceTests<T extends Named>(app: () => TestApp, spec: NamedResourceSpec<T>): void {
  const h = helpersOf(app, spec);
  describe('lifecycle', () => lifecycleRules(h));
  describe('names', () => nameRules(h));
  describe('writes', () => writeRules(h));
  describe('lists', () => listRules(h));
  describe('access and services', () => accessRules(h));
}

function lifecycleRules<T extends Named>({ app, spec, path, create, patch }: Helpers<T>): void {
  const kind = spec.table.slice(0, -1);
  const events = async (id: string, action: 'create' | 'update' | 'delete') => {
    const by = spec.eventsNameApplication ? 'applicationId' : 'resourceId';
    const url = `/api/v1/insights/events?${by}=${id}&eventType=${kind}_${action}`;
    return (await app().admin({ method: 'GET', url })).json().items;
  };
  const remove = (id: string) => app().admin({ method: 'DELETE', url: `${path}/${id}` });

  const aKind = `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;

  it(`creates, reads, updates and deletes ${aKind}, recording an event for each change`, async () => {
    const created = await create({ name: '  Engineering  ', description: 'Builds things' });
    expect(created.statusCode).toBe(201);
    const g = created.json();
    expect(g).toMatchObject({ name: 'Engineering', description: 'Builds things', [spec.countField]: 0 });
    expect(g.createdAt).toBe(g.updatedAt);

    expect((await app().admin({ method: 'GET', url: `${path}/${g.id}` })).json()).toEqual(g);
    const [createEvent] = await events(g.id, 'create');
    expect(createEvent).toMatchObject({
      service: 'directory',
      success: true,
      resource: { type: kind, id: g.id, username: 'Engineering' },
      ...(spec.eventsNameApplication ? { application: { id: g.id, name: 'Engineering' } } : {}),
    });
    expect(createEvent.initiatedBy).toMatchObject({ type: 'admin', id: app().adminActor.id });

    // A rename records the name only; a new description the description only.
    const renamed = await patch(g.id, { name: 'Platform', description: 'Builds things' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id: g.id, name: 'Platform', description: 'Builds things' });
    expect((await events(g.id, 'update'))[0].changes).toEqual({ name: { from: 'Engineering', to: 'Platform' } });
    const described = await patch(g.id, { description: 'CRM' });
    expect(described.statusCode).toBe(200);
    expect(described.json()).toMatchObject({ name: 'Platform', description: 'CRM' });
    expect((await events(g.id, 'update'))[0].changes).toEqual({ description: { from: 'Builds things', to: 'CRM' } });

    expect((await remove(g.id)).statusCode).toBe(204);
    const gone = await app().admin({ method: 'GET', url: `${path}/${g.id}` });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('NOT_FOUND');
    const [deleteEvent] = await events(g.id, 'delete');
    expect(deleteEvent.changes).toEqual({ name: 'Platform', ...spec.deletedRelations });
    const again = await remove(g.id);
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('NOT_FOUND');
  });
}

function nameRules<T extends Named>({ app, spec, path, create, patch, snapshot }: Helpers<T>): void {
  it(`keeps names unique in any letter case, with 409 ${spec.takenCode} naming the field and nothing written`, async () => {
    const a = (await create({ name: 'Sales' })).json();
    const b = (await create({ name: 'Marketing' })).json();
    const before = await snapshot();
    for (const name of ['Sales', 'SALES', ' sales ']) {
      const r = await create({ name });
      expect(r.statusCode).toBe(409);
      expect(r.json().error).toMatchObject({ code: spec.takenCode, details: [{ path: 'body.name', message: 'already taken' }] });
    }
    const rename = await patch(b.id, { name: 'sAlEs' });
    expect(rename.statusCode).toBe(409);
    expect(rename.json().error.code).toBe(spec.takenCode);
    expect(await snapshot()).toEqual(before);
    expect((await app().admin({ method: 'GET', url: `${path}/${b.id}` })).json().name).toBe('Marketing');

    // An object may change the letter case of its own name.
    const recase = await patch(a.id, { name: 'SALES' });
    expect(recase.statusCode).toBe(200);
    expect(recase.json().name).toBe('SALES');
  });

  it('refuses invalid input with 400 naming the field, and writes nothing', async () => {
    const g = (await create({ name: 'Valid' })).json();
    const before = await snapshot();
    const cases: Array<[unknown, string]> = [
      [{}, 'body.name'],
      [{ name: '' }, 'body.name'],
      [{ name: '   ' }, 'body.name'],
      [{ name: 'x'.repeat(101) }, 'body.name'],
      [{ name: 'two\nlines' }, 'body.name'],
      [{ name: 'tab\there' }, 'body.name'],
      [{ name: 42 }, 'body.name'],
      [{ name: 'Ok', description: 'd'.repeat(1001) }, 'body.description'],
      [{ name: 'Ok', description: 'nul\u0000' }, 'body.description'],
      [{ name: 'Ok', [spec.countField]: 3 }, `body.${spec.countField}`],
      ...(spec.invalid ?? []),
    ];
    for (const [payload, field] of cases) {
      const r = await create(payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().error.code).toBe('VALIDATION_FAILED');
      expect(r.json().error.details.map((d: { path: string }) => d.path)).toContain(field);
    }
    for (const [payload, field] of cases.slice(1)) {
      const r = await patch(g.id, payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().error.details.map((d: { path: string }) => d.path)).toContain(field);
    }
    const badId = await app().admin({ method: 'GET', url: `${path}/not-a-uuid` });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().error.details[0].path).toBe('params.id');
    expect(await snapshot()).toEqual(before);
    expect((await app().admin({ method: 'GET', url: `${path}/${g.id}` })).json()).toEqual(g);
  });

  it('answers concurrent creates of one name with a single 201 and 409 for the rest', async () => {
    const before = await snapshot();
    const results = await Promise.all(['Race', 'RACE', 'race', 'Race', 'rAce'].map((name) => create({ name })));
    expect(results.map((r) => r.statusCode).sort((a, b) => a - b)).toEqual([201, 409, 409, 409, 409]);
    expect(results.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === spec.takenCode)).toBe(true);
    expect(await snapshot()).toEqual({ rows: before.rows + 1, events: before.events + 1 });
  });
}

function writeRules<T extends Named>({ app, spec, path, create, patch, snapshot, updateEvents }: Helpers<T>): void {
  it('maps a name taken by a transaction that commits mid-way to 409, not a database error', async () => {
    const t = app();
    let resolveCreated!: () => void;
    const created = new Promise<void>((resolve) => {
      resolveCreated = resolve;
    });
    // The first transaction holds the new name uncommitted while the second checks (sees nothing) and writes.
    const first = t.database.db.transaction().execute(async (trx) => {
      await spec.create(ctxOf(t, trx), t.adminActor, { name: 'Late Commit' });
      resolveCreated();
      await new Promise((r) => setTimeout(r, 300));
    });
    await created;
    const second = spec.create(ctxOf(t), t.adminActor, { name: 'LATE COMMIT' });
    await first;
    await expect(second).rejects.toMatchObject({ code: spec.takenCode, status: 409 });
  });

  it('accepts exactly 100 characters of name and 1000 of description', async () => {
    const r = await create({ name: 'n'.repeat(100), description: 'd'.repeat(1000) });
    expect(r.statusCode).toBe(201);
  });

  it('records nothing for a PATCH that changes nothing', async () => {
    const g = (await create({ name: 'Quiet', description: 'same' })).json();
    const before = await snapshot();
    for (const payload of [{}, { name: 'Quiet' }, { description: ' same ' }, { name: 'Quiet ', description: 'same' }]) {
      const r = await patch(g.id, payload);
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual(g);
    }
    expect(await snapshot()).toEqual(before);
    expect(await updateEvents(g.id)).toEqual([]);
  });

  it('404s on unknown ids', async () => {
    const id = '01900000-0000-7000-8000-000000000000';
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const r = await app().admin({ method, url: `${path}/${id}`, payload: method === 'PATCH' ? { name: 'x' } : undefined });
      expect(r.statusCode).toBe(404);
      expect(r.json().error.code).toBe('NOT_FOUND');
    }
  });
}

function listRules<T extends Named>({ app, path, create }: Helpers<T>): void {
  it('pages through every object exactly once, sorted by name case-insensitively, with a total', async () => {
    const names = Array.from({ length: 23 }, (_, i) => `${i % 2 ? 'page' : 'PAGE'} ${String.fromCharCode(97 + ((i * 7) % 23))}${i}`);
    for (const name of names) expect((await create({ name })).statusCode).toBe(201);
    const totals = new Set<number>();
    const pages = await collectPages<{ name: string }>(async (cursor) => {
      const r = await app().admin({ method: 'GET', url: `${path}?q=PaGe&limit=5${cursor ? `&cursor=${cursor}` : ''}` });
      expect(r.statusCode).toBe(200);
      totals.add(r.json().total);
      return r.json();
    });
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    const seen = pages.flat().map((g: { name: string }) => g.name);
    expect(seen).toEqual([...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
    expect([...totals]).toEqual([23]);

    const all = (await app().admin({ method: 'GET', url: `${path}?limit=500` })).json();
    expect(all.items.length).toBe(all.total);
    expect(all.nextCursor).toBeNull();
    expect(all.total).toBeGreaterThan(23);
  });

  it('treats LIKE wildcards in q literally', async () => {
    await create({ name: '100% Remote' });
    await create({ name: '100 Remote' });
    const r = (await app().admin({ method: 'GET', url: `${path}?q=${encodeURIComponent('0%')}` })).json();
    expect(r.items.map((g: { name: string }) => g.name)).toEqual(['100% Remote']);
    expect(r.total).toBe(1);
    expect((await app().admin({ method: 'GET', url: `${path}?q=_` })).json().total).toBe(0);
  });

  it('refuses a bad cursor with 400 INVALID_CURSOR and unknown query parameters', async () => {
    const cursors = ['garbage!', '[1,2]', '{"a":1}', '["a"]'].map((c, i) => (i === 0 ? c : Buffer.from(c).toString('base64url')));
    for (const cursor of cursors) {
      const r = await app().admin({ method: 'GET', url: `${path}?cursor=${encodeURIComponent(cursor)}` });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.code).toBe('INVALID_CURSOR');
    }
    const unknown = await app().admin({ method: 'GET', url: `${path}?sort=name` });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details[0].path).toBe('querystring.sort');
    expect((await app().admin({ method: 'GET', url: `${path}?order=desc` })).statusCode).toBe(400);
    expect((await app().admin({ method: 'GET', url: `${path}?limit=501` })).statusCode).toBe(400);
  });
}

function accessRules<T extends Named>({ app, spec, path, create, snapshot }: Helpers<T>): void {
  it('lets read_only keys read but not write, and anonymous requests nothing', async () => {
    const t = app();
    const g = (await create({ name: 'Readable' })).json();
    expect((await t.readOnly({ method: 'GET', url: path })).statusCode).toBe(200);
    expect((await t.readOnly({ method: 'GET', url: `${path}/${g.id}` })).statusCode).toBe(200);
    const before = await snapshot();
    const writes = [
      { method: 'POST' as const, url: path, payload: { name: 'Nope' } },
      { method: 'PATCH' as const, url: `${path}/${g.id}`, payload: { name: 'Nope' } },
      { method: 'DELETE' as const, url: `${path}/${g.id}` },
    ];
    for (const w of writes) {
      const r = await t.readOnly(w);
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('FORBIDDEN');
      expect((await t.anonymous(w)).statusCode).toBe(401);
    }
    expect((await t.anonymous({ method: 'GET', url: path })).statusCode).toBe(401);
    expect((await t.anonymous({ method: 'GET', url: `${path}/${g.id}` })).statusCode).toBe(401);
    expect(await snapshot()).toEqual(before);
  });

  it("commits the object and its event with the caller's transaction, or neither", async () => {
    const t = app();
    const before = await snapshot();
    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await spec.create(ctxOf(t, trx), t.adminActor, { name: 'Rolled back' });
        throw new Error('caller fails later');
      }),
    ).rejects.toThrow('caller fails later');
    expect(await snapshot()).toEqual(before);

    const g = await t.database.db.transaction().execute((trx) => spec.create(ctxOf(t, trx), t.adminActor, { name: 'Committed' }));
    expect(await spec.get(ctxOf(t), t.adminActor.organizationId, g.id)).toEqual(g);
    expect(await snapshot()).toEqual({ rows: before.rows + 1, events: before.events + 1 });
  });

  it('finds an object by id or by name in any letter case (for the CLI), and checks names there too', async () => {
    const t = app();
    const org = t.adminActor.organizationId;
    const g = await spec.create(ctxOf(t), t.adminActor, { name: 'Lookup Me', description: 'code' });
    expect(await spec.get(ctxOf(t), org, g.id)).toEqual(g);
    expect(await spec.findByIdOrName(ctxOf(t), org, g.id)).toEqual(g);
    expect(await spec.findByIdOrName(ctxOf(t), org, 'LOOKUP me')).toEqual(g);
    expect(await spec.findByIdOrName(ctxOf(t), org, ' lookup me ')).toEqual(g);
    expect(await spec.findByIdOrName(ctxOf(t), org, 'nobody')).toBeUndefined();
    expect(await spec.findByIdOrName(ctxOf(t), org, '01900000-0000-7000-8000-000000000000')).toBeUndefined();
    await expect(spec.create(ctxOf(t), t.adminActor, { name: '\u0007' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
  });
}
