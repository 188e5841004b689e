import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { countRows } from '../../test/factories.ts';
import { perSuite } from '../../test/suite.ts';

const full = {
  username: 'ada.lovelace',
  email: 'Ada@Example.com',
  firstname: 'Ada',
  middlename: 'King',
  lastname: 'Lovelace',
  displayname: 'Ada Lovelace',
  jobTitle: 'Analyst',
  department: 'Engines',
  costCenter: 'CC-1815',
  employeeType: 'Employee',
  employeeIdentifier: 'E-0001',
  organization: 'Analytical Engines Ltd',
  addresses: [{ type: 'work', streetAddress: '12 St James Sq', locality: 'London', region: 'LDN', postalCode: 'SW1Y', country: 'GB' }],
  phoneNumbers: [
    { type: 'work', number: '+44 20 7946 0000' },
    { type: 'home', number: '+44 20 7946 0001' },
  ],
};

describe.each(dialects)('users API on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));

  const count = (table: 'users' | 'insight_events') => countRows(t.database.db, table);

  it('creates a user with every attribute, ACTIVE and password PENDING, with a user_create event', async () => {
    const r = await t.admin({ method: 'POST', url: '/api/v1/users', payload: full });
    expect(r.statusCode).toBe(201);
    const u = r.json();
    expect(u).toMatchObject({ ...full, state: 'ACTIVE', passwordStatus: 'PENDING' });
    expect(u.addresses[0]).toMatchObject(full.addresses[0]);
    expect(u).not.toHaveProperty('passwordHash');
    const got = await t.admin({ method: 'GET', url: `/api/v1/users/${u.id}` });
    expect(got.json()).toEqual(u);
    const ev = await t.admin({ method: 'GET', url: `/api/v1/insights/events?resourceId=${u.id}` });
    expect(ev.json().items.map((e: { eventType: string }) => e.eventType)).toEqual(['user_create']);
    expect(ev.json().items[0].initiatedBy).toMatchObject({ type: 'admin', id: t.adminActor.id, email: t.adminActor.email });
  });

  it('refuses duplicate usernames and emails in any letter case, writing nothing', async () => {
    const [users0, events0] = [await count('users'), await count('insight_events')];
    for (const payload of [
      { username: 'ADA.LOVELACE', email: 'other@example.com' },
      { username: 'someone', email: 'ada@EXAMPLE.com' },
      { username: 'Ada@example.com', email: 'third@example.com' },
    ]) {
      const r = await t.admin({ method: 'POST', url: '/api/v1/users', payload });
      expect(r.statusCode).toBe(409);
      expect(['USERNAME_TAKEN', 'EMAIL_TAKEN']).toContain(r.json().error.code);
    }
    expect([await count('users'), await count('insight_events')]).toEqual([users0, events0]);
  });

  it('refuses usernames with invisible or non-characters and stores one (NFC) spelling of each name', async () => {
    const [users0, events0] = [await count('users'), await count('insight_events')];
    for (const username of [
      'admin\u202Eexe.txt',
      'ad\u200Bmin',
      'ad\u2066min\u2069',
      'ali\uFEFFce',
      'bob\uFFFE',
      'carol\u{10FFFF}',
      'dan\uD800',
      'eve\u00ADx',
      'ali\u061Cce',
    ]) {
      const r = await t.admin({ method: 'POST', url: '/api/v1/users', payload: { username, email: `u${Math.random()}@example.com` } });
      expect(r.statusCode, JSON.stringify(username)).toBe(400);
      expect(r.json().error.details[0].path).toBe('body.username');
    }
    expect([await count('users'), await count('insight_events')]).toEqual([users0, events0]);
    // "José" typed with a combining accent (NFD) is stored composed, and then taken in either spelling.
    const created = await t.admin({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'Jose\u0301.nfc', email: 'jose.nfc@example.com' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().username).toBe('Jos\u00E9.nfc');
    const again = await t.admin({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'Jos\u00E9.NFC', email: 'jose2.nfc@example.com' },
    });
    expect(again.statusCode).toBe(409);
  });

  it('answers bad input with 400 naming the field, and writes nothing', async () => {
    const [users0, events0] = [await count('users'), await count('insight_events')];
    const cases: [unknown, string][] = [
      [{ username: 'x', email: 'not-an-email' }, 'body.email'],
      [{ username: 'x'.repeat(101), email: 'a@example.com' }, 'body.username'],
      [{ username: 'x', email: 'a@example.com', firstname: 42 }, 'body.firstname'],
      [{ username: 'x', email: 'a@example.com', color: 'red' }, 'body.color'],
      [{ username: 'x', email: 'a@example.com', state: 'DELETED' }, 'body.state'],
      [{ username: 'x', email: 'a@example.com', passwordStatus: 'ACTIVE' }, 'body.passwordStatus'],
      [{ username: 'x', email: 'a@example.com', addresses: [{ type: 'office' }] }, 'body.addresses.0.type'],
      [{ username: 'x', email: 'a@example.com', phoneNumbers: [{ type: 'work', number: 'call me' }] }, 'body.phoneNumbers.0.number'],
      [{ username: 'x y', email: 'a@example.com' }, 'body.username'],
      [{ email: 'a@example.com' }, 'body.username'],
    ];
    for (const [payload, path] of cases) {
      const r = await t.admin({ method: 'POST', url: '/api/v1/users', payload: payload as object });
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().error.code).toBe('VALIDATION_FAILED');
      expect(r.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const malformed = await t.admin({ method: 'POST', url: '/api/v1/users', payload: '{"username": "x",' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('MALFORMED_BODY');
    const proto = await t.admin({
      method: 'POST',
      url: '/api/v1/users',
      payload: '{"username":"p","email":"p@example.com","__proto__":{"admin":true}}',
    });
    expect(proto.statusCode).toBe(400);
    const ctor = await t.admin({
      method: 'POST',
      url: '/api/v1/users',
      payload: '{"username":"p","email":"p@example.com","constructor":{"prototype":{"admin":true}}}',
    });
    expect(ctor.statusCode).toBe(400);
    const huge = await t.admin({
      method: 'POST',
      url: '/api/v1/users',
      payload: JSON.stringify({ username: 'h', email: 'h@example.com', firstname: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('BODY_TOO_LARGE');
    expect([await count('users'), await count('insight_events')]).toEqual([users0, events0]);
  });

  it('updates changed attributes only, records from/to, and keeps uniqueness on rename', async () => {
    const a = (await t.admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'grace', email: 'grace@example.com' } })).json();
    const r = await t.admin({
      method: 'PATCH',
      url: `/api/v1/users/${a.id}`,
      payload: { jobTitle: 'Rear Admiral', firstname: 'Grace', lastname: null },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ jobTitle: 'Rear Admiral', firstname: 'Grace', lastname: '' });
    const ev = (await t.admin({ method: 'GET', url: `/api/v1/insights/events?resourceId=${a.id}&eventType=user_update` })).json().items;
    expect(ev).toHaveLength(1);
    expect(ev[0].changes).toEqual({ jobTitle: { from: '', to: 'Rear Admiral' }, firstname: { from: '', to: 'Grace' } });
    const clash = await t.admin({ method: 'PATCH', url: `/api/v1/users/${a.id}`, payload: { email: 'ADA@example.com' } });
    expect(clash.statusCode).toBe(409);
    const self = await t.admin({ method: 'PATCH', url: `/api/v1/users/${a.id}`, payload: { username: 'GRACE' } });
    expect(self.statusCode).toBe(200);
    expect(self.json().username).toBe('GRACE');
    const empty = await t.admin({ method: 'PATCH', url: `/api/v1/users/${a.id}`, payload: {} });
    expect(empty.statusCode).toBe(400);
  });

  it('deletes a user with a user_delete event; unknown ids are 404 and malformed ids 400', async () => {
    const a = (await t.admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'temp', email: 'temp@example.com' } })).json();
    expect((await t.admin({ method: 'DELETE', url: `/api/v1/users/${a.id}` })).statusCode).toBe(204);
    expect((await t.admin({ method: 'GET', url: `/api/v1/users/${a.id}` })).statusCode).toBe(404);
    expect((await t.admin({ method: 'DELETE', url: `/api/v1/users/${a.id}` })).statusCode).toBe(404);
    expect((await t.admin({ method: 'GET', url: '/api/v1/users/not-a-uuid' })).statusCode).toBe(400);
    const ev = (await t.admin({ method: 'GET', url: `/api/v1/insights/events?resourceId=${a.id}` })).json().items;
    expect(ev.map((e: { eventType: string }) => e.eventType)).toEqual(['user_delete', 'user_create']);
  });

  describe('list', () => {
    beforeAll(async () => {
      for (let i = 0; i < 37; i++) {
        const n = String(i).padStart(2, '0');
        const r = await t.admin({
          method: 'POST',
          url: '/api/v1/users',
          payload: {
            username: `list.user${n}`,
            email: `list${n}@example.org`,
            firstname: i % 2 ? 'Odd' : 'Even',
            lastname: `L${(37 - i) % 10}`,
            state: i % 5 === 0 ? 'SUSPENDED' : 'ACTIVE',
          },
        });
        expect(r.statusCode).toBe(201);
      }
    });

    async function all(query: string, limit: number) {
      const seen: { id: string; username: string; lastname: string }[] = [];
      let cursor: string | null = null;
      do {
        const r: { statusCode: number; json(): { items: typeof seen; nextCursor: string | null; total: number } } = await t.admin({
          method: 'GET',
          url: `/api/v1/users?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        });
        expect(r.statusCode).toBe(200);
        seen.push(...r.json().items);
        cursor = r.json().nextCursor;
      } while (cursor);
      return seen;
    }

    it('pages with cursors through every row exactly once, in order, in both directions', async () => {
      for (const order of ['asc', 'desc']) {
        const rows = await all(`q=list.user&sort=username&order=${order}`, 7);
        expect(rows).toHaveLength(37);
        expect(new Set(rows.map((r) => r.id)).size).toBe(37);
        const names = rows.map((r) => r.username);
        const sorted = [...names].sort();
        expect(names).toEqual(order === 'asc' ? sorted : sorted.reverse());
      }
    });

    it('sorts by a column with ties using the id as tie-breaker', async () => {
      const rows = await all('q=list.user&sort=lastname', 5);
      expect(rows).toHaveLength(37);
      expect(new Set(rows.map((r) => r.id)).size).toBe(37);
      const lastnames = rows.map((r) => r.lastname);
      expect(lastnames).toEqual([...lastnames].sort());
    });

    it('searches and filters, with a total', async () => {
      const r = (await t.admin({ method: 'GET', url: '/api/v1/users?q=LIST.USER1&limit=500' })).json();
      expect(r.total).toBe(10);
      const s = (await t.admin({ method: 'GET', url: '/api/v1/users?q=list.user&state=SUSPENDED' })).json();
      expect(s.total).toBe(8);
      const pct = (await t.admin({ method: 'GET', url: '/api/v1/users?q=%25' })).json();
      expect(pct.total).toBe(0);
    });

    it('refuses unknown sort fields, bad limits and bad or foreign cursors', async () => {
      const bad = await t.admin({ method: 'GET', url: '/api/v1/users?sort=password' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.details[0].path).toBe('querystring.sort');
      expect((await t.admin({ method: 'GET', url: '/api/v1/users?limit=501' })).statusCode).toBe(400);
      expect((await t.admin({ method: 'GET', url: '/api/v1/users?limit=0' })).statusCode).toBe(400);
      expect((await t.admin({ method: 'GET', url: '/api/v1/users?cursor=!!!' })).json().error.code).toBe('INVALID_CURSOR');
      expect((await t.admin({ method: 'GET', url: '/api/v1/users?cursor=eyJhIjoxfQ' })).json().error.code).toBe('INVALID_CURSOR');
      const page = (await t.admin({ method: 'GET', url: '/api/v1/users?limit=2&sort=email' })).json();
      const foreign = await t.admin({ method: 'GET', url: `/api/v1/users?limit=2&sort=username&cursor=${page.nextCursor}` });
      expect(foreign.statusCode).toBe(400);
      expect((await t.admin({ method: 'GET', url: '/api/v1/users?color=red' })).statusCode).toBe(400);
    });
  });
});
