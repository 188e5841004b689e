// Frozen: never import application code here. Admin MFA (TOTP): one factor per admin (pending until the
// first code confirms it), the short-lived sign-in challenges between password and code, and the
// organization setting that requires MFA of every admin.
import type { Kysely } from 'kysely';
import * as col from './columns.ts';
import { createIndex } from './support.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('organizations')
    .addColumn('require_admin_mfa', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('admin_mfa')
    .addColumn('admin_id', 'text', (c) => c.primaryKey().references('admins.id').onDelete('cascade'))
    .$call(col.organization)
    .addColumn('secret_enc', 'text', (c) => c.notNull()) // AES-GCM, bound to the admin id
    .addColumn('recovery_code_hashes', 'text', (c) => c.notNull()) // JSON array of SHA-256 hex, used ones removed
    .addColumn('last_used_step', 'integer') // the last accepted TOTP time step: a code works once
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('enabled_at', 'text') // null while the enrolment waits for its first code
    .execute();

  await db.schema
    .createTable('admin_mfa_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey()) // SHA-256 of the pending cookie's value
    .$call(col.organization)
    .addColumn('admin_id', 'text', (c) => c.notNull().references('admins.id').onDelete('cascade'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('client_ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await createIndex(db, 'admin_mfa_challenges_expires_idx', 'admin_mfa_challenges', 'expires_at');
}
