// Helpers for the provisioning tests only: a signed-in app with its workers running, and short ways
// to build the directory through the API and to wait until syncing has settled.
import { expect } from 'vitest';
import { createTestApp, type TestApp } from './app.ts';
import { connectApplication, eventually } from './idm.ts';
import type { RunningScimServer } from './scim-server/index.ts';
import type { Dialect } from '../server/db/database.ts';
import { registerWorkers } from '../server/workers.ts';
import type { ProvisioningStatus } from '../server/provisioning/index.ts';

export interface Harness {
  t: TestApp;
  close(): Promise<void>;
  user(username: string, extra?: Record<string, unknown>): Promise<string>;
  group(name: string): Promise<string>;
  member(groupId: string, userId: string): Promise<void>;
  unmember(groupId: string, userId: string): Promise<void>;
  bind(appId: string, groupId: string): Promise<void>;
  unbind(appId: string, groupId: string): Promise<void>;
  connect(scim: RunningScimServer, name: string, settings?: Record<string, unknown>): Promise<string>;
  activate(appId: string): Promise<void>;
  /** Binds the groups, activates the integration and waits until its first sync has settled. */
  activateWith(appId: string, ...groupIds: string[]): Promise<ProvisioningStatus>;
  status(appId: string): Promise<ProvisioningStatus>;
  /** Waits until nothing is owed or running for the application, and returns the status. */
  settle(appId: string, timeoutMs?: number): Promise<ProvisioningStatus>;
  events(
    appId: string,
    eventType?: string,
  ): Promise<
    Array<{
      eventType: string;
      success: boolean;
      resource: { id: string; username?: string };
      message?: string;
      changes?: Record<string, unknown>;
    }>
  >;
}

export async function startHarness(dialect: Dialect): Promise<Harness> {
  const t = await createTestApp(dialect);
  registerWorkers(t.deps);
  await t.deps.queue.start();
  const ok = async (opts: Parameters<TestApp['admin']>[0], status = [200, 201, 202, 204]) => {
    const r = await t.admin(opts);
    expect(status, `${opts.method} ${opts.url}: ${r.body}`).toContain(r.statusCode);
    return r;
  };
  const h: Harness = {
    t,
    close: async () => {
      await t.deps.queue.stop({ graceMs: 2000 });
      await t.close();
    },
    user: async (username, extra = {}) =>
      (
        await ok({
          method: 'POST',
          url: '/api/v1/users',
          payload: { username, email: `${username}@example.com`, firstname: 'First', lastname: username, ...extra },
        })
      ).json().id,
    group: async (name) => (await ok({ method: 'POST', url: '/api/v1/groups', payload: { name } })).json().id,
    member: async (groupId, userId) => {
      await ok({ method: 'PUT', url: `/api/v1/groups/${groupId}/members/${userId}` });
    },
    unmember: async (groupId, userId) => {
      await ok({ method: 'DELETE', url: `/api/v1/groups/${groupId}/members/${userId}` });
    },
    bind: async (appId, groupId) => {
      await ok({ method: 'PUT', url: `/api/v1/applications/${appId}/groups/${groupId}` });
    },
    unbind: async (appId, groupId) => {
      await ok({ method: 'DELETE', url: `/api/v1/applications/${appId}/groups/${groupId}` });
    },
    connect: (scim, name, settings = {}) => connectApplication(t, scim, name, settings),
    activate: async (appId) => {
      await ok({ method: 'POST', url: `/api/v1/applications/${appId}/idm/activate` });
    },
    activateWith: async (appId, ...groupIds) => {
      for (const groupId of groupIds) await h.bind(appId, groupId);
      await h.activate(appId);
      return h.settle(appId);
    },
    status: async (appId) => (await ok({ method: 'GET', url: `/api/v1/applications/${appId}/idm/status` })).json(),
    settle: (appId, timeoutMs = 20_000) =>
      eventually(
        async () => {
          const s = await h.status(appId);
          const idle =
            !s.running && s.pending.users === 0 && s.pending.groups === 0 && !s.pending.fullReconcile && s.pending.queuedSyncs === 0;
          return idle ? s : undefined;
        },
        timeoutMs,
        'provisioning to settle',
      ),
    events: async (appId, eventType) => {
      const r = await ok({
        method: 'GET',
        url: `/api/v1/insights/events?applicationId=${appId}&limit=500${eventType ? `&eventType=${eventType}` : ''}`,
      });
      return r.json().items;
    },
  };
  return h;
}

export const writes = (scim: RunningScimServer) => scim.requests.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));
