// The activation email: a pure function from facts to { subject, text, html }. Names come from
// imports (remote applications) and are untrusted: each is flattened to one line before it goes into
// the text, and plainEmail escapes everything for the HTML.
import { type EmailContent, oneLine, plainEmail } from '../notifications/index.ts';

export interface ActivationEmailInput {
  displayName: string;
  username: string;
  link: string;
  expiresAt: Date;
}

/** "28 November 2026, 14:05 UTC": unambiguous whatever the reader's locale. */
function utc(d: Date): string {
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${hh}:${mm} UTC`;
}

export function activationEmail(input: ActivationEmailInput): EmailContent {
  const name = oneLine(input.displayName, 100) || oneLine(input.username, 100);
  const text = [
    `Hello ${name},`,
    '',
    `An account has been created for you in Roster (username: ${oneLine(input.username, 100)}). ` +
      'To complete your registration, choose your password here:',
    '',
    input.link,
    '',
    `The link works once and expires on ${utc(input.expiresAt)}. If it has expired, or you receive a newer email, ` +
      'ask your administrator for a new one: only the newest link works.',
    '',
    'If you were not expecting this email, you can ignore it; nothing happens until the link is used.',
  ].join('\n');
  return plainEmail('Complete your Roster account: choose your password', text);
}
