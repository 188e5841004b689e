// pg-boss's job table read directly, and pg-boss handed a Kysely transaction: the parts of the
// pg-boss adapter that are SQL rather than pg-boss's API.
import { CompiledQuery } from 'kysely';
import type { Db as PgBossDb } from 'pg-boss';
import type { Database, Db } from '../db/database.ts';
import type { JobInfo, JobState } from './queue.ts';
import { emptyCounts } from './running.ts';

/** pg-boss keeps its tables in this schema. */
export const SCHEMA = 'pgboss';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const STATE: Record<string, JobState> = {
  created: 'queued',
  retry: 'queued',
  active: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** pg-boss's `db` option over a Kysely handle: statements run on the caller's transaction connection. */
export function kyselyExecutor(db: Db): PgBossDb {
  return {
    async executeSql(text: string, values?: unknown[]) {
      const result = await db.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: [...result.rows] };
    },
  };
}

/**
 * Reads go through our own pool to pg-boss's documented job table, so they neither need pg-boss
 * started nor a queue name (get() has only the id). Before pg-boss ever started there is no table.
 */
export async function readJobTable(database: Database, text: string, values: unknown[]): Promise<unknown[]> {
  try {
    return (await kyselyExecutor(database.db).executeSql(text, values)).rows;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42P01' || code === '3F000') return [];
    throw err;
  }
}

export async function readCounts(database: Database, name?: string): Promise<Record<JobState, number>> {
  const rows = await readJobTable(
    database,
    `SELECT state::text AS state, count(*)::int AS n FROM ${SCHEMA}.job ${name === undefined ? '' : 'WHERE name = $1'} GROUP BY state`,
    name === undefined ? [] : [name],
  );
  const out = emptyCounts();
  for (const r of rows as Array<{ state: string; n: number }>) {
    const s = STATE[r.state];
    if (s) out[s] += Number(r.n);
  }
  return out;
}

interface JobRow {
  id: string;
  name: string;
  state: string;
  retry_count: number;
  started_on: Date | null;
  output: unknown;
  data: unknown;
}

export async function jobInfo(database: Database, id: string): Promise<JobInfo | undefined> {
  if (!UUID_RE.test(id)) return undefined;
  const rows = await readJobTable(
    database,
    `SELECT id, name, state::text AS state, retry_count, started_on, output, data FROM ${SCHEMA}.job WHERE id = $1::uuid`,
    [id],
  );
  const row = rows[0] as JobRow | undefined;
  if (!row) return undefined;
  const state = STATE[row.state] ?? 'queued';
  return {
    id: row.id,
    name: row.name,
    state,
    // retry_count goes up on each claim after the first.
    attempts: row.started_on ? row.retry_count + 1 : 0,
    lastError: state === 'completed' ? null : outputMessage(row.output),
    payload: row.data,
  };
}

/** pg-boss stores a failure as the error object, or as { value } for strings and its own timeouts. */
function outputMessage(output: unknown): string | null {
  if (!output || typeof output !== 'object') return null;
  const o = output as { message?: unknown; value?: unknown };
  if (typeof o.message === 'string') return o.message;
  if (typeof o.value === 'string') return o.value;
  if (o.value && typeof o.value === 'object' && typeof (o.value as { message?: unknown }).message === 'string')
    return (o.value as { message: string }).message;
  return null;
}
