// Writes an import's batches. The next page is fetched and mapped while this batch is written; with
// PostgreSQL's asynchronous driver that overlaps for real. (A worker thread for SQLite was measured:
// it doubled memory for about 10% less time, because the writes themselves are the bottleneck.)
import type { Database } from '../db/database.ts';
import { type BatchContext, processBatch } from './batch.ts';
import type { Candidate } from './candidate.ts';

export interface BatchWriter {
  /** Resolves with how many remote users the batch answered, once it has committed. */
  write(candidates: Candidate[], firstSeq: number, now: string): Promise<number>;
}

export function batchWriter(database: Database, ctx: BatchContext): BatchWriter {
  return {
    write: (candidates, firstSeq, now) => database.db.transaction().execute((trx) => processBatch(trx, ctx, candidates, firstSeq, now)),
  };
}
