// Frozen: never import application code here. Account registration: activation links (stored only as
// SHA-256 hashes), bulk activation-email sends, and the sessions of users signed in to their portal.
import type { Kysely } from 'kysely';
import * as col from './columns.ts';
import { createIndex, createPartialIndex } from './support.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('activation_email_batches')
    .$call(col.idAndOrganization)
    // mode: 'ids' (selection: JSON array, sorted) or 'filter' (selection: JSON of the list filter).
    .$call(col.requiredText('status', 'mode', 'selection'))
    .$call(col.requiredInteger('total'))
    .$call(col.counters('queued', 'skipped'))
    // JSON array of {id, reason, message}, capped: the count above is exact.
    .$call(col.jsonList('skipped_items'))
    // The last user id handled: users are taken in id order, so a resumed job goes on from here.
    .$call(col.optionalText('cursor'))
    .$call(col.initiatedBy)
    .$call(col.optionalText('client_ip', 'error'))
    .$call(col.runTimes)
    .$call(col.requiredText('updated_at'))
    .execute();

  await db.schema
    .createTable('user_activation_tokens')
    .$call(col.idAndOrganization)
    // A deleted user takes his links with him: they then answer like any unknown link.
    .$call(col.ownedBy('user_id', 'users'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .$call(col.requiredText('sent_to', 'sent_by_type'))
    .$call(col.optionalText('sent_by_id'))
    .addColumn('batch_id', 'text', (c) => c.references('activation_email_batches.id').onDelete('set null'))
    .$call(col.singleUseLife)
    // Set when a newer email, or a password set some other way, makes the link void.
    .$call(col.optionalText('revoked_at'))
    .execute();
  // Per-user rate limit and "a newer email voids the older link" both look up a user's recent links.
  await createIndex(db, 'user_activation_tokens_user_idx', 'user_activation_tokens', ['user_id', 'created_at']);
  // At most one live link per user, even when two sends race.
  const live = '"used_at" is null and "revoked_at" is null';
  await createPartialIndex(db, 'user_activation_tokens_live_uq', 'user_activation_tokens', 'user_id', live, { unique: true });

  await db.schema
    .createTable('user_sessions')
    .$call(col.id) // sha256 of the cookie value
    .$call(col.organization)
    .$call(col.ownedBy('user_id', 'users'))
    .$call(col.sessionLife)
    .execute();
  await createIndex(db, 'user_sessions_user_idx', 'user_sessions', 'user_id');
  await createIndex(db, 'user_sessions_expires_idx', 'user_sessions', 'expires_at');
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('user_sessions').execute();
  await db.schema.dropTable('user_activation_tokens').execute();
  await db.schema.dropTable('activation_email_batches').execute();
}
