// Scheduled imports against the test SCIM server, with real workers: a due schedule starts one
// background run (trigger schedule, as the admin who saved it) and moves on without catching up; an
// occurrence that finds a run going or the integration inactive is skipped and recorded; scheduled
// runs email digest-style and dry runs never; an admin confirms or cancels a paused run.
import { describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { connectApplication, eventually, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { perSuite } from '../../test/suite.ts';
import { createAdmin } from '../auth/index.ts';
import { systemActor } from '../shared/actor.ts';
import { registerWorkers } from '../workers.ts';
import { nextOccurrence } from './cron.ts';
import { IMPORT_JOB, type ImportRun } from './runs.model.ts';
import { pauseRun, startRun } from './run-lifecycle.ts';
import { runEmails } from './notify.ts';
import { createImportRun } from './runs.service.ts';
import { queueScheduleTick, startDueSchedules } from './scheduler.ts';
import { findSettings } from './settings.repository.ts';

const EVERY_5 = { cron: '*/5 * * * *', timeZone: 'UTC', mode: 'new' } as const;

interface Mail {
  kind: string;
  relatedId?: string;
  to: string;
  subject: string;
  text: string;
}

/** The helpers every describe below shares, over its app and SCIM server. */
function helpers(t: TestApp, scim: RunningScimServer) {
  const addRemote = (prefix: string, n: number) => {
    for (let i = 0; i < n; i++) {
      scim.store.addUser({
        userName: `${prefix}.${i}`,
        name: { givenName: prefix, familyName: `N${i}` },
        emails: [{ value: `${prefix}.${i}@remote.example`, type: 'work', primary: true }],
        active: true,
      });
    }
  };
  const connect = async (name: string) => {
    const appId = await connectApplication(t, scim, name);
    const r = await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/activate` });
    expect(r.statusCode, r.body).toBe(200);
    return appId;
  };
  /** Saves the schedule as if an hour ago: its next occurrence has passed (and later ones too). */
  const saveDue = async (appId: string, schedule: object = EVERY_5) => {
    const clock = t.deps.clock;
    t.deps.clock = { now: () => new Date(Date.now() - 60 * 60_000) };
    try {
      const r = await t.admin({ method: 'PUT', url: `/api/v1/applications/${appId}/import/settings`, payload: { schedule } });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().schedule.nextRunAt < new Date().toISOString()).toBe(true);
    } finally {
      t.deps.clock = clock;
    }
  };
  const run = async (id: string): Promise<ImportRun> => (await t.admin({ method: 'GET', url: `/api/v1/import-runs/${id}` })).json();
  const finished = (id: string) =>
    eventually(
      async () => {
        const r = await run(id);
        return r.status === 'completed' || r.status === 'failed' ? r : undefined;
      },
      30_000,
      `run ${id} to end`,
    );
  const mails = async (): Promise<Mail[]> => (await t.admin({ method: 'GET', url: '/api/v1/mail/outbox?limit=500' })).json().items;
  const events = async (eventType: string, appId: string) =>
    (await t.admin({ method: 'GET', url: `/api/v1/insights/events?eventType=${eventType}&applicationId=${appId}` })).json().items as {
      changes: Record<string, unknown>;
      message?: string;
      importRunId?: string;
      initiatedBy: { email?: string };
    }[];
  return { addRemote, connect, saveDue, run, finished, mails, events };
}

describe.each(dialects)('scheduled imports on %s', (dialect) => {
  const t = perSuite(async () => {
    const app = await createTestApp(dialect);
    registerWorkers(app.deps);
    await app.deps.queue.start();
    return app;
  });
  const scim = perSuite(
    () => startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN } }),
    (s) => s.stop(),
  );
  const h = () => helpers(t, scim);

  it('starts a due schedule as one background run with trigger schedule, and moves nextRunAt on without catching up', async () => {
    h().addRemote('sched', 3);
    const appId = await h().connect('Scheduled App');
    await h().saveDue(appId, { ...EVERY_5, mode: 'new_and_update', fields: ['jobTitle'], guardrailPercent: 40 });
    const before = Date.now();
    const outcomes = await startDueSchedules(t.deps);
    const after = Date.now();
    expect(outcomes).toEqual([{ applicationId: appId, started: expect.any(String) }]);
    const runId = (outcomes[0] as { started: string }).started;
    // Missed occurrences are not caught up: nothing is due any more.
    expect(await startDueSchedules(t.deps)).toEqual([]);
    const settings = (await findSettings(t.database.db, appId))!;
    expect(settings.last_scheduled_run_id).toBe(runId);
    expect(settings.next_run_at! > new Date(before).toISOString()).toBe(true);
    expect([nextOccurrence(EVERY_5.cron, 'UTC', new Date(before)), nextOccurrence(EVERY_5.cron, 'UTC', new Date(after))]).toContain(
      settings.next_run_at,
    );
    const run = await h().finished(runId);
    expect(run).toMatchObject({
      status: 'completed',
      trigger: 'schedule',
      kind: 'users',
      dryRun: false,
      created: 3,
      initiatedBy: { type: 'admin', email: t.adminActor.email },
      options: { update: { fields: ['jobTitle'] }, guardrailPercent: 40 },
    });
    // Something was created: the admin who saved the schedule gets the email.
    const mail = await eventually(async () => (await h().mails()).find((m) => m.relatedId === runId), 10_000, 'the email');
    expect(mail.to).toBe(t.adminActor.email);
    expect(mail.subject).toBe('Roster import from Scheduled App: 3 created, 0 skipped, 0 failed');
    expect(mail.text).toContain('Your scheduled import of users from Scheduled App has completed.');
  });

  it('sends no email for a scheduled run that changed nothing', async () => {
    const appId = await h().connect('Quiet App');
    await h().saveDue(appId);
    const [first] = await startDueSchedules(t.deps);
    const firstRun = await h().finished((first as { started: string }).started);
    expect(firstRun.status).toBe('completed');
    // The other apps' users and this one's were imported before: a second run finds nothing new.
    await h().saveDue(appId);
    const [second] = await startDueSchedules(t.deps);
    const runId = (second as { started: string }).started;
    const run = await h().finished(runId);
    expect(run).toMatchObject({ status: 'completed', trigger: 'schedule', created: 0, linked: 0, updated: 0, failed: 0 });
    // import_completed is recorded in the run's last transaction, with the email when there is one.
    expect((await h().events('import_completed', appId)).some((e) => e.importRunId === runId)).toBe(true);
    expect((await h().mails()).filter((m) => m.relatedId === runId)).toEqual([]);
  });

  it('skips an occurrence that finds a run going, and records why', async () => {
    const appId = await h().connect('Busy App');
    h().addRemote('busy', 2);
    scim.setQuirks({ latencyMs: 800 });
    try {
      await h().saveDue(appId);
      const [first] = await startDueSchedules(t.deps);
      const runId = (first as { started: string }).started;
      await h().saveDue(appId);
      const [second] = await startDueSchedules(t.deps);
      expect(second).toEqual({ applicationId: appId, skipped: 'run_unfinished', reason: expect.stringContaining(runId) });
      const [event] = await h().events('import_schedule_skipped', appId);
      expect(event).toMatchObject({ changes: { code: 'run_unfinished' }, importRunId: runId, initiatedBy: { email: t.adminActor.email } });
      expect(event.message).toContain(runId);
      expect((await findSettings(t.database.db, appId))!.next_run_at! > new Date().toISOString()).toBe(true);
      expect((await h().finished(runId)).status).toBe('completed');
    } finally {
      scim.resetQuirks();
    }
  });

  it('starts nothing while the integration is deactivated, and nothing once the application is deleted', async () => {
    const appId = await h().connect('Deactivated App');
    expect((await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/deactivate` })).statusCode).toBe(200);
    await h().saveDue(appId);
    expect(await startDueSchedules(t.deps)).toEqual([
      { applicationId: appId, skipped: 'integration_inactive', reason: "the application's integration is not active" },
    ]);
    const list = (await t.admin({ method: 'GET', url: `/api/v1/import-runs?applicationId=${appId}` })).json();
    expect(list.items).toEqual([]);
    expect((await h().events('import_schedule_skipped', appId))[0].changes).toMatchObject({ code: 'integration_inactive' });
    await h().saveDue(appId);
    expect((await t.admin({ method: 'DELETE', url: `/api/v1/applications/${appId}` })).statusCode).toBe(204);
    expect(await startDueSchedules(t.deps)).toEqual([]);
  });

  it('runs the scheduler as a job that queues its next wake-up', async () => {
    const appId = await h().connect('Job App');
    await h().saveDue(appId);
    await queueScheduleTick(t.deps);
    const runId = await eventually(
      async () => (await findSettings(t.database.db, appId))?.last_scheduled_run_id ?? undefined,
      10_000,
      'a run',
    );
    expect((await h().finished(runId)).trigger).toBe('schedule');
    expect((await t.deps.queue.counts('import.schedule')).queued).toBe(1);
  });

  it('never emails a dry run', async () => {
    const appId = await h().connect('Dry App');
    const { run } = await createImportRun(t.deps, t.adminActor, appId, { all: true, dryRun: true });
    expect(run).toMatchObject({ dryRun: true, status: 'completed' });
    // A dry run writes nothing but its results: no event, no email.
    expect((await h().events('import_completed', appId)).some((e) => e.importRunId === run.id)).toBe(false);
    expect((await h().mails()).filter((m) => m.relatedId === run.id)).toEqual([]);
  });

  it('answers 409 to confirming a run that is not paused and to cancelling one that has ended', async () => {
    const appId = await h().connect('Ended App');
    const { run } = await createImportRun(t.deps, t.adminActor, appId, { all: true });
    expect(run.status).toBe('completed');
    const confirm = await t.admin({ method: 'POST', url: `/api/v1/import-runs/${run.id}/confirm` });
    expect(confirm.statusCode).toBe(409);
    expect(confirm.json().error.code).toBe('IMPORT_RUN_NOT_PAUSED');
    const cancel = await t.admin({ method: 'POST', url: `/api/v1/import-runs/${run.id}/cancel` });
    expect(cancel.statusCode).toBe(409);
    expect(cancel.json().error.code).toBe('IMPORT_RUN_NOT_CANCELLABLE');
    const missing = await t.admin({ method: 'POST', url: '/api/v1/import-runs/00000000-0000-7000-8000-00000000abcd/confirm' });
    expect(missing.statusCode).toBe(404);
    expect((await t.readOnly({ method: 'POST', url: `/api/v1/import-runs/${run.id}/cancel` })).statusCode).toBe(403);
  });

  // Needs the runs helper's guardrail check in processBatch (RunPaused before a batch that would change
  // more than options.guardrailPercent of the directory): passes once both branches are merged.
  it('pauses a scheduled run that would change too much of the directory, and finishes it once confirmed', async () => {
    const appId = await h().connect('Guarded App');
    h().addRemote('guard', 30);
    await h().saveDue(appId, { ...EVERY_5, guardrailPercent: 1 });
    const [outcome] = await startDueSchedules(t.deps);
    const runId = (outcome as { started: string }).started;
    const paused = await eventually(
      async () => {
        const r = await h().run(runId);
        return r.status === 'paused' || r.status === 'completed' || r.status === 'failed' ? r : undefined;
      },
      30_000,
      'the run to pause',
    );
    expect(paused.status).toBe('paused');
    expect(paused.pausedReason).toBeTruthy();
    expect((await h().events('import_paused', appId)).map((e) => e.importRunId)).toEqual([runId]);
    expect((await h().mails()).filter((m) => m.relatedId === runId && m.kind === 'import_paused').length).toBeGreaterThan(0);
    const confirmed = await t.admin({ method: 'POST', url: `/api/v1/import-runs/${runId}/confirm` });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json()).toMatchObject({ status: 'queued', options: { guardrailConfirmed: true } });
    expect(await h().finished(runId)).toMatchObject({ status: 'completed', created: 30 });
  });
});

// No workers here: a run stays queued until the test says otherwise.
describe.each(dialects)('paused and queued runs on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));
  const scim = perSuite(
    () => startScimServer({ users: 120, seed: 5, auth: { type: 'bearer', token: SCIM_TOKEN } }),
    (s) => s.stop(),
  );
  const h = () => helpers(t, scim);
  const queuedRun = async (appId: string) =>
    (await createImportRun(t.deps, t.adminActor, appId, { all: true }, { trigger: 'schedule', guardrailPercent: 10, background: true }))
      .run;

  it('decides who gets an email: never a dry run; a scheduled run only when it changed something or failed', () => {
    const run = { dry_run: 0, trigger: 'manual', status: 'completed', created: 0, linked: 0, updated: 0, reverted: 0, failed: 0 } as const;
    expect(runEmails(run)).toBe(true);
    expect(runEmails({ ...run, dry_run: 1, created: 5 })).toBe(false);
    expect(runEmails({ ...run, trigger: 'schedule' })).toBe(false);
    for (const k of ['created', 'linked', 'updated', 'failed'] as const)
      expect(runEmails({ ...run, trigger: 'schedule', [k]: 1 })).toBe(true);
    expect(runEmails({ ...run, trigger: 'schedule', status: 'failed' })).toBe(true);
  });

  it('cancels a queued run: it ends failed saying who cancelled it, and a worker does not start it', async () => {
    const appId = await h().connect('Cancel App');
    const run = await queuedRun(appId);
    expect(run.status).toBe('queued');
    const r = await t.admin({ method: 'POST', url: `/api/v1/import-runs/${run.id}/cancel` });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ status: 'failed', error: `cancelled by ${t.adminActor.email}` });
    expect((await h().events('import_cancelled', appId))[0]).toMatchObject({ importRunId: run.id, changes: { status: 'queued' } });
    // Its job comes later and finds it ended.
    expect(await startRun(t.deps, run.id)).toMatchObject({ status: 'failed' });
    const again = await t.admin({ method: 'POST', url: `/api/v1/import-runs/${run.id}/cancel` });
    expect(again.statusCode).toBe(409);
    // The failed run emails its admin (scheduled: it failed).
    expect((await h().mails()).filter((m) => m.relatedId === run.id && m.kind === 'import_completed')).toHaveLength(1);
  });

  it('pauses a run with its event and an email to every admin; confirming queues it again and it completes', async () => {
    await createAdmin({ db: t.database.db, clock: t.deps.clock }, systemActor(), {
      email: 'second@example.com',
      password: 'another correct horse battery',
      role: 'read_only',
    });
    const appId = await h().connect('Pause App');
    const run = await queuedRun(appId);
    const started = await startRun(t.deps, run.id);
    if (!('run' in started)) throw new Error('the run did not start');
    const reason = 'the run would change 120 users, more than 10% of the directory';
    expect(await pauseRun(t.deps, started, reason)).toMatchObject({ status: 'paused', pausedReason: reason });
    expect(await startRun(t.deps, run.id)).toMatchObject({ status: 'paused' });
    expect((await h().events('import_paused', appId)).map((e) => e.message)).toEqual([reason]);
    const paused = (await h().mails()).filter((m) => m.relatedId === run.id && m.kind === 'import_paused');
    expect(paused.map((m) => m.to)).toEqual(expect.arrayContaining([t.adminActor.email, 'second@example.com']));
    expect(paused).toHaveLength(2);
    expect(paused[0].subject).toBe('Roster paused a scheduled import from Pause App');
    expect(paused[0].text).toContain(reason);
    expect(paused[0].text).toContain(`/import-runs/${run.id}`);
    // The pause ended the run's job (its handler returned); the confirmation enqueues a new one.
    await t.deps.queue.cancel(t.database.db, IMPORT_JOB, `import-run:${run.id}`);
    const r = await t.admin({ method: 'POST', url: `/api/v1/import-runs/${run.id}/confirm` });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ status: 'queued', options: { guardrailConfirmed: true, guardrailPercent: 10 } });
    expect(r.json().pausedReason).toBeUndefined();
    expect((await h().events('import_confirmed', appId))[0]).toMatchObject({ importRunId: run.id, changes: { pausedReason: reason } });
    expect((await t.admin({ method: 'POST', url: `/api/v1/import-runs/${run.id}/confirm` })).statusCode).toBe(409);
    registerWorkers(t.deps);
    await t.deps.queue.start();
    expect(await h().finished(run.id)).toMatchObject({ status: 'completed', created: 120 });
  });
});
