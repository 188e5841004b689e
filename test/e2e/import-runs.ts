// Import runs driven through the API of an in-process test app, as the fault tests do: start one, wait
// until it has made progress, wait until it has ended.
import { expect } from 'vitest';
import type { TestApp } from '../app.ts';
import { eventually } from '../idm.ts';

export function importRuns(t: TestApp) {
  const get = async (id: string) => (await t.admin({ method: 'GET', url: `/api/v1/import-runs/${id}` })).json();
  return {
    get,
    /** Starts an import of every user of the application (202); resolves to the run's id. */
    async start(appId: string): Promise<string> {
      const r = await t.admin({ method: 'POST', url: `/api/v1/applications/${appId}/import/jobs`, payload: { all: true } });
      expect(r.statusCode, r.body).toBe(202);
      return r.json().run.id as string;
    },
    /** Resolves once the run has processed at least `count` users. */
    progressed: (id: string, count: number) =>
      eventually(async () => ((await get(id)).processed >= count ? true : undefined), 60_000, 'the import to make progress'),
    /** Resolves to the run once it has ended (completed or failed). */
    ended: (id: string, what: string) =>
      eventually(
        async () => {
          const r = await get(id);
          return r.status === 'completed' || r.status === 'failed' ? r : undefined;
        },
        120_000,
        what,
      ),
  };
}
