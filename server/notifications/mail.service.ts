// The outbox: queueMail() writes the row and its send job in the caller's transaction, so a change
// and the email about it commit (or roll back) together. Reading the outbox for the API.
import type { DbContext } from '../db/context.ts';
import { z } from 'zod';
import { type Db, inTransaction } from '../db/database.ts';
import { type Clock, isoNow } from '../shared/clock.ts';
import { decryptSecret, encryptSecret } from '../shared/crypto.ts';
import { decodeCursor, keysetPage } from '../shared/cursor.ts';
import { AppError, notFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { type MailAttachmentInput, type StoredAttachment, toStoredAttachments } from './attachments.ts';
import { type MailFilter, type MailRow, type MailStatus, findMail, insertMail, listMail } from './mail.repository.ts';
import { oneLine } from './templates.ts';

/**
 * The job queue as this module needs it; the jobs module's JobQueue is structurally compatible.
 * enqueue must write through `db`, so the job commits with the caller's transaction.
 */
export interface MailQueue {
  enqueue<P extends object>(
    db: Db,
    name: string,
    payload: P,
    options?: { maxAttempts?: number; backoffMs?: number; singletonKey?: string; runAt?: Date; organizationId?: string },
  ): Promise<string>;
}

export const MAIL_SEND_JOB = 'mail.send';
/** With the queue's backoff (base * 2^(attempt-1), capped at 1 h) the retries span about 3 hours of SMTP outage. */
export const MAIL_MAX_ATTEMPTS = 10;
const MAIL_BACKOFF_MS = 30_000;

export interface MailSendPayload {
  mailId: string;
}

export interface QueueMailInput {
  organizationId: string;
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  /** What the mail is about, e.g. import_completed. */
  kind: string;
  /** The thing it is about, e.g. the import run id. */
  relatedId?: string | null;
  attachments?: MailAttachmentInput[];
  /**
   * A single-use token that appears in the text (a link). It is never stored in the body: the body
   * keeps a placeholder and the token is stored encrypted (needs options.secretKey) until the mail is
   * sent, then cleared.
   */
  linkToken?: string;
}

/** Stands for the link token in a stored body (shown as [hidden] in the outbox like any link token). */
const LINK_TOKEN_PLACEHOLDER = '[link-token]';
const linkTokenAad = (mailId: string) => `mail_outbox:${mailId}:link_token`;

/** The body as sent: the placeholder replaced by the decrypted token. */
export function withLinkToken(row: Pick<MailRow, 'id' | 'link_token_enc'>, body: string, secretKey: Buffer | undefined): string {
  if (row.link_token_enc === null) return body;
  if (!secretKey) throw new Error('mail holds a link token but no secret key was given to send it');
  return body.split(LINK_TOKEN_PLACEHOLDER).join(decryptSecret(secretKey, row.link_token_enc, linkTokenAad(row.id)));
}

export interface OutboxMail {
  id: string;
  kind: string;
  relatedId?: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  status: MailStatus;
  attempts: number;
  lastError?: string;
  createdAt: string;
  sentAt?: string;
  attachments: Array<{ filename: string; contentType: string; size?: number }>;
}

const MAX_BODY = 1024 * 1024;

const inputSchema = z.object({
  organizationId: z.string().min(1),
  // One bare address, no display name or list (a comma would add recipients). Looser than z.email on
  // purpose: an odd but deliverable address must not roll back the caller's transaction; SMTP decides.
  to: z
    .string()
    .trim()
    .max(320)
    .regex(/^[^\s@<>,;:"()\[\]\\]+@[^\s@<>,;:"()\[\]\\]+$/, 'must be one email address'),
  subject: z.string().min(1).max(1000),
  text: z.string().min(1).max(MAX_BODY),
  html: z.string().max(MAX_BODY).nullish(),
  kind: z.string().regex(/^[a-z0-9_.-]{1,100}$/, 'lower-case letters, digits, _ . -'),
  relatedId: z.string().max(200).nullish(),
});

/**
 * Writes the outbox row and enqueues its `mail.send` job through `db`: pass the caller's transaction
 * so both commit with the change that caused the mail (a plain handle gets a transaction of its own).
 */
export async function queueMail(
  db: Db,
  queue: MailQueue,
  message: QueueMailInput,
  options: { clock?: Clock; maxAttempts?: number; secretKey?: Buffer } = {},
): Promise<OutboxMail> {
  const parsed = inputSchema.safeParse(message);
  if (!parsed.success) {
    throw new AppError(
      'MAIL_INVALID',
      500,
      `Mail not queued: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const m = parsed.data;
  const now = isoNow(options.clock);
  const maxAttempts = options.maxAttempts ?? MAIL_MAX_ATTEMPTS;
  const id = newId();
  const token = message.linkToken;
  if (token !== undefined && (!options.secretKey || token.length < 16))
    throw new AppError('MAIL_INVALID', 500, 'Mail not queued: a link token needs the secret key');
  const seal = (body: string) => (token === undefined ? body : body.split(token).join(LINK_TOKEN_PLACEHOLDER));
  const row: MailRow = {
    id,
    organization_id: m.organizationId,
    kind: m.kind,
    related_id: m.relatedId ?? null,
    to_address: m.to,
    to_lower: m.to.toLowerCase(),
    // Templates already give one line; other callers might not, and a header can't hold a newline.
    subject: oneLine(m.subject, 250),
    body_text: seal(m.text),
    body_html: m.html == null ? null : seal(m.html),
    link_token_enc: token === undefined ? null : encryptSecret(options.secretKey!, token, linkTokenAad(id)),
    attachments: JSON.stringify(toStoredAttachments(message.attachments ?? [])),
    status: 'queued',
    attempts: 0,
    max_attempts: maxAttempts,
    last_error: null,
    locked_until: null,
    created_at: now,
    updated_at: now,
    sent_at: null,
  };
  await inTransaction(db, async (trx) => {
    await insertMail(trx, row);
    await queue.enqueue<MailSendPayload>(
      trx,
      MAIL_SEND_JOB,
      { mailId: row.id },
      { maxAttempts, backoffMs: MAIL_BACKOFF_MS, organizationId: row.organization_id },
    );
  });
  return toOutboxMail(row);
}

export function parseAttachments(json: string): StoredAttachment[] {
  return JSON.parse(json) as StoredAttachment[];
}

/**
 * Single-use links carry their token in the query string. The outbox (readable by read_only admins)
 * and the logs show the link without it: the token belongs to the recipient alone.
 */
export function hideLinkTokens(text: string): string {
  return text.replace(/([?&](?:token|code)=)[^\s"'&<>]+/gi, '$1[hidden]');
}

function toOutboxMail(r: MailRow): OutboxMail {
  const m: OutboxMail = {
    id: r.id,
    kind: r.kind,
    to: r.to_address,
    subject: r.subject,
    text: hideLinkTokens(r.body_text),
    status: r.status,
    attempts: r.attempts,
    createdAt: r.created_at,
    // Names only: inline content and references stay inside.
    attachments: parseAttachments(r.attachments).map((a) =>
      a.size === undefined
        ? { filename: a.filename, contentType: a.contentType }
        : { filename: a.filename, contentType: a.contentType, size: a.size },
    ),
  };
  if (r.related_id !== null) m.relatedId = r.related_id;
  if (r.body_html !== null) m.html = hideLinkTokens(r.body_html);
  if (r.last_error !== null) m.lastError = r.last_error;
  if (r.sent_at !== null) m.sentAt = r.sent_at;
  return m;
}

export interface OutboxQuery {
  organizationId: string;
  to?: string;
  limit: number;
  cursor?: string;
}

/** Newest first, keyset-paged. */
export async function listOutbox(ctx: Pick<DbContext, 'db'>, q: OutboxQuery): Promise<{ items: OutboxMail[]; nextCursor: string | null }> {
  let before: MailFilter['before'];
  if (q.cursor) {
    const [createdAt, id] = decodeCursor(q.cursor, ['string', 'string']) as [string, string];
    before = { createdAt, id };
  }
  const rows = await listMail(
    ctx.db,
    { organizationId: q.organizationId, toLower: q.to?.trim().toLowerCase() || undefined, before },
    q.limit + 1,
  );
  return keysetPage(rows, q.limit, toOutboxMail, (l) => [l.created_at, l.id]);
}

export async function getOutboxMail(ctx: Pick<DbContext, 'db'>, organizationId: string, id: string): Promise<OutboxMail> {
  const row = await findMail(ctx.db, organizationId, id);
  if (!row) throw notFound('Mail', id);
  return toOutboxMail(row);
}
