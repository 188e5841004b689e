import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret } from './crypto.ts';

describe('secrets at rest', () => {
  const key = randomBytes(32);
  it('round-trips, never stores the plaintext, and uses a fresh IV each time', () => {
    const a = encryptSecret(key, 'tok-123', 'app-1');
    const b = encryptSecret(key, 'tok-123', 'app-1');
    expect(a).not.toContain('tok-123');
    expect(a).not.toBe(b);
    expect(decryptSecret(key, a, 'app-1')).toBe('tok-123');
  });
  it('refuses another key, another row, or a tampered ciphertext with a message free of the secret', () => {
    const c = encryptSecret(key, 'tok-123', 'app-1');
    expect(() => decryptSecret(randomBytes(32), c, 'app-1')).toThrow(/cannot be decrypted/);
    expect(() => decryptSecret(key, c, 'app-2')).toThrow(/cannot be decrypted/);
    const raw = Buffer.from(c.slice(3), 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => decryptSecret(key, `v1:${raw.toString('base64')}`, 'app-1')).toThrow(/cannot be decrypted/);
    expect(() => decryptSecret(key, 'v9:xx', 'app-1')).toThrow(/unknown format/);
  });
});
