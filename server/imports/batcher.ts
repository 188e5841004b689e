// Gathers SCIM pages into write batches: a batch is due once it holds `size` items, or once
// `intervalMs` have passed since the last batch (so that a slow application still shows progress).
/** Gathered items are handed out at least this often, however few. */
const WRITE_INTERVAL_MS = 1000;

export class Batcher<T> {
  #pending: T[] = [];
  #last: number;
  readonly #size: number;
  readonly #intervalMs: number;
  readonly #now: () => number;

  constructor(size: number, intervalMs = WRITE_INTERVAL_MS, now: () => number = () => performance.now()) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('batch size must be a positive integer');
    this.#size = size;
    this.#intervalMs = intervalMs;
    this.#now = now;
    this.#last = now();
  }

  /** Adds items; returns the batch to write when one is due. */
  add(items: readonly T[]): T[] | undefined {
    for (const item of items) this.#pending.push(item);
    return this.#pending.length >= this.#size || this.#now() - this.#last >= this.#intervalMs ? this.take() : undefined;
  }

  /** Whatever is gathered, as a batch (undefined when nothing is). */
  take(): T[] | undefined {
    if (this.#pending.length === 0) return undefined;
    const batch = this.#pending;
    this.#pending = [];
    this.#last = this.#now();
    return batch;
  }
}
