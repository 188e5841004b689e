// Adapts node:sqlite (built into Node, no native addon) to the interface Kysely's SqliteDialect expects.
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SqliteDialect,
  type SqliteDatabase,
  SqliteDriver,
  type SqliteStatement,
} from 'kysely';

/**
 * SQLite itself does not wait for another connection's write lock: node:sqlite would wait
 * synchronously, holding up the whole event loop (measured: the job queue's writes, each waiting
 * 20 ms at a time while an import's writer thread held the lock, held every API request up by hundreds
 * of milliseconds). WaitingConnection waits instead, asynchronously, while the process goes on.
 */
const SYNC_BUSY_MS = 0;
/** The whole wait for the write lock before a statement gives up with SQLITE_BUSY. */
const LOCK_WAIT_MS = 15_000;
const SQLITE_BUSY = 5;

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
    this.raw = new DatabaseSync(file, { timeout: SYNC_BUSY_MS });
    this.raw.exec('PRAGMA journal_mode = WAL');
    this.raw.exec('PRAGMA foreign_keys = ON');
    this.raw.exec('PRAGMA synchronous = NORMAL');
    // 16 MiB of page cache (default 2 MiB): imports touch a dozen indexes per user.
    this.raw.exec('PRAGMA cache_size = -16384');
    this.raw.exec('PRAGMA temp_store = MEMORY');
  }
  /**
   * Prepared statements are reused, least recently used first out: batch queries with IN lists and
   * multi-row inserts come in many lengths, and each prepared statement holds memory until it goes.
   */
  prepare(sql: string): SqliteStatement {
    // SQLite ends a transaction by itself on some errors (a full disk: SQLITE_FULL). Kysely's ROLLBACK
    // would then fail with "no transaction is active" and hide the error that caused it.
    if (/^\s*rollback\s*$/i.test(sql)) return this.#rollback;
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

const isBusy = (err: unknown) => (err as { errcode?: unknown } | null)?.errcode === SQLITE_BUSY;

/**
 * Statements that find the write lock taken wait for it here, without blocking the event loop, and
 * run again. Only a statement that did nothing is run again: SQLITE_BUSY comes from `begin immediate`
 * or a statement outside a transaction; inside one the lock is already held.
 */
class WaitingConnection implements DatabaseConnection {
  readonly #inner: DatabaseConnection;
  constructor(inner: DatabaseConnection) {
    this.#inner = inner;
  }
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    for (let waited = 0, pause = 1; ; waited += pause, pause = Math.min(pause * 2, 25)) {
      try {
        return await this.#inner.executeQuery<R>(query);
      } catch (err) {
        if (!isBusy(err) || waited >= LOCK_WAIT_MS) throw err;
      }
      await sleep(pause);
    }
  }
  streamQuery<R>(query: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    return this.#inner.streamQuery<R>(query, chunkSize);
  }
}

class NodeSqliteDriver extends SqliteDriver {
  #connection: WaitingConnection | undefined;
  /**
   * Every transaction takes the write lock when it begins, waiting (WaitingConnection) while another
   * connection holds it. An import's writer thread has a connection of its own, and a deferred
   * transaction that read before that thread committed could not upgrade to writing: SQLite answers
   * SQLITE_BUSY at once instead of waiting. Within one connection transactions are serialized anyway.
   */
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
  override async acquireConnection(): Promise<DatabaseConnection> {
    this.#connection ??= new WaitingConnection(await super.acquireConnection());
    return this.#connection;
  }
}

/** Kysely's SQLite dialect over node:sqlite, waiting for the write lock asynchronously (WaitingConnection). */
export class NodeSqliteDialect extends SqliteDialect {
  readonly #database: NodeSqliteDatabase;
  constructor(database: NodeSqliteDatabase) {
    super({ database });
    this.#database = database;
  }
  override createDriver(): Driver {
    return new NodeSqliteDriver({ database: this.#database });
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
