// Frozen: never import application code here. Searching users (`q=`) is a substring match on
// search_text. Without an index that understands substrings PostgreSQL reads every user for each
// search (about 200 ms at 110,000 users, and most of the database's time under load); a trigram index
// answers a rare match in about 1 ms. pg_trgm ships with PostgreSQL and is a trusted extension (a
// database owner may create it); where it is missing or may not be created, searching stays a scan.
// SQLite has no counterpart here: it searches the covering username index (see users.repository.ts).
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  const { rows } = await sql<{ installed: boolean; available: boolean; may_create: boolean }>`
    SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') AS installed,
           EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') AS available,
           has_database_privilege(current_database(), 'CREATE') AS may_create`.execute(db);
  const s = rows[0];
  if (!s.installed && !(s.available && s.may_create)) return;
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
  await sql`CREATE INDEX users_search_trgm_idx ON users USING gin (search_text gin_trgm_ops)`.execute(db);
}
