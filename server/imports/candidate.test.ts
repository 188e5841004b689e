import { describe, expect, it } from 'vitest';
import { toCandidate } from './candidate.ts';

describe('import candidates', () => {
  it('maps a SCIM user to directory attributes', () => {
    const c = toCandidate({
      schemas: [],
      id: 'r1',
      userName: 'ada',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      title: 'Analyst',
      emails: [
        { value: 'home@example.com', type: 'home' },
        { value: 'ada@example.com', type: 'work' },
      ],
    } as never);
    expect(c.problems).toEqual([]);
    expect(c.input).toMatchObject({
      username: 'ada',
      email: 'ada@example.com',
      firstname: 'Ada',
      lastname: 'Lovelace',
      jobTitle: 'Analyst',
    });
  });

  it('uses the email as username and an email-like userName as email', () => {
    expect(toCandidate({ schemas: [], id: 'r', emails: [{ value: 'x@example.com' }] } as never).input).toMatchObject({
      username: 'x@example.com',
      email: 'x@example.com',
    });
    expect(toCandidate({ schemas: [], id: 'r', userName: 'y@example.com' } as never).input).toMatchObject({
      username: 'y@example.com',
      email: 'y@example.com',
    });
  });

  it('says why a remote user cannot be imported', () => {
    expect(toCandidate({ schemas: [], id: 'r' } as never).problems).toEqual(['no usable username or email']);
    expect(toCandidate({ schemas: [], id: 'r', userName: 'plainname' } as never).problems).toEqual([
      'no email address (the directory needs one)',
    ]);
    expect(toCandidate({ schemas: [], id: 'r', userName: 'u', emails: [{ value: 'bad' }] } as never).problems.join()).toMatch(/^email/);
    expect(
      toCandidate({ schemas: [], id: 'r', userName: 'u'.repeat(101), emails: [{ value: 'a@b.co' }] } as never).problems.join(),
    ).toMatch(/username too long/);
    expect(toCandidate({ schemas: [], id: 'r', userName: 'has space', emails: [{ value: 'a@b.co' }] } as never).problems.join()).toMatch(
      /username/,
    );
  });

  it('marks usernames with invisible or non-characters invalid, and takes an NFD name in its NFC spelling', () => {
    for (const userName of ['admin\u202Egpj.exe', 'zero\u200Bwidth', 'non\uFFFFchar']) {
      const c = toCandidate({ schemas: [], id: 'r', userName, emails: [{ value: 'a@b.co' }] } as never);
      expect(c.problems.join(), userName).toMatch(/^username: must not contain/);
      expect(c.input).toBeUndefined();
    }
    expect(toCandidate({ schemas: [], id: 'r', userName: 'Jose\u0301', emails: [{ value: 'a@b.co' }] } as never).input?.username).toBe(
      'Jos\u00E9',
    );
  });
});
