import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../test/db.ts';
import { insertUser } from '../../test/factories.ts';
import { SCIM_TOKEN } from '../../test/idm.ts';
import { type RunningScimServer, startScimServer } from '../../test/scim-server/index.ts';
import { DEFAULT_ORGANIZATION_ID } from '../shared/actor.ts';
import { type Harness, startHarness } from '../../test/provisioning.ts';

describe.each(dialects)('provisioning guardrail on %s', (dialect) => {
  let h: Harness;
  let scim: RunningScimServer;
  let appId: string;
  let groupId: string;
  let keep: string;
  const active = () => scim.store.listUsers().filter((u) => u.active !== false).length;

  beforeAll(async () => {
    h = await startHarness(dialect);
    scim = await startScimServer({ auth: { type: 'bearer', token: SCIM_TOKEN } });
    appId = await h.connect(scim, 'Guarded App');
    groupId = await h.group('Sales');
    keep = await h.group('Board');
    const { db } = h.t.database;
    const now = new Date().toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await insertUser(db, `seller${i}`));
    await db
      .insertInto('group_members')
      .values(
        ids.slice(0, 30).map((user_id) => ({ organization_id: DEFAULT_ORGANIZATION_ID, group_id: groupId, user_id, created_at: now })),
      )
      .execute();
    await db
      .insertInto('group_members')
      .values(ids.slice(30).map((user_id) => ({ organization_id: DEFAULT_ORGANIZATION_ID, group_id: keep, user_id, created_at: now })))
      .execute();
    await h.activateWith(appId, groupId, keep);
    expect(active()).toBe(40);
  });
  afterAll(async () => {
    await h?.close();
    await scim?.stop();
  });

  it('pauses instead of deprovisioning 30 of 40 accounts, records it and shows it in the status', async () => {
    await h.unbind(appId, groupId);
    const s = await h.settle(appId);
    expect(active()).toBe(40);
    expect(s.paused).toMatchObject({ deprovisions: 30, linked: 40, percent: 20, minimum: 10, confirmed: false });
    expect(s.lastSync).toMatchObject({ status: 'paused', counts: { held: 30, deprovisioned: 0 } });
    const [ev] = await h.events(appId, 'provisioning_paused');
    expect(ev).toMatchObject({ resource: { id: appId } });
    expect(ev.message).toMatch(/30 of 40/);
  });

  it('keeps holding deprovisions while paused, but still creates and updates', async () => {
    const newcomer = await h.user('newcomer');
    await h.member(keep, newcomer);
    await h.settle(appId);
    expect(scim.store.listUsers().some((u) => u.userName === 'newcomer')).toBe(true);
    expect(active()).toBe(41);
    expect((await h.status(appId)).paused).not.toBeNull();
    expect(await h.events(appId, 'provisioning_paused')).toHaveLength(1);
  });

  it('deprovisions after an admin confirms', async () => {
    const bad = await h.t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/sync/confirm` });
    expect(bad.statusCode, bad.body).toBe(202);
    expect(bad.json()).toMatchObject({ confirmed: 30, sync: { status: 'queued' } });
    const s = await h.settle(appId);
    expect(active()).toBe(11);
    expect(s.paused).toBeNull();
    expect(s.lastSync).toMatchObject({ counts: { deprovisioned: 30 } });
    expect(await h.events(appId, 'provisioning_confirmed')).toHaveLength(1);
    expect(await h.events(appId, 'provisioning_resumed')).toHaveLength(1);
    const again = await h.t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/idm/sync/confirm` });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('NOT_PAUSED');
  });

  it('lets small deprovisions through without asking', async () => {
    const r = await h.t.admin({ method: 'GET', url: `/api/v1/groups/${keep}/members?limit=3` });
    const [first] = r.json().items;
    await h.unmember(keep, first.id);
    const s = await h.settle(appId);
    expect(s.paused).toBeNull();
    expect(active()).toBe(10);
  });
});
