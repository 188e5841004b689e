// Activation and deactivation commit the integration's change and the provisioning work it causes in
// one transaction: when the queue cannot take the job, the change rolls back with it.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { connectApplication, SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { PROVISIONING_SYNC_JOB } from '../provisioning/index.ts';

describe.each(dialects)('integration commands on %s', (dialect) => {
  let t: TestApp;
  let scim: RunningScimServer;
  let appId: string;
  const status = async () => (await t.admin({ method: 'GET', url: `/api/v1/applications/${appId}/idm` })).json().status;
  const events = async (eventType: string) =>
    (await t.admin({ method: 'GET', url: `/api/v1/insights/events?applicationId=${appId}&eventType=${eventType}` })).json().items;
  const queued = async () => (await t.deps.queue.counts(PROVISIONING_SYNC_JOB)).queued;
  const post = (action: 'activate' | 'deactivate') => t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/${action}` });
  /** What the action left: the integration's status, the action's Insights events, the queued syncs. */
  const outcome = async (action: 'activate' | 'deactivate') => ({
    status: await status(),
    events: await events(`idm_${action}d`),
    queued: await queued(),
  });
  /** Posts the action while the queue's `method` fails once: a 500 after one call to it. */
  const postWhileQueueFails = async (action: 'activate' | 'deactivate', method: 'enqueue' | 'cancel') => {
    const failing = vi.spyOn(t.deps.queue, method).mockRejectedValueOnce(new Error('the queue is down'));
    try {
      const r = await post(action);
      expect(r.statusCode, r.body).toBe(500);
      expect(failing).toHaveBeenCalledTimes(1);
    } finally {
      failing.mockRestore();
    }
  };
  const postOk = async (action: 'activate' | 'deactivate') => {
    const ok = await post(action);
    expect(ok.statusCode, ok.body).toBe(200);
  };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    scim = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN } });
    appId = await connectApplication(t, scim, 'Commanded');
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
    await scim?.stop();
  });

  it('an activation whose sync cannot be enqueued rolls back: the integration stays inactive, nothing recorded', async () => {
    await postWhileQueueFails('activate', 'enqueue');
    expect(await outcome('activate')).toEqual({ status: 'inactive', events: [], queued: 0 });
    const st = await t.database.db
      .selectFrom('provisioning_state')
      .select('full_token')
      .where('application_id', '=', appId)
      .executeTakeFirst();
    expect(st?.full_token ?? null).toBeNull();

    await postOk('activate');
    expect(await outcome('activate')).toMatchObject({ status: 'active', events: [{}], queued: 1 });
  });

  it('a deactivation whose queued syncs cannot be dropped rolls back: the integration stays active', async () => {
    await postWhileQueueFails('deactivate', 'cancel');
    expect(await outcome('deactivate')).toEqual({ status: 'active', events: [], queued: 1 });

    await postOk('deactivate');
    expect(await outcome('deactivate')).toMatchObject({ status: 'inactive', events: [{}], queued: 0 });
  });
});
