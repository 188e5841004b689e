import { createHash, randomBytes } from 'node:crypto';

/** A random token with `bytes` of entropy, base64url. */
export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** Tokens are high-entropy, so a fast hash is enough to store them (unlike passwords). */
export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
