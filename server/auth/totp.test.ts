// RFC 6238's own test vectors (SHA-1 seed "12345678901234567890") and the rules Roster adds: one step
// of drift, a code used once, base32 round trips.
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, newTotpSecret, otpauthUrl, totpCode, totpStep, verifyTotp } from './totp.ts';

const SEED = Buffer.from('12345678901234567890', 'ascii');

describe('TOTP', () => {
  it('gives the RFC 6238 appendix B codes (8 digits, SHA-1)', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, code] of vectors) expect(totpCode(SEED, totpStep(new Date(seconds * 1000)), 8)).toBe(code);
  });

  it('round-trips base32 (RFC 4648 test vectors)', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
    expect(base32Decode('mzxw 6ytb-oi======').toString()).toBe('foobar');
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
    expect(() => base32Decode('MZ1')).toThrow(/base32/);
  });

  it('accepts the code of this step and one step either way, once, and nothing else', () => {
    const secret = base32Encode(SEED);
    const at = new Date(1_700_000_000_000);
    const step = totpStep(at);
    const code = (s: number) => totpCode(SEED, s);
    expect(verifyTotp(secret, code(step), at, null)).toBe(step);
    expect(verifyTotp(secret, code(step - 1), at, null)).toBe(step - 1);
    expect(verifyTotp(secret, code(step + 1), at, null)).toBe(step + 1);
    expect(verifyTotp(secret, code(step - 2), at, null)).toBeUndefined();
    expect(verifyTotp(secret, code(step + 2), at, null)).toBeUndefined();
    // Used once: the step just accepted, and any before it, are refused.
    expect(verifyTotp(secret, code(step), at, step)).toBeUndefined();
    expect(verifyTotp(secret, code(step - 1), at, step)).toBeUndefined();
    expect(verifyTotp(secret, code(step + 1), at, step)).toBe(step + 1);
    expect(verifyTotp(secret, `${code(step).slice(0, 3)} ${code(step).slice(3)}`, at, null)).toBe(step);
    for (const bad of ['', '12345', '1234567', 'abcdef', '１２３４５６']) expect(verifyTotp(secret, bad, at, null)).toBeUndefined();
  });

  it('writes the otpauth URI authenticator apps read', () => {
    const url = new URL(otpauthUrl('JBSWY3DPEHPK3PXP', 'ana@example.com', 'Roster'));
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/Roster:ana@example.com');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      secret: 'JBSWY3DPEHPK3PXP',
      issuer: 'Roster',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
