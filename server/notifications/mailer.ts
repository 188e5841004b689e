// The SMTP side: one pooled nodemailer transport per SMTP_URL, kept by the process's MailTransports
// (deps.mail.transports) and made on first use, so the API role, and a process without SMTP_URL,
// never opens a connection.
import nodemailer, { type SendMailOptions } from 'nodemailer';

/** What the send job needs from a transport; nodemailer's Transporter satisfies it. */
export interface MailTransport {
  sendMail(message: SendMailOptions): Promise<unknown>;
}

interface PooledTransport extends MailTransport {
  close(): void;
}

// Defaults that the operator can still override in SMTP_URL's query (?maxConnections=5&tls.rejectUnauthorized=false).
const POOL_DEFAULTS: Record<string, string> = {
  pool: 'true',
  maxConnections: '2',
  // A dead SMTP server must fail the attempt quickly (the queue retries) rather than hold a worker.
  connectionTimeout: '20000',
  greetingTimeout: '20000',
  socketTimeout: '60000',
};

export function createMailTransport(smtpUrl: string): PooledTransport {
  const url = new URL(smtpUrl);
  for (const [k, v] of Object.entries(POOL_DEFAULTS)) if (!url.searchParams.has(k)) url.searchParams.set(k, v);
  return nodemailer.createTransport(url.toString());
}

/** The pooled transports of one process (one Deps), by SMTP URL. */
export class MailTransports {
  readonly #pools = new Map<string, PooledTransport>();

  /** The pooled transport for this SMTP URL, created lazily. */
  get(smtpUrl: string): MailTransport {
    let t = this.#pools.get(smtpUrl);
    if (!t) {
      t = createMailTransport(smtpUrl);
      this.#pools.set(smtpUrl, t);
    }
    return t;
  }

  /** Closes the pooled connections (process stop, tests). A later send opens a new pool. */
  close(): void {
    for (const t of this.#pools.values()) t.close();
    this.#pools.clear();
  }
}

/** Removes the SMTP password from an error message before it is stored or logged. */
export function scrubSmtpSecret(message: string, smtpUrl: string | undefined): string {
  if (!smtpUrl) return message;
  try {
    const pass = decodeURIComponent(new URL(smtpUrl).password);
    return pass.length >= 3 ? message.split(pass).join('***') : message;
  } catch {
    return message;
  }
}

/** The domain of MAIL_FROM, for Message-IDs. */
export function senderDomain(mailFrom: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(mailFrom);
  return m ? m[1].toLowerCase() : 'roster.invalid';
}
