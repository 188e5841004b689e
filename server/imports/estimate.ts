// How long an import takes, said before it starts (preview, CLI) and while it runs (run page). Pure
// arithmetic from the application's count of users and the integration's settings: reading takes a
// request per page within the rate limit, writing takes a fixed cost per user, and the two overlap, so
// the slower one decides.
import type { ImportEstimate } from './imports.schemas.ts';

/**
 * What writing one user costs, in milliseconds. Conservative on purpose: PostgreSQL imported 100,000
 * users in 31-36 s on a 2-core machine (server/imports/README.md, "Where the time goes"), SQLite in
 * about 18.5 s; 0.4 ms rounds the slower of the two up.
 */
export const WRITE_MS_PER_USER = 0.4;

export interface EstimateInput {
  /** Users to import (for a running run: those left). */
  users: number;
  /** The integration's settings: users per SCIM page and requests per second. */
  pageSize: number;
  rateLimitPerSecond: number;
  /** False for a selection, which is read from the preview's snapshot (no SCIM request). */
  readsApplication: boolean;
  /** Said of what is left of a running run. */
  remaining?: boolean;
}

/** Below this the rate limit is not worth raising: the admin would save seconds. */
const WORTH_RAISING_S = 60;

export function estimateImport(input: EstimateInput): ImportEstimate {
  const users = Math.max(0, Math.floor(input.users));
  const pages = input.readsApplication ? Math.max(1, Math.ceil(users / input.pageSize)) : 0;
  const readSeconds = pages / input.rateLimitPerSecond;
  const writeSeconds = (users * WRITE_MS_PER_USER) / 1000;
  const seconds = Math.ceil(Math.max(readSeconds, writeSeconds));
  const limitedBy = readSeconds >= writeSeconds && input.readsApplication ? 'rateLimit' : 'writes';
  const who = `${users.toLocaleString('en')} user${users === 1 ? '' : 's'}${input.remaining ? ' left' : ''}`;
  const rate = input.readsApplication ? ` at ${formatRate(input.rateLimitPerSecond)} per second` : '';
  const hint =
    limitedBy === 'rateLimit' && seconds >= WORTH_RAISING_S ? '; raise the rate limit in Advanced if the application allows more' : '';
  return {
    users,
    pages,
    seconds,
    limitedBy,
    text: `${who}${rate}: ${humanDuration(seconds)}${hint}`,
  };
}

function formatRate(perSecond: number): string {
  const n = Number.isInteger(perSecond) ? perSecond.toLocaleString('en') : String(Math.round(perSecond * 10) / 10);
  return `${n} request${perSecond === 1 ? '' : 's'}`;
}

/** A duration as people say it: "a few seconds", "about 40 seconds", "about 2 minutes", "about 1.5 hours". */
export function humanDuration(seconds: number): string {
  if (seconds < 10) return 'a few seconds';
  if (seconds < 55) return `about ${Math.round(seconds / 10) * 10} seconds`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return minutes === 1 ? 'about 1 minute' : `about ${minutes} minutes`;
  const hours = Math.round((seconds / 3600) * 2) / 2;
  if (hours < 48) return `about ${hours} hours`;
  return `about ${Math.round(hours / 24)} days`;
}
