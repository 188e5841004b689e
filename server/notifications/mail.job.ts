// The `mail.send` job: sends one outbox row over SMTP, or, without SMTP configured, keeps it as
// `stored` and logs it. Delivery is at least once: the row is the truth, so a job delivered again
// after the row left `queued` does nothing.
import type { Db } from '../db/database.ts';
import { type Clock, systemClock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { resolveAttachments } from './attachments.ts';
import { claimMail, findMailById, listQueuedMailIdsFor, type MailRow, updateQueuedMail } from './mail.repository.ts';
import { hideLinkTokens, type MailSendPayload, parseAttachments, withLinkToken } from './mail.service.ts';
import { getMailTransport, type MailTransport, scrubSmtpSecret, senderDomain } from './mailer.ts';

export interface MailSendDeps {
  db: Db;
  config: { smtpUrl?: string; mailFrom: string };
  logger: Logger;
  /** Defaults to the process-wide pooled transport for config.smtpUrl. */
  transport?: MailTransport;
  clock?: Clock;
  /** Decrypts the link token of mails that carry one (activation emails). */
  secretKey?: Buffer;
}

export interface MailJobContext {
  /** 1 on the first delivery of the job. */
  attempt: number;
  signal: AbortSignal;
}

/** Thrown so the queue retries later; the row stays `queued` (or is `failed` after the last attempt). */
export class MailSendError extends Error {
  readonly mailId: string;
  constructor(mailId: string, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'MailSendError';
    this.mailId = mailId;
  }
}

/**
 * Long enough for one SMTP conversation (nodemailer's socket timeout is 60 s of silence), short
 * enough that when a worker dies mid-send the queue's retries are turned away only a couple of times.
 */
const LOCK_MS = 2 * 60_000;
const MAX_ERROR = 1000;

export async function handleMailSendJob(deps: MailSendDeps, payload: MailSendPayload, ctx: MailJobContext): Promise<void> {
  const { db, config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const found = await findMailById(db, payload.mailId);
  if (!found) {
    // Only if the row was deleted: the job and the row are written in one transaction.
    logger.warn({ mailId: payload.mailId }, 'mail.send: no such outbox row');
    return;
  }
  if (found.status !== 'queued') return;

  const transport = deps.transport ?? (config.smtpUrl ? getMailTransport(config.smtpUrl) : undefined);
  if (!transport) {
    await keepStored(deps, found, clock.now().toISOString());
    return;
  }

  ctx.signal.throwIfAborted();
  const now = clock.now();
  const row = await claimMail(db, found.id, now.toISOString(), new Date(now.getTime() + LOCK_MS).toISOString());
  if (!row) {
    const current = await findMailById(db, found.id);
    if (current && current.status !== 'queued') return;
    // Another delivery of this job is sending right now; try again later rather than send twice.
    throw new MailSendError(found.id, `mail ${found.id} is being sent by another worker`);
  }

  const attempt = row.attempts + 1;
  let sizedAttachments: string;
  try {
    sizedAttachments = await send(deps, transport, row, ctx.signal);
  } catch (err) {
    // Returns only when the mail is failed for good; otherwise throws for the queue to retry.
    await recordFailure(deps, row, err, { attempt, jobAttempt: ctx.attempt, aborted: ctx.signal.aborted, at: clock.now().toISOString() });
    return;
  }
  // Outside the catch: the mail left, so a database error here must not count as a failed send.
  const sentAt = clock.now().toISOString();
  // The recipient has the link now: the token is cleared, and a body from before tokens were sealed is scrubbed.
  await updateQueuedMail(db, row.id, {
    status: 'sent',
    attempts: attempt,
    last_error: null,
    locked_until: null,
    attachments: sizedAttachments,
    sent_at: sentAt,
    updated_at: sentAt,
    link_token_enc: null,
    body_text: hideLinkTokens(row.body_text),
    body_html: row.body_html === null ? null : hideLinkTokens(row.body_html),
  });
  logger.info({ mailId: row.id, kind: row.kind, attempt }, 'mail sent');
}

/** Without SMTP: the row becomes `stored`, and the log has the mail. */
async function keepStored({ db, logger }: MailSendDeps, row: MailRow, now: string): Promise<void> {
  // Never sent, so its link token is of no use to anyone: dropped with the status change.
  if (await updateQueuedMail(db, row.id, { status: 'stored', locked_until: null, link_token_enc: null, updated_at: now })) {
    // The only copy outside the database, for setups without SMTP. Single-use link tokens stay out
    // of logs (without SMTP an admin sets the password instead). The HTML repeats the text.
    logger.info(
      {
        mail: {
          id: row.id,
          kind: row.kind,
          to: row.to_address,
          subject: row.subject,
          text: hideLinkTokens(row.body_text),
          attachments: parseAttachments(row.attachments).map((a) => a.filename),
        },
      },
      'mail stored in the outbox (SMTP_URL is not set)',
    );
  }
}

interface FailedSend {
  /** This send's number by the row's count. */
  attempt: number;
  /** The queue's count of deliveries of the job. */
  jobAttempt: number;
  aborted: boolean;
  at: string;
}

/** Records a send that failed; throws unless the mail is failed for good. */
async function recordFailure(
  deps: MailSendDeps,
  row: MailRow,
  err: unknown,
  { attempt, jobAttempt, aborted, at }: FailedSend,
): Promise<void> {
  const { db, config, logger } = deps;
  if (aborted) {
    // Shutting down: not the mail's fault, so no attempt is counted and the lock is let go.
    await updateQueuedMail(db, row.id, { locked_until: null, updated_at: at });
    throw err;
  }
  const message = errorText(err, config.smtpUrl);
  const permanent = isPermanent(err);
  // jobAttempt can run ahead of the row when a worker died mid-send; the row can run ahead when the
  // queue's count was reset. Either way the larger one decides.
  const last = permanent || Math.max(jobAttempt, attempt) >= row.max_attempts;
  await updateQueuedMail(db, row.id, {
    status: last ? 'failed' : 'queued',
    attempts: attempt,
    last_error: message,
    locked_until: null,
    updated_at: at,
    ...(last ? { link_token_enc: null } : {}),
  });
  const log = { mailId: row.id, kind: row.kind, attempt, maxAttempts: row.max_attempts, error: message };
  if (permanent) {
    // The server refused this message for good (5xx): retrying would be refused again.
    logger.error(log, 'mail refused by the SMTP server; marked failed');
    return;
  }
  if (last) logger.error(log, 'mail could not be sent; giving up');
  else logger.warn(log, 'mail could not be sent; will retry');
  throw new MailSendError(row.id, `mail ${row.id}: ${message}`, err);
}

/** Returns the attachments JSON with the sizes counted on the way out. */
async function send(deps: MailSendDeps, transport: MailTransport, row: MailRow, signal: AbortSignal): Promise<string> {
  const { db, config } = deps;
  const resolved = await resolveAttachments(db, parseAttachments(row.attachments), { organizationId: row.organization_id, mailId: row.id });
  try {
    // Once the SMTP conversation starts it runs to the end (bounded by the transport's timeouts):
    // walking away mid-send could leave a delivered mail marked queued and send it again.
    signal.throwIfAborted();
    await transport.sendMail({
      from: config.mailFrom,
      to: row.to_address,
      subject: row.subject,
      text: withLinkToken(row, row.body_text, deps.secretKey),
      ...(row.body_html !== null ? { html: withLinkToken(row, row.body_html, deps.secretKey) } : {}),
      attachments: resolved.attachments,
      // Stable across retries, so a receiving server can spot a duplicate of an at-least-once send.
      messageId: `<${row.id}@${senderDomain(config.mailFrom)}>`,
      headers: { 'X-Roster-Mail-Id': row.id, 'Auto-Submitted': 'auto-generated' },
    });
  } finally {
    resolved.dispose();
  }
  return JSON.stringify(resolved.withSizes());
}

function isPermanent(err: unknown): boolean {
  const e = err as { code?: string; responseCode?: number };
  if (e.code !== 'EENVELOPE' && e.code !== 'EMESSAGE') return false;
  return !(typeof e.responseCode === 'number' && e.responseCode >= 400 && e.responseCode < 500);
}

function errorText(err: unknown, smtpUrl: string | undefined): string {
  const e = err as { code?: string; message?: string };
  const text = `${e.code && !String(e.message).includes(e.code) ? `${e.code}: ` : ''}${e.message ?? String(err)}`;
  const clean = scrubSmtpSecret(text.replace(/\s+/g, ' ').trim(), smtpUrl);
  return clean.length > MAX_ERROR ? `${clean.slice(0, MAX_ERROR - 1)}…` : clean;
}

/**
 * Sends the queued mail about `relatedId` now, in this process (the CLI, which has no worker).
 * The queued jobs stay: they find the rows sent and do nothing. A failure is left to them.
 */
export async function deliverQueuedMailNow(deps: MailSendDeps, relatedId: string): Promise<void> {
  for (const mailId of await listQueuedMailIdsFor(deps.db, relatedId)) {
    try {
      await handleMailSendJob(deps, { mailId }, { attempt: 1, signal: AbortSignal.timeout(120_000) });
    } catch (err) {
      deps.logger.warn({ mailId, err: err instanceof Error ? err.message : String(err) }, 'mail not sent yet; the server retries it');
    }
  }
}
