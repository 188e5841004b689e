// Reading index pages several at a time. Against a service provider that takes 20 ms per page, one
// page after another leaves the link idle most of the time; once the first page has shown how many
// resources the server really serves per page and how many there are, the start of every later
// page is known and they can be asked for together. The reader trusts that picture only as long as
// every page confirms it: the first page that does not (short, too long, a repeated id, another
// total, a nextCursor, a refusal) is where sequential paging takes over, with all of the Pager's
// quirk rules. Pages are accepted strictly in startIndex order; a page requested ahead of the point
// of the fall back is dropped unread, so its ids are never marked seen and nothing is skipped.
import { ScimClientError } from './errors.ts';
import type { PageRequest, Pager } from './pager.ts';
import type { ScimListResponse } from './types.ts';

export interface ParallelPlan {
  /** Resources per page, as the first page was served. */
  size: number;
  /** totalResults of the first page; every page must claim the same. */
  total: number;
  /** Pages requested at once. */
  width: number;
}

/** What the reader does after the first page: a plan, or why the listing stays sequential. */
export function parallelPlan<T extends { id?: string }>(
  pager: Pager<T>,
  req: PageRequest,
  page: ScimListResponse<T>,
  fresh: number,
  parallelPages: number,
): ParallelPlan | string {
  const width = Math.floor(parallelPages);
  const items = page.resources.length;
  const total = page.totalResults;
  if (!(width > 1)) return 'one request at a time (concurrency 1)';
  if (req.mode !== 'index' || pager.mode !== 'index') return `${pager.mode} paging`;
  if (req.startIndex !== 1 || pager.startIndex !== 1 + items) return 'the first page did not start at 1';
  if (total === undefined || !Number.isSafeInteger(total)) return 'the first page had no totalResults';
  if (items === 0 || fresh !== items) return 'the first page held repeated resources or resources without id';
  if (items > req.count) return 'the first page held more resources than asked for';
  // Equal to the page length: the total may be that of the page (P3), which says nothing of the rest.
  if (total <= items) return 'totalResults was no larger than the first page';
  return { size: items, total, width };
}

type Outcome<T> = { page: ScimListResponse<T> } | { error: unknown };

interface Slot<T> {
  startIndex: number;
  /** Resources this page must hold: a full page, or what is left up to the total. */
  expected: number;
  /** Never rejects: a failed request is an outcome like a page, looked at in its turn. */
  outcome: Promise<Outcome<T>>;
  /** The request went out (a page or time cap may refuse it first). */
  sent: boolean;
}

/** Why this page does not fit the picture the first page gave; undefined when it fits. */
function misfit<T extends { id?: string }>(pager: Pager<T>, slot: Slot<T>, page: ScimListResponse<T>, plan: ParallelPlan) {
  const n = page.resources.length;
  if (page.nextCursor !== undefined) return 'the server returned nextCursor';
  if (page.totalResults !== plan.total) return `totalResults changed from ${plan.total} to ${page.totalResults ?? 'none'}`;
  if (n < slot.expected) return `a short page (${n} resources where ${slot.expected} were due) before the end the server claimed`;
  if (n > slot.expected) return `a page with more resources than asked for (${n} where ${slot.expected} were due)`;
  const ids = new Set<string>();
  for (const r of page.resources) {
    if (r.id === undefined || r.id === '') return 'a resource without id';
    if (ids.has(r.id) || pager.seen.has(r.id)) return 'a page repeated resources already listed';
    ids.add(r.id);
  }
  return undefined;
}

/**
 * Yields the pages after the first, `plan.width` requested at a time and at most twice that many
 * held (in flight or waiting for the caller), in startIndex order. Returns with the Pager where
 * sequential paging goes on: after the claimed end, or at the first page that did not fit. An error
 * the Pager can recover from (invalidCount, a deep startIndex refused) is a fall back too; any
 * other error is thrown in its turn, as sequential paging would have thrown it.
 */
export async function* readInParallel<T extends { id?: string }>(
  pager: Pager<T>,
  plan: ParallelPlan,
): AsyncGenerator<T[], void, undefined> {
  const { size, total, width } = plan;
  const stop = new AbortController();
  const signal = pager.signal ? AbortSignal.any([pager.signal, stop.signal]) : stop.signal;
  const slots: Slot<T>[] = [];
  let next = pager.startIndex;
  let inFlight = 0;
  let failed = false;
  pager.stats.parallel.used = true;

  // Called again as each request settles, so pages keep coming while the caller works on one.
  const launch = (): void => {
    while (!failed && !stop.signal.aborted && next <= total && inFlight < width && slots.length < 2 * width) {
      const startIndex = next;
      next += size;
      inFlight++;
      const before = pager.stats.requests;
      const outcome = pager
        .request({ mode: 'index', count: size, startIndex }, signal)
        .then(
          (page): Outcome<T> => ({ page }),
          (error: unknown): Outcome<T> => ({ error }),
        )
        .then((o) => {
          inFlight--;
          if ('error' in o) failed = true;
          else launch();
          return o;
        });
      slots.push({ startIndex, expected: Math.min(size, total - startIndex + 1), outcome, sent: pager.stats.requests > before });
    }
  };

  // Dropped: the page itself when sequential paging will ask for it again, and every page after it.
  const fallBack = (slot: Slot<T>, why: string, again: boolean): void => {
    pager.resumeAt(slot.startIndex);
    pager.discarded((again ? 1 : 0) + slots.filter((s) => s.sent).length);
    pager.stats.parallel.fellBack = why;
    pager.logger.warn('SCIM listing goes back to one page at a time', { why, startIndex: slot.startIndex });
  };

  try {
    launch();
    for (;;) {
      const slot = slots.shift();
      if (!slot) break;
      const outcome = await slot.outcome;
      launch();
      if ('error' in outcome) {
        // The Pager decides as it would have for this page read on its own.
        pager.resumeAt(slot.startIndex);
        if (!pager.recover(outcome.error)) throw outcome.error;
        fallBack(slot, `the page at startIndex ${slot.startIndex} was refused: ${describe(outcome.error)}`, false);
        return;
      }
      const why = misfit(pager, slot, outcome.page, plan);
      if (why) {
        fallBack(slot, why, true);
        return;
      }
      yield pager.take(outcome.page.resources);
    }
    // Every page up to the claimed total came as predicted; totalResults is still only a hint (P3),
    // so sequential paging asks past it and stops on the empty page, as it would have.
    pager.resumeAt(total + 1);
  } finally {
    // Pages requested ahead of a fall back, an error or a caller that stopped early: stop them,
    // and wait for them to settle so that no request of this listing outlives it.
    stop.abort(new ScimClientError('ABORTED', 'A page requested ahead was no longer needed.'));
    await Promise.all(slots.map((s) => s.outcome));
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 200) : String(err).slice(0, 200);
}
