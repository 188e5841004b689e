// Attachments. Small ones are stored in the outbox row; large ones (an import's results CSV can be
// 10+ MB) are stored as a reference and produced again at send time by the module that owns the data.
import { Readable } from 'node:stream';
import type { SendMailOptions } from 'nodemailer';
import type { Db } from '../db/database.ts';
import { AppError } from '../shared/errors.ts';

/** A JSON reference to attachment content, e.g. { kind: 'import-results-csv', runId }. */
export interface AttachmentSource {
  kind: string;
  [key: string]: unknown;
}

export type MailAttachmentInput =
  { filename: string; contentType: string; content: string | Buffer } | { filename: string; contentType: string; source: AttachmentSource };

/** As kept in mail_outbox.attachments. */
export interface StoredAttachment {
  filename: string;
  contentType: string;
  /** Bytes; known up front for inline content, recorded after sending for references. */
  size?: number;
  /** Base64 of inline content. */
  content?: string;
  source?: AttachmentSource;
}

export interface AttachmentContext {
  organizationId: string;
  mailId: string;
}

/** Produces the content of a referenced attachment; called once per send attempt. */
export type AttachmentResolver = (db: Db, source: AttachmentSource, context: AttachmentContext) => Promise<Readable | string | Buffer>;

/** Inline content is copied into the outbox row; anything bigger must go by reference. */
export const MAX_INLINE_ATTACHMENT_BYTES = 256 * 1024;

/** The resolvers of one process's mail, by source kind: deps.ts registers each owner's resolver once. */
export class AttachmentRegistry {
  readonly #resolvers = new Map<string, AttachmentResolver>();

  /** Registering a kind again replaces it. */
  register(kind: string, resolver: AttachmentResolver): this {
    this.#resolvers.set(kind, resolver);
    return this;
  }

  get(kind: string): AttachmentResolver | undefined {
    return this.#resolvers.get(kind);
  }
}

/** What resolving attachments needs: the handle to read through and the registered resolvers. */
export interface AttachmentsContext {
  db: Db;
  attachments: AttachmentRegistry;
}

const invalid = (message: string) => new AppError('MAIL_INVALID', 500, message);

export function toStoredAttachments(inputs: MailAttachmentInput[]): StoredAttachment[] {
  let inlineBytes = 0;
  return inputs.map((a) => {
    if (!a.filename || a.filename.length > 200 || /[\u0000-\u001f\u007f/\\]/.test(a.filename))
      throw invalid(`attachment filename is not valid: ${JSON.stringify(a.filename)}`);
    if (!/^[\w.+-]+\/[\w.+-]+(;.*)?$/.test(a.contentType)) throw invalid(`attachment ${a.filename}: content type is not valid`);
    if ('source' in a) {
      if (!a.source || typeof a.source.kind !== 'string' || a.source.kind === '')
        throw invalid(`attachment ${a.filename}: source.kind is required`);
      // Stored as JSON: a reference must survive the round trip unchanged.
      const source = JSON.parse(JSON.stringify(a.source)) as AttachmentSource;
      return { filename: a.filename, contentType: a.contentType, source };
    }
    const bytes = typeof a.content === 'string' ? Buffer.from(a.content, 'utf8') : a.content;
    inlineBytes += bytes.length;
    if (inlineBytes > MAX_INLINE_ATTACHMENT_BYTES) {
      throw invalid(`inline attachments exceed ${MAX_INLINE_ATTACHMENT_BYTES} bytes: attach ${a.filename} by reference (source) instead`);
    }
    return { filename: a.filename, contentType: a.contentType, size: bytes.length, content: bytes.toString('base64') };
  });
}

export interface ResolvedAttachments {
  attachments: NonNullable<SendMailOptions['attachments']>;
  /** The stored list with the sizes counted while sending; read after the send finished. */
  withSizes(): StoredAttachment[];
  /** Releases what the resolvers opened (a database cursor behind a stream) when the send did not read it all. */
  dispose(): void;
}

export async function resolveAttachments(
  ctx: AttachmentsContext,
  stored: StoredAttachment[],
  context: AttachmentContext,
): Promise<ResolvedAttachments> {
  const sizes: Array<number | undefined> = stored.map((a) => a.size);
  const attachments: ResolvedAttachments['attachments'] = [];
  const streams: Readable[] = [];
  const dispose = () => {
    for (const s of streams) if (!s.destroyed) s.destroy();
  };
  try {
    for (const [i, a] of stored.entries()) {
      attachments.push({
        filename: a.filename,
        contentType: a.contentType,
        content: await contentOf(ctx, a, context, streams, (n) => (sizes[i] = n)),
      });
    }
  } catch (err) {
    dispose();
    throw err;
  }
  return {
    attachments,
    withSizes: () => stored.map((a, i) => (sizes[i] === undefined ? a : { ...a, size: sizes[i] })),
    dispose,
  };
}

async function contentOf(
  ctx: AttachmentsContext,
  a: StoredAttachment,
  context: AttachmentContext,
  streams: Readable[],
  sized: (bytes: number) => void,
): Promise<Readable | Buffer> {
  if (!a.source) return Buffer.from(a.content ?? '', 'base64');
  const resolver = ctx.attachments.get(a.source.kind);
  if (!resolver) throw new Error(`attachment ${a.filename}: no resolver is registered for source kind ${a.source.kind}`);
  let produced: Readable | string | Buffer;
  try {
    produced = await resolver(ctx.db, a.source, context);
  } catch (err) {
    throw new Error(`attachment ${a.filename}: ${(err as Error).message}`, { cause: err });
  }
  if (produced instanceof Readable) {
    streams.push(produced);
    return Readable.from(counted(produced, sized), { objectMode: false });
  }
  const bytes = typeof produced === 'string' ? Buffer.from(produced, 'utf8') : produced;
  sized(bytes.length);
  return bytes;
}

async function* counted(source: Readable, done: (bytes: number) => void): AsyncGenerator<Buffer> {
  let n = 0;
  for await (const chunk of source) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    n += b.length;
    yield b;
  }
  done(n);
}
