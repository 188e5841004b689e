// Finding one user by userName, externalId or email on servers whose filters are weak:
// canonical `attr eq "v"` first (F4); a 400/500 means "filter unsupported" (F1, F6); results are
// always compared on our side (a server that ignores the filter returns everyone); a miss is
// retried with lower-case for case-sensitive servers (F3); and a bounded full scan can confirm
// what a filter could not (F5).
import { eq } from './filter.ts';
import { ScimError } from './errors.ts';
import type { ScimListResponse, ScimUser } from './types.ts';

export type LookupAttribute = 'userName' | 'externalId' | 'email';

export interface LookupOptions {
  signal?: AbortSignal;
  /**
   * 'if-filter-unusable' (default): scan only when the server cannot filter (error, or results
   * that don't match). 'if-not-found': also when filters found nothing (F5; after a 409, C19/D3).
   */
  fullScan?: 'never' | 'if-filter-unusable' | 'if-not-found';
  /** Resources a scan reads at most. Default 5000. */
  maxScan?: number;
}

export interface LookupResult {
  user: ScimUser | null;
  via: 'filter' | 'scan' | 'none';
  /** Some filter answered with a meaningful result (match or a clean empty list). */
  filterUsable: boolean;
  /** A scan read the whole list, so "not found" is certain. */
  scannedAll: boolean;
  filtersTried: string[];
}

export interface LookupDeps {
  /** One page of `GET /Users?filter=...`; a 500 must not be retried. */
  query(filter: string, signal?: AbortSignal): Promise<ScimListResponse<ScimUser>>;
  /** Every user, page by page. */
  scan(signal?: AbortSignal): AsyncIterable<ScimUser>;
}

function fold(value: string | undefined): string {
  return (value ?? '').normalize('NFC').trim().toLowerCase();
}

/** Exact (2), case-insensitive (1) or no (0) match: we never trust a filter blindly. */
function matchScore(user: ScimUser, attribute: LookupAttribute, value: string): number {
  const candidates =
    attribute === 'userName' ? [user.userName] : attribute === 'externalId' ? [user.externalId] : (user.emails ?? []).map((e) => e.value);
  let best = 0;
  for (const c of candidates) {
    if (c === undefined) continue;
    if (c.trim() === value.trim()) return 2;
    if (fold(c) === fold(value)) best = 1;
  }
  return best;
}

function bestMatch(users: ScimUser[], attribute: LookupAttribute, value: string): ScimUser | undefined {
  let best: ScimUser | undefined;
  let bestScore = 0;
  for (const user of users) {
    const score = matchScore(user, attribute, value);
    if (score > bestScore) {
      best = user;
      bestScore = score;
    }
  }
  return best;
}

function filtersFor(attribute: LookupAttribute, value: string): string[][] {
  const lower = value.toLowerCase();
  const casings = lower === value ? [value] : [value, lower];
  if (attribute === 'externalId') return [[eq('externalId', value)]];
  if (attribute === 'userName') return [casings.map((v) => eq('userName', v))];
  // emails: `emails.value eq` is the RFC form; GitHub documents `emails eq` (F7).
  return [casings.map((v) => eq('emails.value', v)), casings.map((v) => eq('emails', v))];
}

const UNSUPPORTED = new Set([400, 403, 405, 500, 501]);

export async function lookupUser(
  deps: LookupDeps,
  attribute: LookupAttribute,
  value: string,
  options: LookupOptions = {},
): Promise<LookupResult> {
  const result: LookupResult = { user: null, via: 'none', filterUsable: false, scannedAll: false, filtersTried: [] };
  if (!value.trim()) return result;
  let unusable = false;
  // Each group is one filter form in several casings; a form the server rejects is abandoned.
  for (const group of filtersFor(attribute, value)) {
    for (const filter of group) {
      result.filtersTried.push(filter);
      let page: ScimListResponse<ScimUser>;
      try {
        page = await deps.query(filter, options.signal);
      } catch (err) {
        if (err instanceof ScimError && UNSUPPORTED.has(err.status)) {
          unusable = true;
          break;
        }
        throw err;
      }
      const found = bestMatch(page.resources, attribute, value);
      if (found) return { ...result, user: found, via: 'filter', filterUsable: true };
      if (page.resources.length > 0) {
        // Results that don't match: the server ignored or misread the filter.
        unusable = true;
        break;
      }
      result.filterUsable = true;
    }
    if (result.filterUsable) break;
  }
  const mode = options.fullScan ?? 'if-filter-unusable';
  const scan = mode === 'if-not-found' || (mode === 'if-filter-unusable' && unusable && !result.filterUsable);
  if (!scan) return result;
  const maxScan = options.maxScan ?? 5000;
  let read = 0;
  for await (const user of deps.scan(options.signal)) {
    if (matchScore(user, attribute, value) > 0) return { ...result, user, via: 'scan' };
    if (++read >= maxScan) return result;
  }
  return { ...result, scannedAll: true };
}
