// The job queue for a database: the embedded queue on SQLite, pg-boss on PostgreSQL (queue.ts is the port).
import type { Database } from '../db/database.ts';
import { EmbeddedJobQueue } from './embedded.ts';
import { PgBossJobQueue } from './pgboss.ts';
import type { CreateJobQueueOptions, JobQueue } from './queue.ts';

export function createJobQueue(database: Database, options: CreateJobQueueOptions = {}): JobQueue {
  const kind = options.kind ?? (database.dialect === 'sqlite' ? 'embedded' : 'pg-boss');
  if (kind === 'embedded') return new EmbeddedJobQueue(database, options);
  if (database.dialect !== 'postgres') throw new Error('The pg-boss job queue needs PostgreSQL');
  if (!options.connectionString) throw new Error('The pg-boss job queue needs options.connectionString');
  return new PgBossJobQueue(database, { ...options, connectionString: options.connectionString });
}
