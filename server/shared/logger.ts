import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths never logged: credentials in requests, configs and SCIM settings. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.clientSecret',
  '*.secret',
  '*.key',
  'headers.authorization',
  'auth.token',
  'auth.password',
  'auth.clientSecret',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'roster' } }, destination);
}
