// Frozen: never import application code here. The mail outbox: every email Roster sends or stores.
import type { Kysely } from 'kysely';
import * as col from './columns.ts';
import { createIndex } from './support.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mail_outbox')
    .$call(col.idAndOrganization)
    // What the mail is about (import_completed, ...) and the thing it is about (an import run id).
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('related_id', 'text')
    // Not `to`/`text`/`html`: TO is reserved in SQL and text is a type name; hand-written SQL stays easy.
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('to_lower', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text')
    // JSON array: small attachments inline (base64), large ones by reference, resolved at send time.
    .addColumn('attachments', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // The same number the send job was enqueued with: the handler knows its last attempt from the row.
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    // A worker that is sending holds the row until then, so a job delivered twice at once sends once.
    .addColumn('locked_until', 'text')
    .$call(col.createdAndUpdated)
    .addColumn('sent_at', 'text')
    .execute();
  // The outbox is listed newest first; ids are UUIDv7 so (created_at, id) is a stable keyset.
  await createIndex(db, 'mail_outbox_org_created_idx', 'mail_outbox', ['organization_id', 'created_at', 'id']);
  await createIndex(db, 'mail_outbox_org_to_idx', 'mail_outbox', ['organization_id', 'to_lower', 'created_at', 'id']);
  await createIndex(db, 'mail_outbox_related_idx', 'mail_outbox', ['organization_id', 'related_id']);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mail_outbox').execute();
}
