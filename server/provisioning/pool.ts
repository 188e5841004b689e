// Runs operations concurrently, at most `limit` at once, pulling them batch by batch from an async
// source (the next batch is fetched while the current one runs). The SCIM client's shared semaphore
// and rate limiter still bound the HTTP requests; this only keeps enough work in front of them.
// Once `signal` aborts no new operation starts, and what was never started is handed back.

export interface PoolResult<T> {
  /** Items taken from the source but never started (the signal aborted first). */
  notStarted: T[];
  /** The rest of the source, not yet read. */
  rest: AsyncIterator<T[]>;
}

export async function runPool<T>(
  source: AsyncIterable<T[]>,
  limit: number,
  signal: AbortSignal,
  run: (item: T) => Promise<void>,
  /** Start loading the next batch when fewer items than this are left (loading takes a few queries). */
  prefetchBelow = limit * 4,
): Promise<PoolResult<T>> {
  const iterator = source[Symbol.asyncIterator]();
  const buffer: T[] = [];
  let exhausted = false;
  let pulling: Promise<void> | undefined;
  let failure: unknown;

  const pull = (): Promise<void> => {
    pulling ??= (async () => {
      try {
        const next = await iterator.next();
        if (next.done) exhausted = true;
        else buffer.push(...next.value);
      } finally {
        pulling = undefined;
      }
    })();
    return pulling;
  };

  const take = async (): Promise<T | undefined> => {
    while (buffer.length === 0 && !exhausted) await pull();
    const item = buffer.shift();
    // Prefetch: the next batch loads while this one runs.
    if (buffer.length < prefetchBelow && !exhausted && !signal.aborted)
      void pull().catch((err: unknown) => {
        failure ??= err;
      });
    return item;
  };

  const worker = async () => {
    while (!signal.aborted && failure === undefined) {
      const item = await take();
      if (item === undefined || signal.aborted) {
        if (item !== undefined) buffer.unshift(item);
        return;
      }
      await run(item);
    }
  };

  const results = await Promise.allSettled(Array.from({ length: Math.max(1, limit) }, worker));
  if (pulling) await pulling.catch(() => {});
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  if (failure !== undefined) throw failure;
  return { notStarted: buffer.splice(0), rest: iterator };
}

/** Everything left in an iterator, flattened. */
export async function drain<T>(iterator: AsyncIterator<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (;;) {
    const next = await iterator.next();
    if (next.done) return out;
    out.push(...next.value);
  }
}

export async function* batchesOf<T>(items: T[], size: number): AsyncGenerator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
