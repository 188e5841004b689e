// Test helper: a real SMTP server (smtp-server) on 127.0.0.1 that keeps what it receives, can refuse
// with any reply code, and can stop and start again on the same port; messages are read with mailparser.
import { type HeaderValue, simpleParser, type StructuredHeader } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  user?: string;
  raw: string;
}

export class SmtpReceiver {
  readonly messages: ReceivedMail[] = [];
  /** When set, RCPT TO is answered with this code (4xx: try later, 5xx: refused for good). */
  refuse: { code: number; message: string } | undefined;
  /** Milliseconds to hold each DATA before accepting it, so concurrent sends overlap. */
  dataDelayMs = 0;
  port = 0;
  #server: SMTPServer | undefined;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // Pooled client connections must not hold stop() for the default 30 s.
      closeTimeout: 50,
      onAuth: (auth, _session, cb) => cb(null, { user: auth.username }),
      onRcptTo: (_address, _session, cb) => {
        if (!this.refuse) return cb();
        const err = new Error(this.refuse.message) as Error & { responseCode: number };
        err.responseCode = this.refuse.code;
        cb(err);
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          setTimeout(() => {
            this.messages.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              user: session.user,
              raw: Buffer.concat(chunks).toString('latin1'),
            });
            cb();
          }, this.dataDelayMs);
        });
      },
    });
    server.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.server.address() as { port: number }).port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export interface MimePart {
  headers: Record<string, string>;
  bytes: Buffer;
  text: string;
}

/**
 * One header as text: addresses as written, structured values (Content-Type) with their
 * parameters, the combined List-* headers as JSON.
 */
function headerText(value: HeaderValue): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toUTCString();
  if (Array.isArray(value)) return value.map(headerText).join(', ');
  if ('html' in value && typeof value.text === 'string') return value.text;
  if ('params' in value && typeof value.value === 'string') {
    const { params } = value as StructuredHeader;
    return [value.value, ...Object.entries(params).map(([name, param]) => `${name}="${param}"`)].join('; ');
  }
  return JSON.stringify(value);
}

function headerRecord(headers: Map<string, HeaderValue>): Record<string, string> {
  return Object.fromEntries([...headers].map(([name, value]) => [name, headerText(value)]));
}

function bodyPart(contentType: string, text: string): MimePart {
  return { headers: { 'content-type': `${contentType}; charset=utf-8` }, bytes: Buffer.from(text, 'utf8'), text };
}

/**
 * A raw message read by mailparser: its headers (decoded) and its leaf parts, the text body, the
 * HTML body, then the attachments (with their own headers), each decoded.
 */
export async function parseMime(raw: string): Promise<{ headers: Record<string, string>; parts: MimePart[] }> {
  const mail = await simpleParser(Buffer.from(raw, 'latin1'));
  const parts: MimePart[] = [];
  if (mail.text !== undefined) parts.push(bodyPart('text/plain', mail.text));
  if (typeof mail.html === 'string') parts.push(bodyPart('text/html', mail.html));
  for (const attachment of mail.attachments) {
    parts.push({ headers: headerRecord(attachment.headers), bytes: attachment.content, text: attachment.content.toString('utf8') });
  }
  return { headers: headerRecord(mail.headers), parts };
}
