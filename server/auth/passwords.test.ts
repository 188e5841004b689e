// scrypt at N = 2^17 for new hashes; older hashes keep working and are replaced at the next sign-in.
import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.ts';
import { dialects } from '../../test/db.ts';
import { hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import { perSuite } from '../../test/suite.ts';

/** A hash as an earlier Roster made it (N = 2^15). */
function oldHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFC'), salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 256 * 1024 * 1024 });
  return `scrypt$${2 ** 15}$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
}

describe('password hashes', () => {
  it('hashes with N = 2^17, r = 8, p = 1 and verifies old and new hashes', async () => {
    const hash = await hashPassword('violet-harbour-lantern-42');
    expect(hash.split('$').slice(0, 4)).toEqual(['scrypt', String(2 ** 17), '8', '1']);
    expect(needsRehash(hash)).toBe(false);
    expect(await verifyPassword('violet-harbour-lantern-42', hash)).toBe(true);
    expect(await verifyPassword('violet-harbour-lantern-43', hash)).toBe(false);
    const old = oldHash('violet-harbour-lantern-42');
    expect(needsRehash(old)).toBe(true);
    expect(await verifyPassword('violet-harbour-lantern-42', old)).toBe(true);
  });
});

describe.each(dialects)('rehash at sign-in on %s', (dialect) => {
  const t = perSuite(() => createTestApp(dialect));

  it("replaces an admin's old hash when the password is known, and only on success", async () => {
    const email = 'old.hash@example.com';
    const password = 'amber-quarry-thistle-77';
    expect((await t.admin({ method: 'POST', url: '/api/v1/admins', payload: { email, password, role: 'read_only' } })).statusCode).toBe(
      201,
    );
    const old = oldHash(password);
    await t.database.db.updateTable('admins').set({ password_hash: old }).where('email_lower', '=', email).execute();
    const stored = async () =>
      (await t.database.db.selectFrom('admins').select('password_hash').where('email_lower', '=', email).executeTakeFirstOrThrow())
        .password_hash;
    expect(
      (await t.anonymous({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'not-the-password-1' } })).statusCode,
    ).toBe(401);
    expect(await stored()).toBe(old);
    expect((await t.anonymous({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })).statusCode).toBe(200);
    const now = await stored();
    expect(needsRehash(now)).toBe(false);
    expect(await verifyPassword(password, now)).toBe(true);
  });
});
