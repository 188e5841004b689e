// All SQL of the mail outbox. The table is typed here rather than in db/schema.ts; callers pass the
// application's handle (or transaction) and it is narrowed to this module's view.
import type { Kysely } from 'kysely';
import type { Db } from '../db/database.ts';
import { findRow, updateRows } from '../db/queries.ts';
import { keysetAfter } from '../db/keyset.ts';

export type MailStatus = 'queued' | 'sent' | 'failed' | 'stored';

export interface MailOutboxTable {
  id: string;
  organization_id: string;
  kind: string;
  related_id: string | null;
  to_address: string;
  to_lower: string;
  subject: string;
  body_text: string;
  body_html: string | null;
  /** JSON array of StoredAttachment. */
  attachments: string;
  status: MailStatus;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  /** A single-use link token, encrypted, until the mail is sent; the body holds LINK_TOKEN_PLACEHOLDER. */
  link_token_enc: string | null;
}

export interface MailDB {
  mail_outbox: MailOutboxTable;
}

export type MailRow = MailOutboxTable;

const mail = (db: Db) => db as unknown as Kysely<MailDB>;

export async function insertMail(db: Db, row: MailRow): Promise<void> {
  await mail(db).insertInto('mail_outbox').values(row).execute();
}

export async function findMail(db: Db, organizationId: string, id: string): Promise<MailRow | undefined> {
  return findRow(mail(db), 'mail_outbox', { organization_id: organizationId, id });
}

/** For the send job, which knows only the id. */
export async function findMailById(db: Db, id: string): Promise<MailRow | undefined> {
  return findRow(mail(db), 'mail_outbox', { id });
}

export interface MailFilter {
  organizationId: string;
  toLower?: string;
  /** Keyset: strictly older than this (created_at, id). */
  before?: { createdAt: string; id: string };
}

export async function listMail(db: Db, f: MailFilter, limit: number): Promise<MailRow[]> {
  let q = mail(db).selectFrom('mail_outbox').selectAll().where('organization_id', '=', f.organizationId);
  if (f.toLower !== undefined) q = q.where('to_lower', '=', f.toLower);
  if (f.before) {
    const b = f.before;
    q = q.where(keysetAfter(['created_at', 'id'], '<', [b.createdAt, b.id]));
  }
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Takes the row for one send: only while it is queued and nobody else holds it. One conditional
 * UPDATE, so two workers racing for the same job cannot both win; the winner gets the fresh row.
 */
export async function claimMail(db: Db, id: string, now: string, lockedUntil: string): Promise<MailRow | undefined> {
  return mail(db)
    .updateTable('mail_outbox')
    .set({ locked_until: lockedUntil, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .returningAll()
    .executeTakeFirst();
}

/** Every state change after queueing goes through here, and only from `queued`: a finished row never changes. */
export async function updateQueuedMail(
  db: Db,
  id: string,
  patch: Partial<
    Pick<
      MailRow,
      | 'status'
      | 'attempts'
      | 'last_error'
      | 'locked_until'
      | 'attachments'
      | 'sent_at'
      | 'updated_at'
      | 'link_token_enc'
      | 'body_text'
      | 'body_html'
    >
  >,
): Promise<boolean> {
  return (await updateRows(mail(db), 'mail_outbox', { id, status: 'queued' }, patch)) === 1;
}

/** Queued rows about one thing (e.g. an import run), for sending them right away. */
export async function listQueuedMailIdsFor(db: Db, relatedId: string): Promise<string[]> {
  const rows = await mail(db)
    .selectFrom('mail_outbox')
    .select('id')
    .where('related_id', '=', relatedId)
    .where('status', '=', 'queued')
    .execute();
  return rows.map((r) => r.id);
}
