// Import settings: match rules and the schedule, validated field by field; nextRunAt in the schedule's
// own time zone (across a daylight-saving change); the Insights event says what changed.
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { connectApplication, SCIM_TOKEN } from '../../test/idm.ts';
import { startScimServer } from '../../test/scim-server/index.ts';
import { perSuite } from '../../test/suite.ts';

describe.each(dialects)('import settings on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));
  const scim = perSuite(
    () => startScimServer({ users: 2, auth: { type: 'bearer', token: SCIM_TOKEN } }),
    (s) => s.stop(),
  );
  const url = (id: string) => `/api/v1/applications/${id}/import/settings`;
  const put = (id: string, payload: unknown) => t.admin({ method: 'PUT', url: url(id), payload: payload as object });
  /** Runs `fn` with the app's clock standing at `iso`. */
  const at = async <T>(iso: string, fn: () => Promise<T>): Promise<T> => {
    const clock = t.deps.clock;
    t.deps.clock = { now: () => new Date(iso) };
    try {
      return await fn();
    } finally {
      t.deps.clock = clock;
    }
  };
  const problems = (r: { statusCode: number; json: () => unknown }) => {
    expect(r.statusCode).toBe(400);
    return (r.json() as { error: { code: string; details: { path: string; message: string }[] } }).error;
  };
  const schedule = { cron: '0 9 * * *', timeZone: 'Europe/Berlin', mode: 'new' };

  it('answers the defaults for an application without settings, and 404 for an unknown one', async () => {
    const appId = await connectApplication(t, scim, 'Defaults App');
    const r = await t.admin({ method: 'GET', url: url(appId) });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ matchBy: ['link', 'username', 'email'], schedule: null });
    const missing = await t.admin({ method: 'GET', url: url('00000000-0000-7000-8000-00000000abcd') });
    expect(missing.statusCode).toBe(404);
  });

  it('refuses an invalid cron expression, naming the field and the reason', async () => {
    const appId = await connectApplication(t, scim, 'Cron App');
    for (const [cron, reason] of [
      ['61 * * * *', /got value 61 expected range 0-59/],
      ['* * *', /five fields/],
      ['0 0 * * * *', /five fields/],
      ['@daily', /five fields/],
      ['0 0 31 2 *', /day of month/],
    ] as const) {
      const error = problems(await put(appId, { schedule: { ...schedule, cron } }));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details).toEqual([{ path: 'body.schedule.cron', message: expect.stringMatching(reason) }]);
    }
    expect((await t.admin({ method: 'GET', url: url(appId) })).json().schedule).toBeNull();
  });

  it('refuses an unknown time zone, an unknown or repeated rule, fields with mode new, a guardrail out of range', async () => {
    const appId = await connectApplication(t, scim, 'Validation App');
    const cases: [unknown, string][] = [
      [{ schedule: { ...schedule, timeZone: 'Mars/Olympus_Mons' } }, 'body.schedule.timeZone'],
      [{ schedule: { ...schedule, timeZone: '+01:00' } }, 'body.schedule.timeZone'],
      [{ matchBy: ['link', 'nickname'] }, 'body.matchBy.1'],
      [{ matchBy: ['username', 'link'] }, 'body.matchBy'],
      [{ matchBy: ['email'] }, 'body.matchBy'],
      [{ matchBy: ['link', 'email', 'email'] }, 'body.matchBy'],
      [{ matchBy: [] }, 'body.matchBy'],
      [{ schedule: { ...schedule, fields: ['email'] } }, 'body.schedule.fields'],
      [{ schedule: { ...schedule, mode: 'new_and_update', guardrailPercent: 0 } }, 'body.schedule.guardrailPercent'],
      [{ schedule: { ...schedule, mode: 'new_and_update', guardrailPercent: 101 } }, 'body.schedule.guardrailPercent'],
      [{ schedule: { ...schedule, extra: 1 } }, 'body.schedule.extra'],
      [{ matchBy: ['link', 'email'], other: true }, 'body.other'],
    ];
    for (const [payload, path] of cases) {
      const error = problems(await put(appId, payload));
      expect(
        error.details.map((d) => d.path),
        JSON.stringify(payload),
      ).toContain(path);
    }
  });

  it('needs a configured integration for a schedule (409), not for match rules', async () => {
    const created = await t.admin({ method: 'POST', url: '/api/v1/applications', payload: { name: 'No Integration' } });
    const appId = created.json().id as string;
    const r = await put(appId, { schedule });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.code).toBe('IDM_NOT_CONFIGURED');
    const rules = await put(appId, { matchBy: ['link', 'email', 'externalId'] });
    expect(rules.statusCode, rules.body).toBe(200);
    expect(rules.json()).toEqual({ matchBy: ['link', 'email', 'externalId'], schedule: null });
  });

  it('computes nextRunAt in the time zone, across the change to summer time', async () => {
    const appId = await connectApplication(t, scim, 'Berlin App');
    // Saturday 28 March 2026, 12:00 UTC: the next 09:00 in Berlin is Sunday 29 March, after clocks went forward (UTC+2).
    const r = await at('2026-03-28T12:00:00.000Z', () => put(appId, { schedule: { ...schedule, mode: 'new_and_update' } }));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({
      matchBy: ['link', 'username', 'email'],
      schedule: { ...schedule, mode: 'new_and_update', fields: 'all', guardrailPercent: 10, nextRunAt: '2026-03-29T07:00:00.000Z' },
    });
    // Friday before: still winter time (UTC+1).
    const winter = await at('2026-03-27T06:00:00.000Z', () => put(appId, { schedule }));
    expect(winter.json().schedule).toEqual({ ...schedule, guardrailPercent: 10, nextRunAt: '2026-03-27T08:00:00.000Z' });
    // Another zone, the same expression.
    const ny = await at('2026-03-27T06:00:00.000Z', () => put(appId, { schedule: { ...schedule, timeZone: 'America/New_York' } }));
    expect(ny.json().schedule.nextRunAt).toBe('2026-03-27T13:00:00.000Z');
  });

  it('keeps what a request leaves out, removes the schedule with null, and records what changed', async () => {
    const appId = await connectApplication(t, scim, 'Events App');
    const fields = ['email', 'jobTitle'];
    const saved = await put(appId, {
      matchBy: ['link', 'externalId', 'email'],
      schedule: { ...schedule, mode: 'new_and_update', fields, guardrailPercent: 25 },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const rules = await put(appId, { matchBy: ['link', 'username'] });
    expect(rules.json()).toMatchObject({ matchBy: ['link', 'username'], schedule: { fields, guardrailPercent: 25 } });
    const removed = await put(appId, { schedule: null });
    expect(removed.json()).toEqual({ matchBy: ['link', 'username'], schedule: null });
    expect((await put(appId, { schedule: null })).statusCode).toBe(200); // nothing changed: no event
    const events = (
      await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=import_settings_updated&applicationId=${appId}` })
    ).json().items as { changes: Record<string, { before: unknown; after: unknown }>; initiatedBy: { email: string } }[];
    expect(events).toHaveLength(3);
    const [third, second, first] = events;
    expect(first.initiatedBy.email).toBe(t.adminActor.email);
    expect(first.changes).toEqual({
      matchBy: { before: ['link', 'username', 'email'], after: ['link', 'externalId', 'email'] },
      schedule: { before: null, after: { ...schedule, mode: 'new_and_update', fields, guardrailPercent: 25 } },
    });
    expect(Object.keys(second.changes)).toEqual(['matchBy']);
    expect(third.changes).toEqual({ schedule: { before: expect.objectContaining({ cron: '0 9 * * *' }), after: null } });
  });

  it('lets a read-only key read the settings but not change them', async () => {
    const appId = await connectApplication(t, scim, 'Read Only App');
    expect((await t.readOnly({ method: 'GET', url: url(appId) })).statusCode).toBe(200);
    const r = await t.readOnly({ method: 'PUT', url: url(appId), payload: { matchBy: ['email'] } });
    expect(r.statusCode).toBe(403);
  });
});
