// The errors the provider core throws, shaped for RFC 7644 §3.12 answers. `detail` goes to the client
// as is, so it is built from the request's own text (truncated) and never from stored secrets.
import { SCHEMAS } from '../types.ts';

export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export class ScimRequestError extends Error {
  readonly status: number;
  readonly scimType?: ScimType;
  readonly detail: string;
  constructor(status: number, scimType: ScimType | undefined, detail: string) {
    super(detail);
    this.name = 'ScimRequestError';
    this.status = status;
    this.scimType = scimType;
    this.detail = detail;
  }
}

export function isScimRequestError(err: unknown): err is ScimRequestError {
  return err instanceof ScimRequestError;
}

export interface ScimErrorBody {
  schemas: [typeof SCHEMAS.error];
  /** A string, as RFC 7644 §3.12 writes it. */
  status: string;
  scimType?: ScimType;
  detail: string;
}

export function scimErrorBody(err: ScimRequestError): ScimErrorBody {
  const body: ScimErrorBody = { schemas: [SCHEMAS.error], status: String(err.status), detail: err.detail };
  if (err.scimType !== undefined) body.scimType = err.scimType;
  return body;
}

/** Client text quoted in an error detail: JSON-quoted so control characters show, and cut short. */
export function quote(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}
