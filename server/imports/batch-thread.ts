// The SQLite writer thread of an import run (see batch-writer.ts): its own connection to the database
// file, one transaction per batch, nothing else. A batch arrives as a few UTF-8 JSON buffers (moved,
// not copied) and is parsed here, so the rows it becomes never weigh on the main thread's heap, and the
// main thread's event loop keeps fetching pages and answering requests while SQLite writes.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/database.ts';
import { type BatchContext, processBatch } from './batch.ts';
import type { Candidate } from './candidate.ts';
import type { ThreadData, ThreadReply, ThreadRequest } from './batch-writer.ts';
import { dryRunStateOf } from './dry-run-state.ts';

const { file, ctx } = workerData as ThreadData & { ctx: BatchContext };
const database = openDatabase(`sqlite:${file}`);
const decoder = new TextDecoder();
// A dry run's state from batch to batch (dry-run-state.ts), loaded before the first from the results written before the thread started.
const dry = dryRunStateOf(ctx.run);

/** What the main thread needs of an error: node:sqlite's codes do not survive structured cloning. */
function plain(err: unknown): ThreadReply['error'] {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & { code?: unknown; errcode?: unknown; errstr?: unknown };
  return {
    name: e.name,
    message: e.message,
    stack: e.stack,
    code: typeof e.code === 'string' ? e.code : undefined,
    errcode: typeof e.errcode === 'number' ? e.errcode : undefined,
    errstr: typeof e.errstr === 'string' ? e.errstr : undefined,
  };
}

async function handle(msg: ThreadRequest): Promise<ThreadReply> {
  try {
    const candidates = msg.payload.flatMap((part) => JSON.parse(decoder.decode(part)) as Candidate[]);
    const outcome = await database.db.transaction().execute((trx) => processBatch(trx, ctx, candidates, msg.firstSeq, msg.now, dry));
    return { id: msg.id, outcome };
  } catch (err) {
    return { id: msg.id, error: plain(err) };
  }
}

// One batch at a time: the main thread sends the next only after this one's reply.
parentPort!.on('message', (msg: ThreadRequest | 'close') => {
  if (msg === 'close') {
    void database.close().finally(() => parentPort!.close());
    return;
  }
  void handle(msg).then((reply) => parentPort!.postMessage(reply));
});
