// AES-256-GCM for secrets at rest. The associated data binds a ciphertext to its row, so a secret
// copied into another row does not decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from './errors.ts';

const VERSION = 'v1';

export function encryptSecret(key: Buffer, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

export function decryptSecret(key: Buffer, stored: string, associatedData: string): string {
  const [version, data] = stored.split(':', 2);
  if (version !== VERSION || !data) throw new AppError('SECRET_UNREADABLE', 500, 'A stored secret has an unknown format');
  const raw = Buffer.from(data, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new AppError(
      'SECRET_UNREADABLE',
      500,
      'A stored secret cannot be decrypted: was ROSTER_SECRET_KEY (or data/secret.key) changed? Re-enter the credentials.',
    );
  }
}
