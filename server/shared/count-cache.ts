// Counting a large set is the most expensive part of a list page on PostgreSQL (a count of 110,000
// users reads 110,000 index entries: about 45 ms idle, and under load most of the database's time).
// A `total` of that size is kept for a few seconds and shared by the requests asking at the same time;
// a small one is always counted afresh, so lists that people watch change under their eyes (and every
// test) keep exact totals. A large total may lag writes by up to `ttlMs`: 110,234 for 110,235.
export interface CountCacheOptions {
  /** Totals from this size on are kept. */
  keepFrom?: number;
  ttlMs?: number;
  /** Distinct keys kept at most (the oldest go first). */
  maxEntries?: number;
  now?: () => number;
}

export class CountCache {
  readonly #keepFrom: number;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { at: number; count: Promise<number> }>();

  constructor(o: CountCacheOptions = {}) {
    this.#keepFrom = o.keepFrom ?? 10_000;
    this.#ttlMs = o.ttlMs ?? 5000;
    this.#maxEntries = o.maxEntries ?? 500;
    this.#now = o.now ?? Date.now;
  }

  /** The count for `key`: a kept one younger than the TTL, one being counted right now, or `count()`. */
  async get(key: string, count: () => Promise<number>): Promise<number> {
    const now = this.#now();
    const kept = this.#entries.get(key);
    if (kept && now - kept.at < this.#ttlMs) return kept.count;
    const counting = count();
    this.#entries.delete(key);
    this.#entries.set(key, { at: now, count: counting });
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    try {
      const n = await counting;
      if (n < this.#keepFrom && this.#entries.get(key)?.count === counting) this.#entries.delete(key);
      return n;
    } catch (err) {
      if (this.#entries.get(key)?.count === counting) this.#entries.delete(key);
      throw err;
    }
  }
}
