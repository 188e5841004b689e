// The users list sorted by each column pages through every user once, in order, with many ties (the
// tie-break is the rowid on SQLite, the id on PostgreSQL), and a cursor of the other shape
// is refused with a clear 400 rather than misread.
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { collectPages, userRow } from '../../test/factories.ts';
import { perSuite } from '../../test/suite.ts';
import { encodeCursor } from '../shared/cursor.ts';
import { newId } from '../shared/ids.ts';

const N = 29;
const SORTS = {
  username: 'username',
  email: 'email',
  firstname: 'firstname',
  lastname: 'lastname',
  displayname: 'displayname',
  state: 'state',
  passwordStatus: 'passwordStatus',
  createdAt: 'createdAt',
  updatedAt: 'updatedAt',
} as const;

type Listed = Record<(typeof SORTS)[keyof typeof SORTS] | 'id', string>;

describe.each(dialects)('users list sorts on %s', (dialect) => {
  const t = perSuite(async () => {
    const app = await createTestApp(dialect);
    // Few distinct values per column, the same moment for a third of them: ties everywhere.
    const rows = [];
    for (let i = 0; i < N; i++) {
      const at = new Date(Date.UTC(2026, 0, 1 + (i % 3))).toISOString();
      rows.push(
        userRow(`sort.user.${String((i * 11) % N).padStart(2, '0')}`, {
          firstname: ['Ada', 'Bo', 'Cy'][i % 3],
          lastname: ['Zed', 'Ash'][i % 2],
          displayname: i % 4 ? 'Same Name' : '',
          state: i % 5 ? 'ACTIVE' : 'SUSPENDED',
          password_status: i % 6 ? 'PENDING' : 'ACTIVE',
          created_at: at,
          updated_at: new Date(Date.UTC(2026, 1, 1 + (i % 2))).toISOString(),
        }),
      );
    }
    await app.database.db.insertInto('users').values(rows).execute();
    return app;
  });

  const page = (query: string) => async (cursor: string | null) => {
    const r = await t.admin({ method: 'GET', url: `/api/v1/users?q=sort.user&${query}${cursor ? `&cursor=${cursor}` : ''}` });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as { items: Listed[]; nextCursor: string | null };
  };

  it('pages through every user exactly once, in order, by each column in both directions', async () => {
    for (const [sort, field] of Object.entries(SORTS)) {
      for (const order of ['asc', 'desc'] as const) {
        const pages = await collectPages(page(`sort=${sort}&order=${order}&limit=4`));
        const items = pages.flat();
        expect(items.map((u) => u.id).sort(), `${sort} ${order}`).toEqual(
          (await collectPages(page('limit=100')))
            .flat()
            .map((u) => u.id)
            .sort(),
        );
        expect(new Set(items.map((u) => u.id)).size).toBe(N);
        const values = items.map((u) => u[field]);
        const sorted = [...values].sort();
        expect(values, `${sort} ${order}`).toEqual(order === 'asc' ? sorted : sorted.reverse());
      }
    }
  });

  it('pages the same way with a filter on the same sort', async () => {
    const items = (await collectPages(page('sort=lastname&state=ACTIVE&limit=3'))).flat();
    const active = (await collectPages(page('state=ACTIVE&limit=100'))).flat();
    expect(items.map((u) => u.id).sort()).toEqual(active.map((u) => u.id).sort());
    expect(items.map((u) => u.lastname)).toEqual(active.map((u) => u.lastname).sort());
  });

  it('refuses a cursor whose last key is of the other kind, with a 400 naming the cursor', async () => {
    // SQLite's cursors end with the row's rowid (a number), PostgreSQL's with its id.
    const [ours, other] = dialect === 'sqlite' ? [1, newId()] : [newId(), 1];
    for (const [sort, value] of [
      ['lastname', 'Ash'],
      ['email', 'sort.user.05@example.com'],
    ]) {
      const ok = await t.admin({ method: 'GET', url: `/api/v1/users?sort=${sort}&cursor=${encodeCursor([`${sort}:asc`, value, ours])}` });
      expect(ok.statusCode, ok.body).toBe(200);
      const url = `/api/v1/users?sort=${sort}&cursor=${encodeCursor([`${sort}:asc`, value, other])}`;
      const refused = await t.admin({ method: 'GET', url });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error).toMatchObject({ code: 'INVALID_CURSOR', details: [{ path: 'cursor' }] });
    }
  });
});
