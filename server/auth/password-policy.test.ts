// The password policy, rule by rule (no database: it is a pure function over the shipped list).
import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors.ts';
import { assertPasswordPolicy, checkPassword, commonPasswords, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-policy.ts';

const owner = { username: 'jdoe', email: 'John.Doe@Example.com' };
const rules = (password: string, who = owner) => checkPassword(password, who).map((p) => p.rule);

describe('password policy', () => {
  it('ships a list of at least 10,000 common passwords, loaded once into a set', () => {
    const list = commonPasswords();
    expect(list.size).toBeGreaterThanOrEqual(10_000);
    expect(commonPasswords()).toBe(list);
    for (const p of ['123456', 'password', 'qwerty', 'iloveyou', 'sunshine']) expect(list.has(p)).toBe(true);
  });

  it('accepts a long, unrelated passphrase', () => {
    expect(rules('violet-harbour-lantern-42')).toEqual([]);
    expect(rules('correct horse battery staple')).toEqual([]);
  });

  it(`needs at least ${PASSWORD_MIN_LENGTH} and at most ${PASSWORD_MAX_LENGTH} characters, counted as a person sees them`, () => {
    expect(rules('Vx7#kq2!Lm9')).toEqual(['min_length']);
    expect(rules('Vx7#kq2!Lm9p')).toEqual([]);
    expect(rules('z'.repeat(PASSWORD_MAX_LENGTH + 1))).toEqual(['max_length']);
    // Exactly the maximum (letters in a long cycle: not a short repeated pattern).
    expect(rules(Array.from({ length: PASSWORD_MAX_LENGTH }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join(''))).toEqual([]);
    // 12 emoji are 24 UTF-16 units but 12 characters; 11 of them are too short.
    expect(rules('🦊🐙🦉🐢🦋🐝🦀🐬🦒🦔🐧🦜')).toEqual([]);
    expect(rules('🦊🐙🦉🐢🦋🐝🦀🐬🦒🦔🐧')).toEqual(['min_length']);
    // e + combining accent is one character after NFC, as the hash sees it.
    expect(rules('Vx7#kq2!Lm9' + 'e\u0301')).toEqual([]);
    expect(checkPassword('short-pw', owner)[0].message).toBe(`must be at least ${PASSWORD_MIN_LENGTH} characters (it has 8)`);
  });

  it('refuses the username, in any letter case, alone or inside', () => {
    expect(rules('jdoe', { username: 'jdoe-the-long-username', email: 'x@example.com' })).toContain('min_length');
    expect(rules('jdoe-the-long-username', { username: 'jdoe-the-long-username', email: 'x@example.com' })).toEqual(['contains_username']);
    expect(rules('my-JDOE-password-123')).toEqual(['contains_username']);
    // A very short username is only refused as the whole password: "contains 'al'" would refuse half of all passwords.
    expect(rules('totally-unrelated-words', { username: 'al', email: 'zz@example.com' })).toEqual([]);
  });

  it('refuses the email and its local part, in any letter case', () => {
    expect(rules('john.doe@example.com')).toEqual(['contains_email']);
    expect(rules('JOHN.DOE@EXAMPLE.COM!!')).toEqual(['contains_email']);
    expect(rules('i-am-john.doe-in-2026')).toEqual(['contains_email']);
    expect(checkPassword('i-am-john.doe-in-2026', owner)[0].message).toMatch(/email address/);
  });

  it('refuses the most common passwords, also with digits or symbols stuck on the ends', () => {
    for (const p of ['qwertyuiop123', '1q2w3e4r5t6y', 'Password123456!', 'dragon123456', '!!Sunshine2024', 'administrator']) {
      expect(rules(p), p).toEqual(['common_password']);
    }
    expect(checkPassword('administrator', owner)[0].message).toMatch(/too common/);
  });

  it('reports every broken rule at once', () => {
    expect(rules('jdoe')).toEqual(['min_length', 'contains_username']);
  });

  it('throws 400 WEAK_PASSWORD naming the field and the rules', () => {
    let err: unknown;
    try {
      assertPasswordPolicy('password', owner, 'body.password');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.status).toBe(400);
    expect(e.code).toBe('WEAK_PASSWORD');
    expect(e.message).toBe(
      'The password must be at least 12 characters (it has 8); is too common: ' +
        'it is one of the most used passwords, perhaps with digits or symbols added.',
    );
    expect(e.details).toEqual([
      { path: 'body.password', rule: 'min_length', message: 'must be at least 12 characters (it has 8)' },
      { path: 'body.password', rule: 'common_password', message: expect.stringContaining('too common') },
    ]);
    expect(() => assertPasswordPolicy('violet-harbour-lantern-42', owner, 'body.password')).not.toThrow();
  });

  it('refuses one character or a short pattern repeated, and almost no different characters', () => {
    const owner = { username: 'someone', email: 'someone@example.com' };
    for (const pw of [
      'aaaaaaaaaaaa',
      'AAAAAAAAAAAAAAAA',
      'abababababab',
      'abcabcabcabc',
      'abcdabcdabcdab',
      '1212121212121212',
      '............',
      'aabbaabbaabbaabb',
      'zzzzzzzzzzzzZ',
    ]) {
      expect(
        checkPassword(pw, owner).map((p) => p.rule),
        pw,
      ).toContain('repetitive');
    }
    for (const pw of ['violet-harbour-lantern-42', 'abcdeabcdeabcde', 'correct horse battery staple']) {
      expect(
        checkPassword(pw, owner).map((p) => p.rule),
        pw,
      ).not.toContain('repetitive');
    }
  });
});
