// Long synchronous work in slices, giving the event loop a turn between them: mapping a page of 1,000
// remote users or serializing a batch of 3,000 takes tens of milliseconds in one piece, and every
// request the process answers meanwhile waits for it.
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Items handed out per slice: a few milliseconds of mapping or serializing each. */
export const SLICE = 250;

/** fn over consecutive slices of items, yielding to the event loop between slices; the results in order. */
export async function inSlices<T, R>(items: readonly T[], fn: (slice: readonly T[]) => R, size = SLICE): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    if (i > 0) await nextTurn();
    out.push(fn(items.slice(i, i + size)));
  }
  return out;
}
