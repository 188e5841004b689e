// Adapts node:sqlite (built into Node, no native addon) to the interface Kysely's SqliteDialect expects.
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

function toParams(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map((p) => {
    if (typeof p === 'boolean') return p ? 1 : 0;
    if (p === undefined) return null;
    if (p instanceof Date) return p.toISOString();
    return p as SQLInputValue;
  });
}

class Statement implements SqliteStatement {
  readonly reader: boolean;
  readonly #stmt: StatementSync;
  constructor(stmt: StatementSync) {
    this.#stmt = stmt;
    this.reader = stmt.columns().length > 0;
  }
  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.#stmt.all(...toParams(parameters));
  }
  run(parameters: ReadonlyArray<unknown>) {
    const r = this.#stmt.run(...toParams(parameters));
    return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
  }
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.#stmt.iterate(...toParams(parameters)) as IterableIterator<unknown>;
  }
}

const STATEMENT_CACHE_SIZE = 128;

export class NodeSqliteDatabase implements SqliteDatabase {
  readonly raw: DatabaseSync;
  readonly #cache = new Map<string, Statement>();
  readonly #rollback: SqliteStatement = {
    reader: false,
    all: () => [],
    iterate: () => [][Symbol.iterator](),
    run: () => {
      if (this.raw.isTransaction) this.raw.exec('ROLLBACK');
      return { changes: 0, lastInsertRowid: 0 };
    },
  };
  constructor(file: string) {
    this.raw = new DatabaseSync(file, { timeout: 5000 });
    this.raw.exec('PRAGMA journal_mode = WAL');
    this.raw.exec('PRAGMA foreign_keys = ON');
    this.raw.exec('PRAGMA synchronous = NORMAL');
    this.raw.exec('PRAGMA busy_timeout = 5000');
    // 16 MiB of page cache (default 2 MiB): imports touch a dozen indexes per user.
    this.raw.exec('PRAGMA cache_size = -16384');
    this.raw.exec('PRAGMA temp_store = MEMORY');
  }
  /**
   * Prepared statements are reused, least recently used first out: batch queries with IN lists and
   * multi-row inserts come in many lengths, and each prepared statement holds memory until it goes.
   */
  prepare(query: string): SqliteStatement {
    // SQLite ends a transaction by itself on some errors (a full disk: SQLITE_FULL). Kysely's ROLLBACK
    // would then fail with "no transaction is active" and hide the error that caused it.
    if (/^\s*rollback\s*$/i.test(query)) return this.#rollback;
    // Every transaction takes the write lock when it begins, waiting (busy_timeout) while another
    // connection holds it. An import's writer thread has a connection of its own, and a deferred
    // transaction that read before that thread committed could not upgrade to writing: SQLite answers
    // SQLITE_BUSY at once instead of waiting. Within one connection transactions are serialized anyway.
    const sql = /^\s*begin\s*$/i.test(query) ? 'begin immediate' : query;
    let s = this.#cache.get(sql);
    if (s) {
      this.#cache.delete(sql);
    } else {
      s = new Statement(this.raw.prepare(sql));
      if (this.#cache.size >= STATEMENT_CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    }
    this.#cache.set(sql, s);
    return s;
  }
  close(): void {
    this.#cache.clear();
    if (this.raw.isOpen) this.raw.close();
  }
}

/** What the registry needs of a query builder (Kysely or a transaction): the adapter they share. */
interface HasAdapter {
  getExecutor(): { adapter: object };
}

/** SQLite connections by the query builder's adapter, which a Kysely instance shares with its transactions. */
const sqliteByAdapter = new WeakMap<object, NodeSqliteDatabase>();

export function registerSqlite(db: HasAdapter, connection: NodeSqliteDatabase): void {
  sqliteByAdapter.set(db.getExecutor().adapter, connection);
}

/** The node:sqlite connection under a query builder, when it runs on SQLite (insertRows' fast path). */
export function sqliteConnectionOf(db: HasAdapter): NodeSqliteDatabase | undefined {
  return sqliteByAdapter.get(db.getExecutor().adapter);
}
