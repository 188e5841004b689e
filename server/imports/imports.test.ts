import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { connectApplication, eventually, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { registerWorkers } from '../workers.ts';

const person = (userName: string, email: string | null, extra: Record<string, unknown> = {}) => ({
  userName,
  name: { givenName: userName.split('.')[0], familyName: 'Remote' },
  ...(email ? { emails: [{ value: email, type: 'work', primary: true }] } : {}),
  active: true,
  ...extra,
});

describe.each(dialects)('import on %s', (dialect) => {
  let t: TestApp;
  let scim: RunningScimServer;
  let appId: string;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    // One SCIM page per write transaction, so that progress and stopping show between pages.
    t = await createTestApp(dialect, { ROSTER_IMPORT_BATCH_SIZE: '1' });
    registerWorkers(t.deps);
    await t.deps.queue.start();
    scim = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN } });
    for (const [key, u] of Object.entries({
      ada: person('ada.remote', 'ada@remote.example', { title: 'Analyst', phoneNumbers: [{ value: '+44 1', type: 'work' }] }),
      bob: person('bob.remote', 'bob@remote.example'),
      cy: person('cy.remote', 'cy@remote.example'),
      taken: person('Taken.User', 'taken-remote@remote.example'),
      takenEmail: person('someone.else', 'TAKEN@directory.example'),
      badEmail: person('bad.email', 'not-an-email'),
      long: person('long.name', 'long@remote.example', { name: { givenName: 'x'.repeat(150), familyName: 'L' } }),
      dup1: person('dup.one', 'dup@remote.example'),
      dup2: person('dup.two', 'DUP@Remote.example'),
    })) {
      ids[key] = scim.store.addUser(u).id as string;
    }
    await t.admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'taken.user', email: 'taken@directory.example' } });
    appId = await connectApplication(t, scim, 'Remote App');
  });
  afterAll(async () => {
    await scim?.stop();
    await t?.close();
  });

  const preview = async (query = '') => {
    const r = await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/import/users?limit=100${query}` });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as {
      items: { remoteId: string; status: string; reasons: string[]; existingUserId?: string; userName: string }[];
      total: number;
      nextCursor: string | null;
      counts: Record<string, number>;
    };
  };
  const item = (p: Awaited<ReturnType<typeof preview>>, key: string) => p.items.find((i) => i.remoteId === ids[key])!;
  const runOf = async (runId: string) => (await t.admin({ method: 'GET', url: `/api/v1/import-runs/${runId}` })).json();
  /** Waits until the run has failed, and returns it. */
  const runFailed = (runId: string, timeoutMs: number, what: string) =>
    eventually(
      async () => {
        const run = await runOf(runId);
        return run.status === 'failed' ? run : undefined;
      },
      timeoutMs,
      what,
    );

  it("previews the application's users marked new, exists (saying why) or invalid (saying why)", async () => {
    const p = await preview();
    expect(p.total).toBe(9);
    expect(item(p, 'ada')).toMatchObject({ status: 'new', reasons: [] });
    expect(item(p, 'taken').status).toBe('exists');
    expect(item(p, 'taken').reasons[0]).toMatch(/username/);
    expect(item(p, 'taken').existingUserId).toBeTruthy();
    expect(item(p, 'takenEmail').status).toBe('exists');
    expect(item(p, 'takenEmail').reasons[0]).toMatch(/email/);
    expect(item(p, 'badEmail')).toMatchObject({ status: 'invalid' });
    expect(item(p, 'badEmail').reasons.join()).toMatch(/email/);
    expect(item(p, 'long').reasons.join()).toMatch(/first name too long/);
    expect(item(p, 'dup1').status).toBe('new');
    expect(item(p, 'dup2').status).toBe('invalid');
    expect(item(p, 'dup2').reasons.join()).toMatch(/duplicate email within the application's list/);
    expect(p.counts).toEqual({ new: 4, exists: 2, conflict: 0, invalid: 3 });
  });

  it("searches, filters and sorts on Roster's side without reading SCIM again", async () => {
    scim.clearRequests();
    const searched = await preview('&q=REMOTE.EXAMPLE&status=new');
    expect(searched.items.map((i) => i.userName).sort()).toEqual(['ada.remote', 'bob.remote', 'cy.remote', 'dup.one']);
    expect(searched.total).toBe(4);
    expect((await preview('&status=invalid')).total).toBe(3);
    expect((await preview('&q=no-such-user')).total).toBe(0);
    expect((await preview()).total).toBe(9);
    const desc = await preview('&sort=userName&order=desc&status=new');
    expect(desc.items.map((i) => i.userName)).toEqual(['dup.one', 'cy.remote', 'bob.remote', 'ada.remote']);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await t.admin({
        method: 'GET',
        url: `/api/v1/applications/${appId}/import/users?limit=3&sort=email${cursor ? `&cursor=${cursor}` : ''}`,
      });
      seen.push(...r.json().items.map((i: { remoteId: string }) => i.remoteId));
      cursor = r.json().nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(Object.values(ids).sort());
    expect(scim.requests.filter((r) => r.path.includes('/Users'))).toHaveLength(0);
    const bad = await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/import/users?sort=password` });
    expect(bad.statusCode).toBe(400);
  });

  it('lets a read_only admin read the preview but not make Roster list the whole application again', async () => {
    scim.clearRequests();
    const plain = await t.readOnly({ method: 'GET', url: `/api/v1/applications/${appId}/import/users?limit=5` });
    expect(plain.statusCode).toBe(200);
    const refresh = await t.readOnly({ method: 'GET', url: `/api/v1/applications/${appId}/import/users?refresh=true` });
    expect(refresh.statusCode).toBe(403);
    expect(refresh.json().error.code).toBe('FORBIDDEN');
    expect(scim.requests.filter((r) => r.path.includes('/Users'))).toHaveLength(0);
    expect((await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/import/users?refresh=true` })).statusCode).toBe(200);
    expect(scim.requests.filter((r) => r.path.includes('/Users')).length).toBeGreaterThan(0);
  });

  it(
    'imports a small selection at once: only new users, ACTIVE with password PENDING, linked, ' + 'bound to nothing, all recorded',
    async () => {
      const r = await t.admin({
        method: 'POST',
        url: `/api/v1/applications/${appId}/import/jobs`,
        payload: { remoteIds: [ids.ada, ids.bob, ids.taken, ids.badEmail] },
      });
      expect(r.statusCode, r.body).toBe(200);
      const { run } = r.json();
      // The remote user whose username a directory user has is that user: linked, his profile untouched.
      expect(run).toMatchObject({ status: 'completed', total: 4, processed: 4, created: 2, linked: 1, skipped: 0, failed: 1 });
      const byRemote = Object.fromEntries(run.results.map((x: { remoteId: string }) => [x.remoteId, x]));
      expect(byRemote[ids.taken]).toMatchObject({ outcome: 'linked', userId: expect.any(String) });
      expect(byRemote[ids.badEmail]).toMatchObject({ outcome: 'failed' });
      const ada = (await t.admin({ method: 'GET', url: `/api/v1/users/${byRemote[ids.ada].userId}` })).json();
      expect(ada).toMatchObject({
        username: 'ada.remote',
        email: 'ada@remote.example',
        jobTitle: 'Analyst',
        state: 'ACTIVE',
        passwordStatus: 'PENDING',
        source: { type: 'import', applicationId: appId, importRunId: run.id },
      });
      expect(ada.phoneNumbers).toEqual([{ type: 'work', number: '+44 1' }]);
      const groups = await t.database.db.selectFrom('group_members').select('group_id').where('user_id', '=', ada.id).execute();
      expect(groups).toHaveLength(0);
      const link = await t.database.db.selectFrom('app_user_links').selectAll().where('user_id', '=', ada.id).executeTakeFirstOrThrow();
      expect(link).toMatchObject({ application_id: appId, remote_id: ids.ada, origin: 'import' });
      const events = (await t.admin({ method: 'GET', url: `/api/v1/insights/events?resourceId=${ada.id}` })).json().items;
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        eventType: 'user_create',
        application: { id: appId, name: 'Remote App' },
        importRunId: run.id,
        initiatedBy: { type: 'admin', id: t.adminActor.id, email: t.adminActor.email },
      });
      const runEvents = (await t.admin({ method: 'GET', url: `/api/v1/insights/events?resourceId=${run.id}` })).json().items;
      expect(runEvents.map((e: { eventType: string }) => e.eventType)).toEqual(['import_completed', 'import_started']);
      expect(runEvents[0].changes).toMatchObject({ created: 2, linked: 1, skipped: 0, failed: 1 });
      const mail = (
        await eventually(
          async () => {
            const items = (await t.admin({ method: 'GET', url: '/api/v1/mail/outbox' }))
              .json()
              .items.filter((m: { relatedId?: string; status: string }) => m.relatedId === run.id && m.status === 'stored');
            return items.length ? items : undefined;
          },
          10_000,
          'the import email',
        )
      )[0];
      expect(mail.to).toBe(t.adminActor.email);
      expect(mail.subject).toMatch(/Remote App/);
      expect(mail.text).toMatch(/Created: 2/);
      expect(mail.text).toContain(run.id);
      const preview2 = await preview();
      expect(item(preview2, 'ada').status).toBe('new'); // the snapshot is kept until refreshed
      const fresh = await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/import/users?limit=100&refresh=true` });
      expect(fresh.json().items.find((i: { remoteId: string }) => i.remoteId === ids.ada).status).toBe('exists');
    },
  );

  it('creates a remote user only once however often he is imported', async () => {
    const again = await t.admin({
      method: 'POST',
      url: `/api/v1/applications/${appId}/import/jobs`,
      payload: { remoteIds: [ids.ada, ids.cy] },
    });
    expect(again.json().run).toMatchObject({ created: 1, skipped: 1 });
    const users = await t.database.db.selectFrom('users').select('id').where('username_lower', '=', 'ada.remote').execute();
    expect(users).toHaveLength(1);
  });

  it('never writes to the application', async () => {
    expect(scim.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  it('lists the application again after its address or credentials change, and only then', async () => {
    const before = await startScimServer({ users: 5, seed: 21, auth: { type: 'bearer', token: SCIM_TOKEN } });
    const after = await startScimServer({ users: 7, seed: 22, auth: { type: 'bearer', token: 'another-token' } });
    try {
      const movingApp = await connectApplication(t, before, 'Moving Preview App');
      const look = async () => {
        const r = await t.admin({ method: 'GET', url: `/api/v1/applications/${movingApp}/import/users?limit=100` });
        expect(r.statusCode, r.body).toBe(200);
        return r.json() as { total: number };
      };
      expect((await look()).total).toBe(5);
      const put = (baseUrl: string, auth: Record<string, string>, settings: Record<string, unknown> = {}) =>
        t.admin({
          method: 'PUT',
          url: `/api/v1/applications/${movingApp}/idm`,
          payload: { baseUrl, auth: { type: 'bearer', ...auth }, settings },
        });
      // Settings alone: the kept list is still the application's.
      before.clearRequests();
      expect((await put(before.baseUrl, {}, { pageSize: 50 })).statusCode).toBe(200);
      expect((await look()).total).toBe(5);
      expect(before.requests).toHaveLength(0);
      // Another address: the next preview lists it, without being asked to refresh.
      expect((await put(after.baseUrl, { token: 'another-token' })).statusCode).toBe(200);
      expect((await look()).total).toBe(7);
      expect(after.requests.some((r) => r.path.endsWith('/Users'))).toBe(true);
    } finally {
      await before.stop();
      await after.stop();
    }
  });

  it('refuses bad requests with clear codes and writes nothing', async () => {
    const runs0 = (await t.database.db.selectFrom('import_runs').select('id').execute()).length;
    const cases: [string, object, number, string][] = [
      [`/api/v1/applications/0190a000-0000-7000-8000-000000000000/import/jobs`, { all: true }, 404, 'NOT_FOUND'],
      [`/api/v1/applications/${appId}/import/jobs`, { remoteIds: [] }, 400, 'EMPTY_SELECTION'],
      [`/api/v1/applications/${appId}/import/jobs`, { remoteIds: ['no-such-remote-id'] }, 400, 'REMOTE_IDS_NOT_FOUND'],
      [
        `/api/v1/applications/${appId}/import/jobs`,
        { remoteIds: Array.from({ length: 10_001 }, (_, i) => `x${i}`) },
        400,
        'VALIDATION_FAILED',
      ],
      [`/api/v1/applications/${appId}/import/jobs`, { remoteIds: [ids.ada], all: true }, 400, 'VALIDATION_FAILED'],
      [`/api/v1/applications/${appId}/import/jobs`, {}, 400, 'VALIDATION_FAILED'],
      [`/api/v1/applications/${appId}/import/jobs`, { all: false }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [url, payload, status, code] of cases) {
      const r = await t.admin({ method: 'POST', url, payload });
      expect(r.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(status);
      expect(r.json().error.code).toBe(code);
    }
    const unconfigured = (await t.admin({ method: 'POST', url: '/api/v1/applications', payload: { name: 'No IdM' } })).json().id;
    const r = await t.admin({ method: 'POST', url: `/api/v1/applications/${unconfigured}/import/jobs`, payload: { all: true } });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.code).toBe('IDM_NOT_CONFIGURED');
    expect((await t.admin({ method: 'GET', url: `/api/v1/applications/${unconfigured}/import/users` })).statusCode).toBe(409);
    expect((await t.database.db.selectFrom('import_runs').select('id').execute()).length).toBe(runs0);
  });

  describe('large runs', () => {
    let bigScim: RunningScimServer;
    let bigApp: string;
    beforeAll(async () => {
      bigScim = await startScimServer({ users: 150, seed: 7, auth: { type: 'bearer', token: SCIM_TOKEN } });
      bigApp = await connectApplication(t, bigScim, 'Big App', { pageSize: 20 });
    });
    afterAll(async () => {
      await bigScim?.stop();
    });

    it(
      'runs 100 or more users in the background with live progress, refuses a second run meanwhile, ' + 'and emails the results with a CSV',
      async () => {
        bigScim.setQuirks({ latencyMs: 30 });
        const r = await t.admin({ method: 'POST', url: `/api/v1/applications/${bigApp}/import/jobs`, payload: { all: true } });
        expect(r.statusCode, r.body).toBe(202);
        const runId = r.json().run.id;
        expect(['queued', 'running']).toContain(r.json().run.status);
        const second = await t.admin({ method: 'POST', url: `/api/v1/applications/${bigApp}/import/jobs`, payload: { all: true } });
        expect(second.statusCode).toBe(409);
        expect(second.json().error.code).toBe('IMPORT_ALREADY_RUNNING');
        const progress: number[] = [];
        const done = await eventually(
          async () => {
            const run = await runOf(runId);
            progress.push(run.processed);
            return run.status === 'completed' ? run : undefined;
          },
          30_000,
          'the run to complete',
        );
        bigScim.setQuirks({ latencyMs: 0 });
        expect(new Set(progress).size).toBeGreaterThan(2);
        expect(done.processed).toBe(150);
        expect(done.created + done.skipped + done.failed).toBe(150);
        const csv = await t.admin({ method: 'GET', url: `/api/v1/import-runs/${runId}/results?format=csv` });
        expect(csv.body.trim().split('\r\n')).toHaveLength(151);
        const page = (await t.admin({ method: 'GET', url: `/api/v1/import-runs/${runId}/results?limit=100` })).json();
        expect(page.items).toHaveLength(100);
        expect(page.nextCursor).toBeTruthy();
        const created = await t.database.db.selectFrom('users').select('id').where('source_import_run_id', '=', runId).execute();
        expect(created).toHaveLength(done.created);
        const mail = await eventually(
          async () => {
            const m = (await t.admin({ method: 'GET', url: '/api/v1/mail/outbox' }))
              .json()
              .items.find((x: { relatedId?: string; status: string }) => x.relatedId === runId && x.status === 'stored');
            return m;
          },
          10_000,
          'the email',
        );
        expect(mail.attachments.map((a: { filename: string }) => a.filename)).toEqual(['import-results.csv']);
        expect(mail.subject).toMatch(new RegExp(`${done.created} created`));
        const list = (await t.admin({ method: 'GET', url: `/api/v1/import-runs?applicationId=${bigApp}` })).json();
        expect(list.items[0].id).toBe(runId);
      },
    );

    it(
      'stops at once when the integration is deactivated: failed "integration deactivated", ' + 'created users stay, the email says so',
      async () => {
        const more = await startScimServer({ users: 400, seed: 11, auth: { type: 'bearer', token: SCIM_TOKEN } });
        try {
          // Up to this many pages are read at once (index paging in parallel).
          const concurrency = 4;
          const app2 = await connectApplication(t, more, 'Deactivated App', { pageSize: 10, concurrency });
          expect((await t.admin({ method: 'POST', url: `/api/v1/applications/${app2}/idm/activate` })).statusCode).toBe(200);
          more.setQuirks({ latencyMs: 40 });
          const r = await t.admin({ method: 'POST', url: `/api/v1/applications/${app2}/import/jobs`, payload: { all: true } });
          const runId = r.json().run.id;
          await eventually(async () => ((await runOf(runId)).processed > 20 ? true : undefined), 20_000, 'progress');
          // No preview was made: the run learned the application's count from its first page, so its
          // progress is measured against the whole list.
          expect((await runOf(runId)).total).toBe(400);
          const d = await t.admin({ method: 'POST', url: `/api/v1/applications/${app2}/idm/deactivate` });
          expect(d.statusCode).toBe(200);
          // Requests are numbered as they arrive: those after this number came after the answer.
          const answeredAt = more.stats().requests;
          const run = await runFailed(runId, 10_000, 'the run to stop');
          // At once: no new page after the deactivation answered; at most those already on their way
          // (aborted), one per page read at once, reach the server after the answer.
          const after = more.requests.filter((r) => r.seq > answeredAt && r.path.endsWith('/Users'));
          expect(after.length, `requests after the deactivation answered: ${after.length}`).toBeLessThanOrEqual(concurrency);
          expect(run.error).toBe('integration deactivated');
          expect(run.processed).toBeLessThan(400);
          const kept = await t.database.db.selectFrom('users').select('id').where('source_import_run_id', '=', runId).execute();
          expect(kept.length).toBe(run.created);
          expect(kept.length).toBeGreaterThan(0);
          const mail = await eventually(
            async () =>
              (await t.admin({ method: 'GET', url: '/api/v1/mail/outbox' }))
                .json()
                .items.find((x: { relatedId?: string }) => x.relatedId === runId),
            10_000,
            'the email',
          );
          expect(mail.text).toMatch(/integration deactivated/);
        } finally {
          await more.stop();
        }
      },
    );

    it('ends a run with a clear error when the SCIM server keeps failing mid-run, with nothing half-created', async () => {
      const flaky = await startScimServer({ users: 300, seed: 13, auth: { type: 'bearer', token: SCIM_TOKEN } });
      try {
        const app3 = await connectApplication(t, flaky, 'Flaky App', { pageSize: 25 });
        flaky.setQuirks({ faults: [{ kind: 'status500', method: 'GET', path: '/Users', after: 4 }] });
        const r = await t.admin({ method: 'POST', url: `/api/v1/applications/${app3}/import/jobs`, payload: { all: true } });
        flaky.setQuirks({ faults: [{ kind: 'status500', method: 'GET', path: '/Users', after: 2 }] });
        const runId = r.json().run.id;
        const run = await runFailed(runId, 60_000, 'the run to fail');
        expect(run.error).toMatch(/SCIM server/);
        expect(run.error).not.toMatch(/at .*\.(js|ts|py)/);
        const users = await t.database.db.selectFrom('users').select('id').where('source_import_run_id', '=', runId).execute();
        const linksN = await t.database.db.selectFrom('app_user_links').select('user_id').where('application_id', '=', app3).execute();
        const events = await t.database.db
          .selectFrom('insight_events')
          .select('id')
          .where('import_run_id', '=', runId)
          .where('event_type', '=', 'user_create')
          .execute();
        expect(users.length).toBe(run.created);
        expect(linksN.length).toBe(run.created);
        expect(events.length).toBe(run.created);
      } finally {
        await flaky.stop();
      }
    }, 90_000);
  });
});
