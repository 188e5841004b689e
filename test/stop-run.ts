// Stops an import run the way a shutdown stops it: executed in this process with a signal that is
// aborted once the run has answered `after` remote ids (or groups, or undone results); the run throws
// for its job to resume it later, and the test resumes it with executeRun.
import { expect } from 'vitest';
import type { Deps } from '../server/deps.ts';
import { executeRun } from '../server/imports/index.ts';

/** Runs `runId` until it has processed `after`, then stops it; asserts that it threw (with `message`, when given). */
export async function runUntilShutdown(deps: Deps, runId: string, after: number, message?: string): Promise<void> {
  const stop = new AbortController();
  const onProgress = (p: { processed: number }) => {
    if (p.processed >= after) stop.abort(new Error('shutting down'));
  };
  await expect(executeRun(deps, runId, { signal: stop.signal, onProgress })).rejects.toThrow(message);
}
