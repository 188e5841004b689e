// The one password policy, for admins and directory users alike: length, not one character or a short
// pattern repeated, not built on the account's own names, and not among the most common passwords.
// Used by every place a password is chosen (first admin, new admins, the admin's set-password, the
// activation link, the user's own change), so one rule gives one message everywhere.
import { dictionary } from '@zxcvbn-ts/language-common';
import { AppError } from '../shared/errors.ts';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;
/** Names shorter than this are only refused as the whole password: "contains jo" would refuse half of all passwords. */
const MIN_CONTAINED_NAME = 3;

export type PasswordRule = 'min_length' | 'max_length' | 'repetitive' | 'contains_username' | 'contains_email' | 'common_password';

export interface PasswordProblem {
  rule: PasswordRule;
  message: string;
}

export interface PasswordOwner {
  username: string;
  email: string;
}

/** What the set-password pages show before the user types. */
export const PASSWORD_POLICY = {
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: PASSWORD_MAX_LENGTH,
  rules: [
    `At least ${PASSWORD_MIN_LENGTH} and at most ${PASSWORD_MAX_LENGTH} characters`,
    'Not one character or a short pattern repeated (such as aaaaaaaaaaaa or abcabcabcabc)',
    'Must not be or contain your username or email address',
    'Must not be one of the most common passwords',
  ],
};

// The zxcvbn-ts common list (MIT): about 49,000 passwords from leaks, most frequent first, lower case.
// Built on first use, not at import, so start-up and processes that never check a password don't pay.
let common: Set<string> | undefined;
export function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return common;
}

/** Counted in characters as a person sees them (code points), after the NFC normalisation the hash uses. */
const passwordLength = (password: string) => [...password.normalize('NFC')].length;

// Digits and punctuation stuck on the ends of a common password ("Dragon2024!", "!!sunshine123")
// add almost nothing an attacker's rules don't try first.
const DECORATION = /^[\p{N}\p{P}\p{S}\s]+|[\p{N}\p{P}\p{S}\s]+$/gu;

function isCommon(lower: string): boolean {
  const list = commonPasswords();
  if (list.has(lower)) return true;
  const core = lower.replace(DECORATION, '');
  return core !== lower && core.length > 0 && list.has(core);
}

/** Longest repeated unit that still counts as "a pattern repeated" (abcd abcd abcd). */
const MAX_PATTERN = 4;

/** One character or a short pattern over and over, or almost no different characters at all. */
function isRepetitive(chars: string[]): boolean {
  if (new Set(chars).size <= 2) return true;
  for (let period = 1; period <= MAX_PATTERN && period * 2 <= chars.length; period++) {
    if (chars.every((c, i) => c === chars[i % period])) return true;
  }
  return false;
}

/** Every rule the password breaks, in a fixed order (empty when it is acceptable). */
export function checkPassword(password: string, owner: PasswordOwner): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const length = passwordLength(password);
  if (length < PASSWORD_MIN_LENGTH) {
    problems.push({ rule: 'min_length', message: `must be at least ${PASSWORD_MIN_LENGTH} characters (it has ${length})` });
  }
  if (length > PASSWORD_MAX_LENGTH) {
    problems.push({ rule: 'max_length', message: `must be at most ${PASSWORD_MAX_LENGTH} characters (it has ${length})` });
    // The rules below would only repeat work on text that is refused anyway.
    return problems;
  }
  const lower = password.normalize('NFC').toLowerCase();
  if (isRepetitive([...lower])) problems.push({ rule: 'repetitive', message: 'must not be one character or a short pattern repeated' });
  const contains = (name: string) => {
    const n = name.trim().toLowerCase();
    return n !== '' && (lower === n || (n.length >= MIN_CONTAINED_NAME && lower.includes(n)));
  };
  if (contains(owner.username)) problems.push({ rule: 'contains_username', message: 'must not be or contain your username' });
  const email = owner.email.trim().toLowerCase();
  const localPart = email.includes('@') ? email.slice(0, email.lastIndexOf('@')) : email;
  if (contains(email) || contains(localPart)) {
    problems.push({ rule: 'contains_email', message: 'must not be or contain your email address or the part before the @' });
  }
  if (isCommon(lower))
    problems.push({
      rule: 'common_password',
      message: 'is too common: it is one of the most used passwords, perhaps with digits or symbols added',
    });
  return problems;
}

/** Throws 400 WEAK_PASSWORD naming the field and each broken rule. */
export function assertPasswordPolicy(password: string, owner: PasswordOwner, field: string): void {
  const problems = checkPassword(password, owner);
  if (problems.length === 0) return;
  throw new AppError(
    'WEAK_PASSWORD',
    400,
    `The password ${problems.map((p) => p.message).join('; ')}.`,
    problems.map((p) => ({ path: field, rule: p.rule, message: p.message })),
  );
}
