// PostgreSQL LISTEN/NOTIFY: a signal from one process reaches every other within milliseconds.
// `notify` runs in the caller's transaction (PostgreSQL delivers it at commit, and never when the
// transaction rolls back); on SQLite it does nothing (one server process). `PgListener` keeps one
// dedicated connection listening, and reconnects after PostgreSQL restarts; notices sent while it was
// away are lost, so `onReconnect` lets the owner re-check what it may have missed.
import { PostgresAdapter, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../shared/logger.ts';
import type { Db } from './database.ts';

export async function notify(db: Db, channel: string, payload: string): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`select pg_notify(${channel}, ${payload})`.execute(db);
}

export interface PgListenerOptions {
  url: string;
  channel: string;
  onNotify: (payload: string) => void;
  /** After every reconnection (not the first connection). */
  onReconnect?: () => void;
  logger?: Pick<Logger, 'warn'>;
  /** Longest wait between reconnection attempts. */
  maxBackoffMs?: number;
}

export class PgListener {
  readonly #o: PgListenerOptions;
  #client: pg.Client | undefined;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;

  constructor(options: PgListenerOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`invalid channel name: ${options.channel}`);
    this.#o = options;
  }

  /** Resolves once listening (the first connection must work: a process that cannot listen should not start). */
  async start(): Promise<void> {
    await this.#connect();
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#o.url });
    client.on('notification', (n) => {
      if (n.channel === this.#o.channel && n.payload) this.#o.onNotify(n.payload);
    });
    client.on('error', (err) => {
      this.#o.logger?.warn({ err: err.message }, 'LISTEN connection failed; reconnecting');
      this.#lost(client);
    });
    client.on('end', () => this.#lost(client));
    await client.connect();
    await client.query(`LISTEN ${this.#o.channel}`);
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = undefined;
    client.end().catch(() => {});
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed || this.#timer) return;
    const delay = Math.min(this.#o.maxBackoffMs ?? 10_000, 100 * 2 ** Math.min(this.#attempt++, 10));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connect().then(
        () => {
          this.#attempt = 0;
          this.#o.onReconnect?.();
        },
        () => this.#schedule(),
      );
    }, delay);
    this.#timer.unref();
  }

  get listening(): boolean {
    return this.#client !== undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }
}
