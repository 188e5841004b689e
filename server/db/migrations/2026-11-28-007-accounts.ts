// Frozen: never import application code here. Account registration: activation links (stored only as
// SHA-256 hashes), bulk activation-email sends, and the sessions of users signed in to their portal.
import { type Kysely, sql } from 'kysely';
import { createIndex, idAndOrganization, initiatedBy, organization, runTimes, sessionLife } from './support.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('activation_email_batches')
    .$call(idAndOrganization)
    .addColumn('status', 'text', (c) => c.notNull())
    // 'ids' (selection: JSON array, sorted) or 'filter' (selection: JSON of the list filter).
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('selection', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('queued', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    // JSON array of {id, reason, message}, capped: the count above is exact.
    .addColumn('skipped_items', 'text', (c) => c.notNull().defaultTo('[]'))
    // The last user id handled: users are taken in id order, so a resumed job goes on from here.
    .addColumn('cursor', 'text')
    .$call(initiatedBy)
    .addColumn('client_ip', 'text')
    .addColumn('error', 'text')
    .$call(runTimes)
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('user_activation_tokens')
    .$call(idAndOrganization)
    // A deleted user takes his links with him: they then answer like any unknown link.
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('sent_to', 'text', (c) => c.notNull())
    .addColumn('sent_by_type', 'text', (c) => c.notNull())
    .addColumn('sent_by_id', 'text')
    .addColumn('batch_id', 'text', (c) => c.references('activation_email_batches.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    // Set when a newer email, or a password set some other way, makes the link void.
    .addColumn('revoked_at', 'text')
    .execute();
  // Per-user rate limit and "a newer email voids the older link" both look up a user's recent links.
  await createIndex(db, 'user_activation_tokens_user_idx', 'user_activation_tokens', ['user_id', 'created_at']);
  // At most one live link per user, even when two sends race.
  await db.schema
    .createIndex('user_activation_tokens_live_uq')
    .on('user_activation_tokens')
    .column('user_id')
    .unique()
    .where(sql.ref('used_at'), 'is', null)
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('user_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey()) // sha256 of the cookie value
    .$call(organization)
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .$call(sessionLife)
    .execute();
  await createIndex(db, 'user_sessions_user_idx', 'user_sessions', 'user_id');
  await createIndex(db, 'user_sessions_expires_idx', 'user_sessions', 'expires_at');
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('user_sessions').execute();
  await db.schema.dropTable('user_activation_tokens').execute();
  await db.schema.dropTable('activation_email_batches').execute();
}
