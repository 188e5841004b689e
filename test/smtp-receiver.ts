// Test helper: a real SMTP server (smtp-server) on 127.0.0.1 that keeps what it receives, can refuse
// with any reply code, and can stop and start again on the same port; plus a small MIME reader.
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

/** Splits a raw message into its leaf parts (multipart flattened), bodies decoded. */
export function parseMime(raw: string): { headers: Record<string, string>; parts: MimePart[] } {
  const { headers, body } = splitHead(raw);
  return { headers, parts: leaves(headers, body) };
}

function splitHead(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const head = at === -1 ? raw : raw.slice(0, at);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = decodeWords(line.slice(i + 1).trim());
  }
  return { headers, body: at === -1 ? '' : raw.slice(at + 4) };
}

function leaves(headers: Record<string, string>, body: string): MimePart[] {
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const sections = body.split(`--${boundary}`).slice(1);
    return sections
      .filter((s) => !s.startsWith('--'))
      .flatMap((s) => {
        const part = splitHead(s.replace(/^\r\n/, ''));
        return leaves(part.headers, part.body);
      });
  }
  const cte = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const bytes =
    cte === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
      : cte === 'quoted-printable'
        ? quotedPrintable(body)
        : Buffer.from(body.replace(/\r\n$/, ''), 'latin1');
  return [{ headers, bytes, text: bytes.toString('utf8') }];
}

function quotedPrintable(body: string): Buffer {
  const s = body.replace(/=\r\n/g, '').replace(/\r\n$/, '');
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-F]{2}$/i.test(s.slice(i + 1, i + 3))) {
      out.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(s.charCodeAt(i));
    }
  }
  return Buffer.from(out);
}

/** RFC 2047 encoded words in headers (non-ASCII subjects and file names). */
function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=\s*(?==\?)?/gi, (_m, _charset: string, enc: string, data: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : quotedPrintable(data.replace(/_/g, ' ')).toString('utf8'),
  );
}
